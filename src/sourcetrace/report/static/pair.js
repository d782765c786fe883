// Clicking a highlight shows the passage on both sides. Static: no data is ever interpolated here.

(function () {
  var cycle = {};
  function clear() {
    document.querySelectorAll('.hl.active').forEach(function (el) { el.classList.remove('active'); });
  }
  document.addEventListener('click', function (ev) {
    var el = ev.target.closest ? ev.target.closest('.hl') : null;
    if (!el) { return; }
    var ids = (el.getAttribute('data-p') || '').split(' ').filter(Boolean);
    if (!ids.length) { return; }
    // A segment under several passages: repeated clicks step through them.
    var key = el.getAttribute('data-start') + ':' + el.closest('.text').id;
    var n = cycle[key] === undefined ? 0 : (cycle[key] + 1) % ids.length;
    cycle[key] = n;
    var pid = ids[n];
    clear();
    // A page may hold several pair views (.pair): the partner is looked up in this one only.
    var root = el.closest('.pair') || document;
    var all = root.querySelectorAll('[data-p~="' + pid + '"]');
    all.forEach(function (x) { x.classList.add('active'); });
    var side = el.closest('.text').getAttribute('data-side');
    var other = root.querySelector('.text:not([data-side="' + side + '"]) [data-p~="' + pid + '"]');
    if (other) { other.scrollIntoView({block: 'center', behavior: 'smooth'}); }
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') { clear(); } });
})();
