// The corpus report's filter box (reads the JSON search index) and opening of linked pair views.

(function () {
  var block = document.getElementById('search-index');
  var index = block ? JSON.parse(block.textContent) : [];
  var input = document.getElementById('q');
  var count = document.getElementById('q-count');
  // Case and Arabic diacritics/tatweel do not matter to a reader typing a search.
  function norm(s) { return (s || '').toLowerCase().replace(/[\u064B-\u0652\u0670\u0640]/g, ''); }
  var hay = index.map(function (d) {
    var sec = document.getElementById(d.anchor);
    var body = sec ? sec.querySelector('.doc-text') : null;
    return norm([d.id, d.title, d.lang, d.date, d.text, body ? body.textContent : ''].join(' '));
  });
  function apply() {
    var q = norm(input.value.trim());
    var shown = 0;
    index.forEach(function (d, i) {
      var hit = !q || hay[i].indexOf(q) >= 0;
      if (hit) { shown += 1; }
      document.querySelectorAll('[data-doc-anchor="' + d.anchor + '"]').forEach(function (x) {
        if (x.classList.contains('node')) { x.classList.toggle('dim', !hit); } else { x.hidden = !hit; }
      });
    });
    count.textContent = q ? shown + ' of ' + index.length + ' documents match' : '';
  }
  if (input) { input.addEventListener('input', apply); }
  // Following a link to a collapsed pair view opens it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var t = id ? document.getElementById(id) : null;
    var d = t ? t.closest('details') : null;
    while (d) { d.open = true; d = d.parentElement ? d.parentElement.closest('details') : null; }
    if (t) { t.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openTarget);
  if (location.hash) { openTarget(); }
})();
