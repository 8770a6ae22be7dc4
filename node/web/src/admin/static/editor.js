// The article editor (admin/articles.rs): a Markdown toolbar, autosave every 30 s while
// something changed (PATCH /api/admin/articles/{id} with the session's CSRF token), a
// warning before leaving with unsaved changes, and uploads with progress. The page works
// without this script: every action is a plain form.
(function () {
  'use strict';
  var form = document.getElementById('editor');
  if (!form || form.getAttribute('data-readonly')) { return; }
  var body = document.getElementById('body');
  var statusLine = document.getElementById('autosave-status');
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var articleId = form.getAttribute('data-article');
  var FIELDS = ['title', 'subtitle', 'body', 'summary', 'author', 'issuing_body', 'doc_number',
    'theme', 'doc_type', 'date', 'valid_from', 'valid_to', 'tags'];

  function values() {
    var out = {};
    FIELDS.forEach(function (name) {
      var el = form.elements[name];
      out[name] = el ? el.value : '';
    });
    return out;
  }
  var saved = values();
  var leaving = false;

  function changedFields() {
    var now = values();
    var patch = {};
    var any = false;
    FIELDS.forEach(function (name) {
      if (now[name] !== saved[name]) {
        any = true;
        patch[name] = name === 'tags'
          ? now.tags.split(/[、,，;；\n]/).map(function (t) { return t.trim(); }).filter(Boolean)
          : now[name];
      }
    });
    return any ? { patch: patch, values: now } : null;
  }

  function say(text) { if (statusLine) { statusLine.textContent = text; } }

  function clock() {
    var d = new Date();
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
  }

  // Autosave: only an existing article, only what changed since the last save.
  var saving = false;
  function autosave() {
    if (!articleId || saving || leaving) { return; }
    var c = changedFields();
    if (!c || !c.values.title.trim()) { return; }
    saving = true;
    fetch('/api/admin/articles/' + articleId, {
      method: 'PATCH',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(c.patch)
    }).then(function (r) {
      if (r.ok) {
        saved = c.values;
        say('已自动保存草稿（' + clock() + '）');
      } else if (r.status === 409) {
        say('这篇信息的状态已变化，不能自动保存；请复制您的修改后刷新页面');
      } else {
        say('自动保存失败，请点击“保存草稿”手动保存');
      }
    }).catch(function () {
      say('自动保存失败（网络问题），请点击“保存草稿”手动保存');
    }).then(function () { saving = false; });
  }
  setInterval(autosave, 30000);

  window.addEventListener('beforeunload', function (e) {
    if (!leaving && changedFields()) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  form.addEventListener('submit', function (e) {
    var by = e.submitter;
    if (!by || by.value !== 'preview') { leaving = true; }
  });

  // The toolbar: each button inserts Markdown at the cursor or around the selection.
  function replaceSelection(make) {
    var start = body.selectionStart, end = body.selectionEnd;
    var selected = body.value.slice(start, end);
    var r = make(selected);
    body.setRangeText(r.text, start, end, 'end');
    if (r.select) {
      body.setSelectionRange(start + r.select[0], start + r.select[1]);
    }
    body.focus();
    body.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function lineStart() {
    var s = body.selectionStart;
    return s === 0 || body.value.charAt(s - 1) === '\n' ? '' : '\n';
  }
  function wrap(mark, placeholder) {
    return function () {
      replaceSelection(function (sel) {
        var t = sel || placeholder;
        return { text: mark + t + mark, select: [mark.length, mark.length + t.length] };
      });
    };
  }
  function prefixLines(prefix, placeholder) {
    return function () {
      var lead = lineStart();
      replaceSelection(function (sel) {
        var lines = (sel || placeholder).split('\n');
        var text = lines.map(function (l, i) {
          return (typeof prefix === 'function' ? prefix(i) : prefix) + l;
        }).join('\n');
        return { text: lead + text + '\n' };
      });
    };
  }
  var imageInput = document.getElementById('image-file');
  // A picture chosen from the toolbar's 图片 is uploaded (and inserted) at once.
  var pickedFromToolbar = false;
  if (imageInput) {
    imageInput.addEventListener('change', function () {
      if (pickedFromToolbar && imageInput.files.length && imageInput.form.requestSubmit) {
        imageInput.form.requestSubmit();
      }
      pickedFromToolbar = false;
    });
  }
  var tools = [
    ['标题', prefixLines('## ', '小标题')],
    ['加粗', wrap('**', '加粗文字')],
    ['倾斜', wrap('*', '倾斜文字')],
    ['列表', prefixLines('- ', '列表项')],
    ['编号列表', prefixLines(function (i) { return (i + 1) + '. '; }, '第一项')],
    ['表格', function () {
      var lead = lineStart();
      replaceSelection(function () {
        return { text: lead + '\n| 列一 | 列二 |\n| --- | --- |\n| 内容 | 内容 |\n\n' };
      });
    }],
    ['链接', function () {
      replaceSelection(function (sel) {
        var t = sel || '链接文字';
        return { text: '[' + t + '](https://)', select: [t.length + 3, t.length + 11] };
      });
    }],
    ['图片', function () {
      if (imageInput) { pickedFromToolbar = true; imageInput.focus(); imageInput.click(); return; }
      replaceSelection(function (sel) {
        var t = sel || '图片说明';
        return { text: '![' + t + '](图片地址)' };
      });
    }]
  ];
  if (body) {
    var bar = document.createElement('div');
    bar.className = 'md-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', '正文格式');
    bar.setAttribute('aria-controls', 'body');
    tools.forEach(function (t) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = t[0];
      b.addEventListener('click', t[1]);
      bar.appendChild(b);
    });
    body.parentNode.insertBefore(bar, body);
  }

  // Uploads with progress: the same forms, sent by XMLHttpRequest asking for JSON.
  Array.prototype.forEach.call(document.querySelectorAll('form.upload'), function (up) {
    var progress = up.querySelector('.upload-progress');
    up.addEventListener('submit', function (e) {
      e.preventDefault();
      var data = new FormData(up);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', up.getAttribute('action'));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.addEventListener('progress', function (ev) {
        if (ev.lengthComputable && progress) {
          progress.textContent = '正在上传：' + Math.round(ev.loaded * 100 / ev.total) + '%';
        }
      });
      xhr.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
        if (xhr.status !== 201) {
          if (progress) { progress.textContent = '上传失败：' + (answer.error || '请稍后重试'); }
          return;
        }
        up.reset();
        if (answer.kind === 'image' && body) {
          var lead = lineStart();
          body.setRangeText(lead + answer.markdown + '\n', body.selectionStart, body.selectionEnd, 'end');
          body.dispatchEvent(new Event('input', { bubbles: true }));
          if (progress) { progress.textContent = '已上传图片“' + answer.name + '”（' + answer.size + '），已插入正文光标处；请保存草稿'; }
        } else {
          var list = document.getElementById('attachment-list');
          if (list) {
            var row = list.tBodies[0].insertRow(-1);
            var a = document.createElement('a');
            a.href = answer.url;
            a.textContent = answer.name;
            row.insertCell(-1).appendChild(a);
            row.insertCell(-1).textContent = answer.size;
            row.insertCell(-1).textContent = '刷新页面后可移除';
          }
          if (progress) { progress.textContent = '已上传附件“' + answer.name + '”（' + answer.size + '），已随稿件保存'; }
        }
      });
      xhr.addEventListener('error', function () {
        if (progress) { progress.textContent = '上传失败（网络问题），请重试'; }
      });
      xhr.send(data);
    });
  });
}());
