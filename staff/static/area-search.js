// Area search on the notice form: type a name, click a match to tick its box.
(function () {
  var box = document.getElementById('area-search'), out = document.getElementById('area-results'), timer;
  if (!box || !out) return;
  box.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!box.value.trim()) { out.innerHTML = ''; return; }
      fetch('/staff/areas/search?q=' + encodeURIComponent(box.value)).then(function (r) { return r.json(); }).then(function (rows) {
        out.innerHTML = '';
        rows.forEach(function (a) {
          var b = document.createElement('button');
          b.type = 'button'; b.className = 'secondary'; b.style.margin = '.2rem';
          b.textContent = (a.level === 'district' ? 'Kec. ' : '') + a.name + (a.level !== 'district' && a.kecamatan ? ' (' + a.kecamatan + ')' : '');
          b.addEventListener('click', function () {
            var input = document.querySelector('input[name=areas][value="' + a.code + '"]');
            if (input) { input.checked = true; var d = input.closest('details'); if (d) d.open = true; input.scrollIntoView({block: 'center'}); }
          });
          out.appendChild(b);
        });
      });
    }, 200);
  });
})();
