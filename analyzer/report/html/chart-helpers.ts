/**
 * The helpers both browser chart scripts (the report's, html/charts-script.ts, and the comparison's,
 * compare/charts-script.ts) open with: the page's data, chart drawing with uPlot, and the marks a headless browser
 * checks (document.body.dataset.chartsDrawn, data-chart-ready on each chart, chartError). Spliced into each script's
 * function body, so it must contain no backtick and no dollar-brace (it is a String.raw template).
 */
export const CHART_HELPERS = String.raw`
  var data = JSON.parse(document.getElementById('logjam-data').textContent);
  var drawn = {};
  var body = document.body;
  window.addEventListener('error', function (e) { body.dataset.chartError = String(e.message || e); });
  function markDrawn(id) {
    if (drawn[id]) return;
    drawn[id] = true;
    var el = document.getElementById(id);
    if (el) el.setAttribute('data-chart-ready', '1');
    body.dataset.chartsDrawn = String(Object.keys(drawn).length);
  }
  function empty(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  function chart(id, opts, series) {
    var el = document.getElementById(id);
    if (!el) return;
    opts.width = Math.max(320, Math.min(1100, el.clientWidth || 800));
    opts.height = opts.height || 260;
    opts.hooks = { draw: [function () { markDrawn(id); }] };
    new uPlot(opts, series, el);
  }
`;
