// SPDX-License-Identifier: MIT
// The form of `deadair serve`: a capture dropped anywhere on the page is
// checked against the server's size limit and sent; an empty form or a file
// that is too large is refused here with a readable message (the server checks
// again, whatever this script says).
(function () {
  'use strict';
  var form = document.getElementById('analyze');
  if (!form) return;
  var input = document.getElementById('capture');
  var trace = document.getElementById('trace');
  var drop = document.getElementById('drop');
  var chosen = document.getElementById('chosen');
  var error = document.getElementById('error');
  var button = form.querySelector('button[type=submit]');
  var max = Number(form.getAttribute('data-max-upload')) || 0;
  function size(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MiB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
    return n + ' bytes';
  }
  function say(text) {
    error.textContent = text;
    error.hidden = !text;
  }
  // the files chosen: several are several capture points of the same calls
  function files() {
    return input.files ? Array.prototype.slice.call(input.files) : [];
  }
  function check() {
    var fs = files();
    var total = 0;
    var textBytes = new Blob([trace.value]).size;
    if (!fs.length && !trace.value.trim()) return 'Paste a SIP trace or choose a capture file first.';
    if (fs.length > 8) return 'At most 8 files at once, each a capture point.';
    for (var i = 0; i < fs.length; i++) {
      if (fs[i].size === 0) return fs[i].name + ' is empty.';
      total += fs[i].size;
    }
    if (max && total + textBytes > max)
      return (fs.length === 1 ? fs[0].name + ' is ' + size(total)
        : fs.length ? 'The ' + fs.length + ' files are ' + size(total) : 'The pasted trace is ' + size(textBytes)) +
        ': this server takes at most ' + size(max) + ' (deadair serve --max-upload). ' +
        'Cut the capture down to the call, e.g. with editcap or a display filter.';
    return '';
  }
  function shown() {
    chosen.textContent = files().map(function (f) { return f.name + ' (' + size(f.size) + ')'; }).join(', ');
    say('');
  }
  function send() {
    var problem = check();
    say(problem);
    if (problem) return false;
    // a report to save leaves this page where it is: the button stays usable
    if (document.getElementById('download').checked) return true;
    button.disabled = true;
    button.textContent = 'Analyzing\u2026';
    return true;
  }
  input.addEventListener('change', shown);
  form.addEventListener('submit', function (ev) {
    if (!send()) ev.preventDefault();
  });
  trace.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && send()) form.submit();
  });
  var depth = 0;
  document.addEventListener('dragenter', function (ev) {
    ev.preventDefault();
    depth++;
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', function () {
    if (--depth <= 0) { depth = 0; document.body.classList.remove('dragging'); }
  });
  document.addEventListener('dragover', function (ev) { ev.preventDefault(); });
  document.addEventListener('drop', function (ev) {
    ev.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
    input.files = ev.dataTransfer.files;
    shown();
    if (send()) form.submit();
  });
  window.addEventListener('pageshow', function () {
    button.disabled = false;
    button.textContent = 'Analyze';
  });
  void drop;
})();
