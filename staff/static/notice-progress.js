// Delivery progress of a notice's pushes, refreshed while it runs (the notice page).
(function () {
  var box = document.getElementById('progress');
  if (!box || box.dataset.running !== 'yes') return;
  function tick() {
    fetch(box.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (p) {
      ['targeted', 'sent', 'delivered', 'failed', 'unknown'].forEach(function (k) { document.getElementById('p-' + k).textContent = p.total[k]; });
      document.getElementById('progress-percent').textContent = p.total.percent;
      document.getElementById('progress-bar').style.width = p.total.percent + '%';
      if (p.total.running) setTimeout(tick, 1500);
    }).catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
