// SPDX-License-Identifier: MIT
// deadair HTML reports: an evidence link scrolls to the message or moment it
// cites and highlights it (opening what hides it); printing opens every section.
(function () {
  'use strict';
  var current = null;
  function show(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    for (var p = el.parentNode; p && p !== document; p = p.parentNode)
      if (p.tagName === 'DETAILS') p.open = true;
    if (current) current.classList.remove('hl');
    void el.getBoundingClientRect();
    el.classList.add('hl');
    current = el;
    el.scrollIntoView({ behavior: 'smooth', block: 'center', inline: 'center' });
    return true;
  }
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
    if (!a) return;
    var id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (id && show(id)) {
      ev.preventDefault();
      if (history.replaceState) history.replaceState(null, '', '#' + id);
    }
  });
  if (location.hash.length > 1) show(decodeURIComponent(location.hash.slice(1)));
  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.filter.call(document.querySelectorAll('details'), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
  });
})();
