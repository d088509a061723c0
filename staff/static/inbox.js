// The inbox without reloading: poll a small stamp, fetch the list again when it changed;
// j/k or the arrow keys move between complaints, Enter opens one, "/" jumps to the search.
(function () {
  var POLL_MS = 1000;
  function list() { return document.getElementById('inbox-list'); }
  function cards() { return Array.prototype.slice.call(document.querySelectorAll('#inbox-list a.card')); }
  function current() { return cards().indexOf(document.activeElement); }

  function refresh() {
    fetch('/staff/inbox/list' + location.search, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var old = list();
        if (!html || !old) return;
        var focused = document.activeElement && document.activeElement.getAttribute('data-ticket');
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('inbox-list');
        if (!fresh) return;
        old.replaceWith(document.importNode(fresh, true));
        if (focused) {
          var again = document.querySelector('#inbox-list a.card[data-ticket="' + focused + '"]');
          if (again) again.focus();
        }
      });
  }

  function poll() {
    var shown = list();
    if (!shown || document.hidden) return;
    fetch('/staff/inbox/stamp', {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.stamp !== list().getAttribute('data-stamp')) refresh();
      })
      .catch(function () {});
  }
  setInterval(poll, POLL_MS);

  document.addEventListener('keydown', function (event) {
    var tag = (event.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || event.ctrlKey || event.metaKey || event.altKey) return;
    var all = cards(), at = current(), to = null;
    if (event.key === 'j' || event.key === 'ArrowDown') to = at < 0 ? 0 : Math.min(at + 1, all.length - 1);
    else if (event.key === 'k' || event.key === 'ArrowUp') to = at < 0 ? 0 : Math.max(at - 1, 0);
    else if (event.key === '/') { event.preventDefault(); document.getElementById('q').focus(); return; }
    if (to === null || !all.length) return;
    event.preventDefault();
    all[to].focus();
    all[to].scrollIntoView({block: 'nearest'});
  });
})();
