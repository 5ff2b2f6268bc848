/**
 * The dashboard: one self-contained page (no external assets) served at `/` without a token. The
 * page itself reads everything through the token-protected API, with the token from `?token=`,
 * from this browser's storage, or typed in; so serving the page reveals nothing.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>polyaxon-tracking</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; }
  header button { background: #3b5bdb; color: #fff; border: 0; border-radius: 4px; padding: 5px 10px; cursor: pointer; }
  main { padding: 16px 20px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin-bottom: 16px; padding: 12px 16px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
  th { font-weight: 600; color: #5b6475; }
  tbody tr { cursor: pointer; }
  tbody tr:hover, tr.selected { background: #eef2ff; }
  .status { border-radius: 3px; padding: 1px 6px; font-size: 12px; background: #e9ecef; }
  .running { background: #d0ebff; } .succeeded { background: #d3f9d8; }
  .failed, .upstream_failed { background: #ffe3e3; } .stopped, .skipped { background: #fff3bf; }
  .charts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
  .chart { border: 1px solid #eef0f3; border-radius: 4px; padding: 6px; }
  .chart h3 { font-size: 13px; margin: 0 0 4px; }
  .muted { color: #8a93a3; }
  .error { color: #c92a2a; }
</style>
</head>
<body>
<header><h1>polyaxon-tracking</h1><span id="who" class="muted"></span><button id="refresh">Refresh</button></header>
<main id="main"><p class="muted">Loading…</p></main>
<script>
(function () {
  var TOKEN_KEY = 'polyaxon-tracking-token';
  var selected = null;
  var main = document.getElementById('main');

  function token() {
    var fromUrl = new URLSearchParams(location.search).get('token');
    if (fromUrl) {
      localStorage.setItem(TOKEN_KEY, fromUrl);
      // Out of the address bar (and so out of history and screenshots) once it is stored.
      history.replaceState(null, '', location.pathname);
      return fromUrl;
    }
    return localStorage.getItem(TOKEN_KEY) || '';
  }

  function api(path) {
    var url = path.indexOf('http') === 0 ? path : '/api/v1/' + path;
    return fetch(url, { headers: { Authorization: 'Token ' + token() } }).then(function (response) {
      if (response.status === 401) {
        var typed = prompt('API token (printed by "polyaxon-tracking serve"):');
        if (typed) { localStorage.setItem(TOKEN_KEY, typed.trim()); return api(path); }
      }
      if (!response.ok) throw new Error(response.status + ' ' + url);
      return response.json();
    });
  }

  function escapeHtml(value) {
    return String(value == null ? '' : value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : ''; }
  function number(value) { return typeof value === 'number' ? Number(value.toPrecision(5)) : ''; }

  function experimentTable(project, experiments) {
    var keys = [];
    experiments.forEach(function (e) { Object.keys(e.last_metric || {}).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
    var head = '<tr><th>id</th><th>name</th><th>status</th><th>created</th><th>finished</th><th>tags</th>' +
      keys.map(function (k) { return '<th>' + escapeHtml(k) + '</th>'; }).join('') + '</tr>';
    var rows = experiments.map(function (e) {
      var path = project.user + '/' + project.name + '/experiments/' + e.id;
      return '<tr data-path="' + escapeHtml(path) + '"' + (selected === path ? ' class="selected"' : '') + '>' +
        '<td>' + e.id + '</td><td>' + escapeHtml(e.name) + '</td>' +
        '<td><span class="status ' + escapeHtml(e.last_status) + '">' + escapeHtml(e.last_status) + '</span></td>' +
        '<td>' + when(e.created_at) + '</td><td>' + when(e.finished_at) + '</td>' +
        '<td>' + escapeHtml((e.tags || []).join(', ')) + '</td>' +
        keys.map(function (k) { return '<td>' + number((e.last_metric || {})[k]) + '</td>'; }).join('') + '</tr>';
    }).join('');
    return '<table><thead>' + head + '</thead><tbody>' + (rows || '<tr><td class="muted" colspan="6">No experiments yet.</td></tr>') + '</tbody></table>';
  }

  function chart(name, points) {
    var width = 360, height = 160, pad = 32;
    var xs = points.map(function (p) { return p[0]; }), ys = points.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) y1 = y0 + 1;
    var sx = function (x) { return pad + (x - x0) / (x1 - x0) * (width - pad - 8); };
    var sy = function (y) { return height - pad / 2 - (y - y0) / (y1 - y0) * (height - pad); };
    var line = points.map(function (p) { return sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1); }).join(' ');
    return '<div class="chart"><h3>' + escapeHtml(name) + ' <span class="muted">(' + points.length + ' points, last ' + number(ys[ys.length - 1]) + ')</span></h3>' +
      '<svg width="' + width + '" height="' + height + '" role="img" aria-label="' + escapeHtml(name) + '">' +
      '<line x1="' + pad + '" y1="' + (height - pad / 2) + '" x2="' + width + '" y2="' + (height - pad / 2) + '" stroke="#ccd"/>' +
      '<line x1="' + pad + '" y1="0" x2="' + pad + '" y2="' + (height - pad / 2) + '" stroke="#ccd"/>' +
      '<text x="2" y="12" font-size="10" fill="#8a93a3">' + number(y1) + '</text>' +
      '<text x="2" y="' + (height - pad / 2) + '" font-size="10" fill="#8a93a3">' + number(y0) + '</text>' +
      '<text x="' + pad + '" y="' + (height - 2) + '" font-size="10" fill="#8a93a3">' + number(x0) + '</text>' +
      '<text x="' + (width - 40) + '" y="' + (height - 2) + '" font-size="10" fill="#8a93a3">' + number(x1) + '</text>' +
      '<polyline fill="none" stroke="#3b5bdb" stroke-width="1.5" points="' + line + '"/></svg></div>';
  }

  function allMetrics(url, into) {
    return api(url).then(function (page) {
      into.push.apply(into, page.results);
      return page.next ? allMetrics(page.next, into) : into;
    });
  }

  function showCharts(path) {
    var box = document.getElementById('charts');
    box.innerHTML = '<p class="muted">Loading metrics of ' + escapeHtml(path) + '…</p>';
    allMetrics(path + '/metrics/?limit=1000', []).then(function (metrics) {
      var series = {};
      metrics.forEach(function (m, index) {
        var x = typeof m.values.step === 'number' ? m.values.step : index;
        Object.keys(m.values).forEach(function (k) { if (k !== 'step') (series[k] = series[k] || []).push([x, m.values[k]]); });
      });
      var names = Object.keys(series);
      box.innerHTML = '<h2>' + escapeHtml(path) + '</h2>' + (names.length
        ? '<div class="charts">' + names.map(function (k) { return chart(k, series[k]); }).join('') + '</div>'
        : '<p class="muted">No metrics.</p>');
    }).catch(function (error) { box.innerHTML = '<p class="error">' + escapeHtml(error.message) + '</p>'; });
  }

  function load() {
    api('users/').then(function (user) {
      document.getElementById('who').textContent = user.username;
      return api(user.username + '/?limit=100');
    }).then(function (projects) {
      return Promise.all(projects.results.map(function (project) {
        return api(project.user + '/' + project.name + '/experiments/?limit=100&sort=-id').then(function (page) {
          return '<section><h2>' + escapeHtml(project.unique_name) + ' <span class="muted">' + page.count + ' experiments</span></h2>' + experimentTable(project, page.results) + '</section>';
        });
      }));
    }).then(function (sections) {
      main.innerHTML = (sections.join('') || '<p class="muted">No projects yet.</p>') + '<section id="charts"><p class="muted">Select an experiment to chart its metrics.</p></section>';
      if (selected) showCharts(selected);
    }).catch(function (error) { main.innerHTML = '<p class="error">' + escapeHtml(error.message) + '</p>'; });
  }

  main.addEventListener('click', function (event) {
    var row = event.target.closest('tr[data-path]');
    if (!row) return;
    selected = row.getAttribute('data-path');
    document.querySelectorAll('tr.selected').forEach(function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    showCharts(selected);
  });
  document.getElementById('refresh').addEventListener('click', load);
  // Training runs change by the second; the visible page follows them.
  setInterval(function () { if (!document.hidden) load(); }, 10000);
  load();
})();
</script>
</body>
</html>
`;
