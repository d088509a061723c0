// Delivery progress of a notice's pushes, refreshed while it runs (the notice page): the totals
// and every row of the per-event, per-channel table, without a reload. Once the sending is done
// it keeps looking now and then: WhatsApp's delivered/read receipts come in later.
(function () {
  var box = document.getElementById('progress');
  if (!box) return;
  var table = document.getElementById('progress-events');
  var body = document.getElementById('progress-rows');
  var heads = [].map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent; });
  var KEYS = ['targeted', 'sent', 'delivered', 'read', 'failed', 'unknown'];
  function cell(tr, text, head, key) {
    var td = document.createElement('td');
    td.textContent = text;
    td.dataset.label = head;
    if (key) td.dataset.count = key;
    tr.appendChild(td);
    return td;
  }
  function row(r) {
    var tr = document.createElement('tr');
    tr.dataset.event = r.event;
    tr.dataset.channel = r.channel;
    cell(tr, r.label, heads[0]);
    cell(tr, r.channel_label, heads[1]);
    KEYS.forEach(function (k, i) {
      var blind = !r.receipts && (k === 'delivered' || k === 'read');
      var td = cell(tr, blind ? table.dataset.noReceipt : String(r[k]), heads[i + 2], k);
      if (blind) { td.dataset.noReceipt = ''; td.title = table.dataset.noReceipts; }
    });
    return tr;
  }
  function tick() {
    fetch(box.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (p) {
      ['targeted', 'sent', 'delivered', 'failed', 'unknown'].forEach(function (k) { document.getElementById('p-' + k).textContent = p.total[k]; });
      document.getElementById('progress-percent').textContent = p.total.percent;
      document.getElementById('progress-bar').style.width = p.total.percent + '%';
      body.replaceChildren.apply(body, p.events.map(row));
      setTimeout(tick, p.total.running ? 1500 : 10000);
    }).catch(function () { setTimeout(tick, 10000); });
  }
  setTimeout(tick, box.dataset.running === 'yes' ? 1000 : 10000);
})();
