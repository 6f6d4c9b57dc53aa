/**
 * Owns the inspector page: one self-contained HTML document (styles and script inline; no CDN, no
 * build step, works offline), served with a Content-Security-Policy that allows exactly its own
 * script and style (by hash) and connections to its own origin. Every value that comes from a
 * callback is put on the page with `textContent` / `append(string)`, never as HTML: chat text is
 * attacker-controlled. The script is plain ES2017 with no template literals, so it can live in
 * this file as a string.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root{--bg:#f6f8fa;--panel:#fff;--line:#d0d7de;--text:#1f2328;--muted:#59636e;--accent:#0969da;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--sel:#ddf4ff;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text)}
header{display:flex;align-items:center;gap:16px;padding:10px 20px;background:#24292f;color:#fff}
header h1{font-size:16px;margin:0;font-weight:600}header h1 span{color:#8c959f;font-weight:400}
#live{display:flex;align-items:center;gap:6px;font-size:12px;color:#d0d7de}#live i{width:8px;height:8px;border-radius:50%;background:#8c959f;display:inline-block}
#live.on i{background:#3fb950;box-shadow:0 0 0 3px rgba(63,185,80,.25)}#count{margin-left:auto;font-size:12px;color:#d0d7de}
.bar{display:flex;gap:10px;align-items:center;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--panel);flex-wrap:wrap}
.bar label{font-size:12px;color:var(--muted);display:flex;gap:6px;align-items:center}
select,button{font:inherit;font-size:13px;border:1px solid var(--line);border-radius:6px;background:#f6f8fa;padding:4px 10px;color:var(--text)}
button{cursor:pointer}button:hover{background:#eef1f4}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.primary:hover{background:#0860ca}
button:disabled{opacity:.5;cursor:default}
main{display:grid;grid-template-columns:minmax(420px,1fr) minmax(420px,1.1fr);gap:16px;padding:16px 20px}
section{background:var(--panel);border:1px solid var(--line);border-radius:8px;overflow:hidden;min-width:0}
section>h2{font-size:13px;margin:0;padding:10px 14px;border-bottom:1px solid var(--line);background:#f6f8fa;display:flex;gap:8px;align-items:center}
table{width:100%;border-collapse:collapse;font-size:13px}th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;padding:6px 10px;border-bottom:1px solid var(--line)}
td{padding:6px 10px;border-bottom:1px solid #eaeef2;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:260px}
tbody tr{cursor:pointer}tbody tr:hover{background:#f6f8fa}tbody tr.sel{background:var(--sel)}tbody tr.new{animation:flash 1.2s}
@keyframes flash{from{background:#fff8c5}to{background:transparent}}
.mono,td.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.pill{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid transparent}
.s2{color:var(--ok);background:#dafbe1}.s4{color:var(--warn);background:#fff8c5}.s5{color:var(--bad);background:#ffebe9}
.code{color:var(--bad);font-weight:600}.muted{color:var(--muted)}.tag{font-size:11px;color:var(--accent);margin-left:6px}
#scroll{max-height:calc(100vh - 170px);overflow:auto}#empty{padding:30px;text-align:center;color:var(--muted)}
#detail{padding:14px;overflow:auto;max-height:calc(100vh - 130px)}#detail h3{font-size:13px;margin:16px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
#detail .title{display:flex;gap:10px;align-items:center;flex-wrap:wrap}#detail .title b{font-size:15px}
dl{display:grid;grid-template-columns:130px 1fr;gap:2px 12px;margin:10px 0;font-size:13px}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:10px;margin:0;overflow:auto;max-height:420px;white-space:pre-wrap;overflow-wrap:anywhere}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0 8px}[hidden]{display:none!important}.err{color:var(--bad)}ul{margin:4px 0;padding-left:18px}
#toast{position:fixed;bottom:18px;right:18px;background:#24292f;color:#fff;padding:8px 14px;border-radius:6px;font-size:13px;opacity:0;transition:opacity .2s}#toast.on{opacity:1}
#failed{margin:0 20px 20px}#failed td{white-space:normal}
`;

const SCRIPT = `
(function () {
  'use strict';
  var rows = [], byId = new Map(), selected = null, failedSources = [];
  var $ = function (id) { return document.getElementById(id); };
  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null) return;
      if (key === 'class') el.className = value;
      else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      (Array.isArray(child) ? child : [child]).forEach(function (item) {
        if (item !== undefined && item !== null && item !== false) el.append(typeof item === 'object' ? item : String(item));
      });
    }
    return el;
  }
  function api(path, init) {
    return fetch(path, init).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + response.status);
        return body;
      });
    });
  }
  function toast(text) {
    var el = $('toast'); el.textContent = text; el.className = 'on';
    clearTimeout(toast.timer); toast.timer = setTimeout(function () { el.className = ''; }, 2200);
  }
  function pill(status) {
    if (status === undefined) return h('span', { class: 'muted' }, '-');
    return h('span', { class: 'pill s' + String(status).charAt(0) }, status);
  }
  function time(iso) {
    var d = new Date(iso), pad = function (n, w) { return String(n).padStart(w || 2, '0'); };
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }
  function outcome(row) {
    if (row.code) return h('span', { class: 'code' }, row.code);
    return h('span', null, row.decision || (row.kind === 'after' ? 'ack' : row.kind || ''));
  }
  function matches(row) {
    var command = $('filter-command').value, status = $('filter-status').value, error = $('filter-error').value;
    if (command && row.command !== command) return false;
    if (status && String(row.status).charAt(0) !== status) return false;
    if (error === 'any' && !row.code) return false;
    if (error === 'none' && row.code) return false;
    if (error && error !== 'any' && error !== 'none' && row.code !== error) return false;
    return true;
  }
  function renderRow(row, fresh) {
    var tr = h('tr', { 'data-id': row.id, class: (row.id === selected ? 'sel' : '') + (fresh ? ' new' : ''), onclick: function () { select(row.id); } },
      h('td', { class: 'mono' }, time(row.time)),
      h('td', { title: row.command || '' }, row.command || h('span', { class: 'muted' }, '(none)'),
        row.replayOf ? h('span', { class: 'tag' }, 'replay of #' + row.replayOf) : row.dispatched ? h('span', { class: 'tag' }, 'dispatch') : null),
      h('td', null, pill(row.status)),
      h('td', null, outcome(row)),
      h('td', { class: 'mono' }, row.ms));
    return tr;
  }
  function options(select, values, first) {
    var current = select.value;
    select.replaceChildren.apply(select, first.concat(values.map(function (value) { return h('option', { value: value }, value); })));
    select.value = current;
  }
  function renderFilters() {
    var commands = [], codes = [];
    rows.forEach(function (row) {
      if (row.command && commands.indexOf(row.command) < 0) commands.push(row.command);
      if (row.code && codes.indexOf(row.code) < 0) codes.push(row.code);
    });
    options($('filter-command'), commands.sort(), [h('option', { value: '' }, 'all commands')]);
    options($('filter-error'), codes.sort(), [h('option', { value: '' }, 'any outcome'), h('option', { value: 'any' }, 'errors only'), h('option', { value: 'none' }, 'no error')]);
  }
  function render(freshId) {
    var shown = rows.filter(matches);
    $('rows').replaceChildren.apply($('rows'), shown.map(function (row) { return renderRow(row, row.id === freshId); }));
    $('empty').hidden = shown.length > 0;
    $('empty').textContent = rows.length ? 'No callback matches the filters.' : 'No callback yet. Send one (im-callbacks-send) and it appears here.';
    $('count').textContent = shown.length + ' of ' + rows.length + ' callbacks';
  }
  function add(row) {
    if (byId.has(row.id)) return;
    byId.set(row.id, row); rows.unshift(row);
    if (rows.length > 1000) byId.delete(rows.pop().id);
    renderFilters(); render(row.id);
  }
  function pretty(text) {
    if (text === undefined) return '';
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function block(title, content) { return [h('h3', null, title), content]; }
  function select(id) {
    selected = id; render();
    api('api/callbacks/' + id).then(showDetail, function (error) {
      $('detail').replaceChildren(h('p', { class: 'err' }, error.message));
    });
  }
  function download(name, text) {
    var url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    var a = h('a', { href: url, download: name }); document.body.append(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function showDetail(d) {
    var parts = [h('div', { class: 'title' }, h('b', null, d.command || '(no command)'), pill(d.status), outcome(d),
      d.replayOf ? h('span', { class: 'tag' }, 'replay of #' + d.replayOf) : null)];
    var meta = h('dl', null);
    [['Record', '#' + d.id], ['Received', new Date(d.time).toLocaleString()], ['Request ID', d.requestId], ['SDKAppID', d.sdkAppId],
      ['Kind', d.kind], ['Decision', d.decision], ['Error code', d.code], ['Answered in', d.ms + ' ms']].forEach(function (pair) {
      if (pair[1] === undefined || pair[1] === null) return;
      meta.append(h('dt', null, pair[0]), h('dd', null, pair[1]));
    });
    parts.push(meta);
    if (d.error) parts.push(h('p', { class: 'err', id: 'detail-error' }, d.error));
    if (d.issues && d.issues.length) parts = parts.concat(block('Schema issues', h('ul', { id: 'detail-issues' },
      d.issues.map(function (issue) { return h('li', null, h('span', { class: 'mono' }, issue.path || '(root)'), ': ' + issue.message); }))));
    if (d.unknownFields && d.unknownFields.length) parts = parts.concat(block('Fields the catalogue does not know', h('ul', { id: 'detail-unknown' },
      d.unknownFields.map(function (path) { return h('li', { class: 'mono' }, path); }))));
    var actions = h('div', { class: 'actions' });
    if (d.curl) actions.append(h('button', { id: 'copy-curl', onclick: function () {
      var done = function () { toast('curl copied (set TOKEN and URL)'); };
      $('output').textContent = d.curl; $('output').hidden = false;
      if (navigator.clipboard) navigator.clipboard.writeText(d.curl).then(done, function () {});
    } }, 'Copy as curl'));
    if (d.fixture) actions.append(h('button', { id: 'save-fixture', onclick: function () {
      download((d.command || 'callback') + '-' + d.id + '.json', JSON.stringify(d.fixture, null, 2) + '\\n');
    } }, 'Save as test fixture'));
    if (d.fixture) actions.append(h('button', { id: 'replay', class: 'primary', disabled: d.replayable ? null : 'disabled',
      title: d.replayable ? 'Run this body through this receiver\\'s handlers again' : 'No receiver given to createInspector({ receiver })',
      onclick: function (event) {
        event.target.disabled = true;
        api('api/callbacks/' + d.id + '/replay', { method: 'POST', headers: { 'x-im-inspector': '1' } }).then(function (result) {
          toast('Replayed: ' + result.status + ' ' + result.answer);
        }, function (error) { toast('Replay failed: ' + error.message); }).then(function () { event.target.disabled = false; });
      } }, 'Replay into this receiver'));
    parts.push(actions, h('pre', { id: 'output', class: 'mono', hidden: 'hidden' }));
    if (d.query) {
      var q = h('dl', { id: 'detail-query' });
      Object.keys(d.query).forEach(function (name) { q.append(h('dt', { class: 'mono' }, name), h('dd', { class: 'mono' }, d.query[name])); });
      parts = parts.concat(block('Query', q));
    }
    parts = parts.concat(block('Body', h('pre', { id: 'detail-body' }, d.body === undefined ? '(not read)' : pretty(d.body))));
    parts = parts.concat(block('Answer', h('pre', { id: 'detail-answer' }, pretty(d.answer))));
    $('detail').replaceChildren.apply($('detail'), parts);
    $('detail').setAttribute('data-id', d.id);
  }
  function renderFailed() {
    var box = $('failed');
    var any = failedSources.length > 0;
    box.hidden = !any;
    if (!any) return;
    var body = h('tbody', null);
    failedSources.forEach(function (source) {
      if (source.error) body.append(h('tr', null, h('td', { colspan: 5, class: 'err' }, source.name + ': ' + source.error)));
      source.jobs.forEach(function (job) {
        body.append(h('tr', { 'data-job': job.id },
          h('td', { class: 'mono' }, job.failedAt ? time(job.failedAt) : ''),
          h('td', null, job.command || '', h('div', { class: 'muted mono' }, source.name + ' #' + job.id)),
          h('td', { class: 'err' }, job.error || ''),
          h('td', null, job.attempts === undefined ? '' : job.attempts + ' attempts'),
          h('td', null, h('button', { onclick: function (event) {
            event.target.disabled = true;
            api('api/failed/' + source.index + '/' + encodeURIComponent(job.id) + '/retry', { method: 'POST', headers: { 'x-im-inspector': '1' } })
              .then(function () { toast('Job ' + job.id + ' is back in the queue'); loadFailed(); }, function (error) { toast('Retry failed: ' + error.message); event.target.disabled = false; });
          } }, 'Retry job'))));
        if (job.body) body.append(h('tr', null, h('td', { colspan: 5 }, h('details', null, h('summary', null, 'body'), h('pre', null, pretty(job.body))))));
      });
      if (!source.jobs.length && !source.error) body.append(h('tr', null, h('td', { colspan: 5, class: 'muted' }, source.name + ': no failed job')));
    });
    box.querySelector('table').replaceChildren(h('thead', null, h('tr', null, h('th', null, 'Failed'), h('th', null, 'Command'), h('th', null, 'Error'), h('th', null, 'Attempts'), h('th', null, ''))), body);
  }
  function loadFailed() { api('api/failed').then(function (list) { failedSources = list; renderFailed(); }, function () {}); }
  ['filter-command', 'filter-status', 'filter-error'].forEach(function (id) { $(id).addEventListener('change', function () { render(); }); });
  $('refresh-failed').addEventListener('click', loadFailed);
  api('api/callbacks').then(function (list) { list.forEach(function (row) { byId.set(row.id, row); rows.unshift(row); }); renderFilters(); render(); });
  loadFailed(); setInterval(loadFailed, 15000);
  var source = new EventSource('api/stream');
  source.addEventListener('callback', function (event) { add(JSON.parse(event.data)); });
  source.onopen = function () { $('live').className = 'on'; $('live-text').textContent = 'live'; };
  source.onerror = function () { $('live').className = ''; $('live-text').textContent = 'reconnecting'; };
})();
`;

const BODY = `<header><h1>im-callbacks <span>inspector</span></h1><div id="live"><i></i><span id="live-text">connecting</span></div><div id="count"></div></header>
<div class="bar"><label>Command <select id="filter-command"><option value="">all commands</option></select></label>
<label>Status <select id="filter-status"><option value="">any status</option><option value="2">2xx</option><option value="4">4xx</option><option value="5">5xx</option></select></label>
<label>Error <select id="filter-error"><option value="">any outcome</option><option value="any">errors only</option><option value="none">no error</option></select></label></div>
<main><section><h2>Callbacks</h2><div id="scroll"><table><thead><tr><th>Time</th><th>Command</th><th>Status</th><th>Decision / error</th><th>ms</th></tr></thead><tbody id="rows"></tbody></table><div id="empty">Loading…</div></div></section>
<section><h2>Detail</h2><div id="detail"><p class="muted">Select a callback to see its query, body and answer.</p></div></section></main>
<section id="failed" hidden><h2>Failed jobs <button id="refresh-failed">Refresh</button></h2><table></table></section>
<div id="toast"></div>`;

/** The page, as served. */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>im-callbacks inspector</title><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

/** The page's size in bytes (no other request loads anything). */
export const PAGE_BYTES = Buffer.byteLength(PAGE);

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only its own inline script and style run; it connects only to its own origin. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});
