// sourcetrace web app: uploads with progress. Builds the DOM with textContent only.
(function () {
  var form = document.getElementById('upload-form');
  if (!form) { return; }
  var bar = document.getElementById('upload-progress');
  var status = document.getElementById('upload-status');
  var list = document.getElementById('upload-docs');
  var refusedList = document.getElementById('upload-refused');

  function say(text, failed) {
    status.textContent = text;
    status.className = failed ? 'error' : '';
  }

  function showDocuments(ids) {
    list.textContent = '';
    ids.forEach(function (id) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '/doc/' + encodeURIComponent(id);
      a.textContent = id;
      a.className = 'uploaded-doc';
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  // Each refused file with its reason; the accepted ones are traced all the same.
  function showRefused(refused) {
    refusedList.textContent = '';
    (refused || []).forEach(function (r) {
      var li = document.createElement('li');
      li.className = 'refused-file';
      li.textContent = 'Refused: ' + r.reason;
      refusedList.appendChild(li);
    });
  }

  function poll(id) {
    fetch('/api/jobs/' + encodeURIComponent(id), {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        var part = job.total ? ' ' + job.done + '/' + job.total : '';
        if (job.state === 'done') {
          bar.value = 100;
          say('Traced: ' + job.documents.length + ' document(s)' +
              (job.failures.length ? '; problems: ' + job.failures.join('; ') : ''), false);
          showDocuments(job.documents);
          return;
        }
        if (job.state === 'failed') {
          say('Failed: ' + (job.error || '') + ' ' + job.failures.join('; '), true);
          return;
        }
        bar.value = job.total ? 50 + 50 * job.done / job.total : 50;
        say(job.stage + part + '…', false);
        setTimeout(function () { poll(id); }, 500);
      })
      .catch(function () { setTimeout(function () { poll(id); }, 1000); });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) { bar.value = 50 * e.loaded / e.total; say('uploading…', false); }
    });
    xhr.addEventListener('load', function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      showRefused(body.refused);
      if (xhr.status !== 202) {
        say(body.refused ? 'No file was taken.' :
            'Refused: ' + (typeof body.detail === 'string' ? body.detail : xhr.status), true);
        return;
      }
      say('uploaded ' + body.accepted.length + ' file(s); reading…', false);
      poll(body.id);
    });
    xhr.addEventListener('error', function () { say('Upload failed: no answer from the server', true); });
    xhr.send(data);
  });
})();
