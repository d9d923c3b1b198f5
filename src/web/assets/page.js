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
  function file() {
    return input.files && input.files.length ? input.files[0] : null;
  }
  function check() {
    var f = file();
    var textBytes = new Blob([trace.value]).size;
    if (!f && !trace.value.trim()) return 'Paste a SIP trace or choose a capture file first.';
    if (f && f.size === 0) return f.name + ' is empty.';
    if (max && (f ? f.size : 0) + textBytes > max)
      return (f ? f.name + ' is ' + size(f.size) : 'The pasted trace is ' + size(textBytes)) +
        ': this server takes at most ' + size(max) + ' (deadair serve --max-upload). ' +
        'Cut the capture down to the call, e.g. with editcap or a display filter.';
    return '';
  }
  function shown() {
    var f = file();
    chosen.textContent = f ? f.name + ' (' + size(f.size) + ')' : '';
    say('');
  }
  function send() {
    var problem = check();
    say(problem);
    if (problem) return false;
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
