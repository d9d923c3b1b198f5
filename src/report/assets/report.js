// SPDX-License-Identifier: MIT
// deadair HTML reports: an evidence link scrolls to the message or moment it
// cites and highlights it (opening what hides it); printing opens every section
// but the SIP messages whole (a click on a ladder arrow opens one).
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
    // every section, but not the SIP messages whole: those open one by one
    closed = Array.prototype.filter.call(document.querySelectorAll('details:not(.sipmsg):not(.sipmsgs)'),
      function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
  });
})();
// The call table of each capture: sorted by clicking a column head (again:
// the other way), filtered by the search box (every word must appear in the
// row) and by the finding badges above it (a call with any badge chosen).
(function () {
  'use strict';
  function key(tr, kind, col) {
    if (kind === 'start') return parseFloat(tr.getAttribute('data-start')) || 0;
    if (kind === 'dur') return parseFloat(tr.getAttribute('data-dur')) || 0;
    var text = tr.cells[col] ? tr.cells[col].textContent.trim() : '';
    if (kind === 'num') return parseFloat(text) || 0;
    return text.toLowerCase();
  }
  function setup(box) {
    var table = box.querySelector('table.index');
    var body = table && table.tBodies[0];
    if (!body) return;
    var search = box.querySelector('input.callsearch');
    var shown = box.querySelector('output.shown');
    var badges = box.querySelector('.badges');
    var chosen = {};
    var rows = Array.prototype.slice.call(body.rows);
    function apply() {
      var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var ids = Object.keys(chosen).filter(function (k) { return chosen[k]; });
      var n = 0;
      rows.forEach(function (tr) {
        var text = tr.textContent.toLowerCase();
        var f = (tr.getAttribute('data-findings') || '').split(' ');
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
          (!ids.length || ids.some(function (id) { return f.indexOf(id) >= 0; }));
        tr.hidden = !ok;
        if (ok) n++;
      });
      if (shown) shown.textContent = n === rows.length ? rows.length + ' calls' : n + ' of ' + rows.length + ' calls shown';
    }
    // one badge per finding ID of the table, with how many calls have it
    var count = {};
    rows.forEach(function (tr) {
      (tr.getAttribute('data-findings') || '').split(' ').filter(Boolean).forEach(function (id, i, all) {
        if (all.indexOf(id) === i) count[id] = (count[id] || 0) + 1;
      });
    });
    Object.keys(count).sort().forEach(function (id) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'badge';
      b.setAttribute('data-finding', id);
      b.setAttribute('aria-pressed', 'false');
      b.textContent = id + ' ' + count[id];
      b.addEventListener('click', function () {
        chosen[id] = !chosen[id];
        b.setAttribute('aria-pressed', chosen[id] ? 'true' : 'false');
        apply();
      });
      if (badges) badges.appendChild(b);
    });
    if (search) search.addEventListener('input', apply);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var kind = th.getAttribute('data-sort');
      if (!kind) return;
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var keyed = rows.map(function (tr, i) { return { tr: tr, k: key(tr, kind, col), i: i }; });
        keyed.sort(function (a, b) {
          var c = a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i;
          return asc ? c : -c;
        });
        keyed.forEach(function (x) { body.appendChild(x.tr); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sort(); }
      });
    });
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll('.calltable'), setup);
})();
// The players of embedded audio (--embed-audio): under each, links to save
// the stereo mix, and each side alone (the mix's left or right channel as a
// mono WAV, made in the page when the link is first used).
(function () {
  'use strict';
  function mono(src, ch) {
    var b64 = src.slice(src.indexOf(',') + 1);
    var bin = atob(b64);
    var n = bin.length;
    if (n < 44 || bin.slice(36, 40) !== 'data') return null;
    var u8 = new Uint8Array(n);
    for (var i = 0; i < n; i++) u8[i] = bin.charCodeAt(i);
    var dv = new DataView(u8.buffer);
    var channels = dv.getUint16(22, true), rate = dv.getUint32(24, true);
    if (channels !== 2 || dv.getUint16(34, true) !== 16) return null;
    var frames = Math.floor((n - 44) / 4);
    var out = new DataView(new ArrayBuffer(44 + frames * 2));
    function str(at, s) { for (var k = 0; k < s.length; k++) out.setUint8(at + k, s.charCodeAt(k)); }
    str(0, 'RIFF'); out.setUint32(4, 36 + frames * 2, true); str(8, 'WAVEfmt ');
    out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
    out.setUint32(24, rate, true); out.setUint32(28, rate * 2, true); out.setUint16(32, 2, true);
    out.setUint16(34, 16, true); str(36, 'data'); out.setUint32(40, frames * 2, true);
    for (var f = 0; f < frames; f++) out.setInt16(44 + 2 * f, dv.getInt16(44 + 4 * f + 2 * ch, true), true);
    return URL.createObjectURL(new Blob([out.buffer], { type: 'audio/wav' }));
  }
  Array.prototype.forEach.call(document.querySelectorAll('.player'), function (p) {
    var audio = p.querySelector('audio'), box = p.querySelector('.downloads');
    var src = audio && audio.getAttribute('src');
    if (!box || !src) return;
    var name = p.getAttribute('data-name') || 'call';
    box.appendChild(document.createTextNode('Save as WAV: '));
    [['stereo mix', 'mix', -1], ['caller', 'caller', 0], ['callee', 'callee', 1]].forEach(function (d, i) {
      var a = document.createElement('a');
      a.textContent = d[0];
      a.className = 'wav ' + d[1];
      a.download = name + '-' + d[1] + '.wav';
      if (d[2] < 0) {
        a.href = src;
      } else {
        a.href = '#';
        a.addEventListener('click', function (ev) {
          if (a.getAttribute('href') !== '#') return;
          var url = mono(src, d[2]);
          if (url) a.href = url;
          else ev.preventDefault();
        });
      }
      if (i) box.appendChild(document.createTextNode(', '));
      box.appendChild(a);
    });
  });
})();
