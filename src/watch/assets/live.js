// SPDX-License-Identifier: MIT
// deadair watch's live page: fetches /calls.json every second and rebuilds
// its two tables; every value goes in through textContent, never as HTML.
(function () {
  'use strict';
  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function party(c) { return (c.from || '?') + ' \u2192 ' + (c.to || '?'); }
  function rtp(d) {
    if (d.rtp === 'flowing') return ['flowing (' + d.packets + ' packets)', 'flowing'];
    if (d.rtp === 'silent') return ['silent for ' + d.silent_s + ' s (' + d.packets + ' packets)', 'silent'];
    return ['not yet', ''];
  }
  function progressRow(c) {
    const tr = document.createElement('tr');
    tr.className = 'call' + (c.warned ? ' red' : '');
    tr.dataset.callId = c.call_id;
    cell(tr, party(c));
    cell(tr, c.state);
    cell(tr, c.age_s.toFixed(0) + ' s', 'num');
    for (const d of c.directions) {
      const r = rtp(d);
      cell(tr, r[0], 'dir ' + r[1]);
    }
    cell(tr, c.warnings.join(' '), 'warnings');
    cell(tr, c.call_id, 'mono');
    return tr;
  }
  function doneRow(c) {
    const tr = document.createElement('tr');
    tr.className = 'call done' + (c.warned ? ' red' : '');
    tr.dataset.callId = c.call_id;
    cell(tr, party(c));
    cell(tr, c.state + (c.final_status ? ' ' + c.final_status : ''));
    cell(tr, c.duration_s.toFixed(1) + ' s', 'num');
    cell(tr, c.findings || 'none', 'findings');
    const td = cell(tr, '');
    if (c.report) {
      const a = document.createElement('a');
      a.href = c.report;
      a.className = 'report';
      a.textContent = 'report';
      td.appendChild(a);
    } else {
      td.textContent = 'not kept';
    }
    cell(tr, c.call_id, 'mono');
    return tr;
  }
  function fill(id, rows) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren(...rows);
  }
  const status = document.getElementById('status');
  async function refresh() {
    try {
      const r = await fetch('/calls.json', { cache: 'no-store', credentials: 'same-origin' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const s = await r.json();
      fill('progress', s.calls.map(progressRow));
      fill('done', s.recent.map(doneRow));
      document.getElementById('n-progress').textContent = '(' + s.in_progress + ')';
      document.getElementById('n-done').textContent = '(' + s.finished + ' in all)';
      status.textContent = 'Capture time ' + s.now + (s.ended ? ' \u2014 the input has ended.' : '') +
        ' \u00b7 ' + s.frames + ' frames';
      status.className = 'livestatus';
    } catch (e) {
      status.textContent = 'No answer from deadair watch (' + e.message + '); trying again.';
      status.className = 'livestatus stale';
    }
  }
  refresh();
  setInterval(refresh, 1000);
})();
