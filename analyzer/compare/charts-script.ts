/**
 * The browser-side script of the comparison's HTML page, kept as a string so the built CLI (dist/) carries it
 * without a copy step. It must contain no backtick and no dollar-brace but the one that splices in the helpers both chart
 * scripts share (it is a String.raw template).
 */
import { CHART_HELPERS } from '../report/html/chart-helpers.js';

export const COMPARE_CHARTS_SCRIPT = String.raw`
// Draws the comparison's overlays with uPlot from the JSON in #logjam-data: base dashed, run solid. Offline.
// Every chart that draws adds itself to document.body.dataset.chartsDrawn, so a headless browser can check it.
(function () {
  'use strict';
${CHART_HELPERS}
  var c = { base: '#6b7280', run: '#2563eb', red: '#dc2626', blue: '#2563eb', gray: '#9ca3af', amber: '#d97706' };
  var expected = 0;
  var dash = [6, 4];

  // 1. latency percentiles over time, aligned at each run's start
  var l = data.latency;
  if (l.t.length > 0) {
    expected++;
    chart('chart-latency', {
      scales: { x: { time: false } },
      series: [
        { label: 's since start' },
        { label: 'base p50', stroke: c.base, dash: dash, spanGaps: true },
        { label: 'base p95', stroke: c.amber, dash: dash, spanGaps: true },
        { label: 'base p99', stroke: c.red, dash: dash, spanGaps: true },
        { label: 'run p50', stroke: c.base, width: 2, spanGaps: true },
        { label: 'run p95', stroke: c.amber, width: 2, spanGaps: true },
        { label: 'run p99', stroke: c.red, width: 2, spanGaps: true },
      ],
      axes: [{ label: 'seconds since the run started' }, { label: 'ms' }],
    }, [l.t, l.baseP50, l.baseP95, l.baseP99, l.runP50, l.runP95, l.runP99]);
  } else {
    empty('chart-latency', 'No time bins in either run.');
  }

  // 2. throughput against concurrency: both runs' bins and both USL fits
  var s = data.saturation;
  if (s.x.length > 0) {
    expected++;
    var pts = function (color) { return { show: true, size: 7, fill: color }; };
    chart('chart-usl', {
      scales: { x: { time: false } },
      series: [
        { label: 'in flight' },
        { label: 'base bins', stroke: c.base, paths: function () { return null; }, points: pts(c.base) },
        { label: 'run bins', stroke: c.run, paths: function () { return null; }, points: pts(c.run) },
        { label: 'base USL', stroke: c.base, dash: dash, width: 2, spanGaps: true, points: { show: false } },
        { label: 'run USL', stroke: c.run, width: 2, spanGaps: true, points: { show: false } },
      ],
      axes: [{ label: 'requests in flight (N)' }, { label: 'req/s' }],
    }, [s.x, s.base, s.run, s.baseUsl, s.runUsl]);
  } else {
    empty('chart-usl', 'No capacity section, or no usable time bins.');
  }

  // 3. where the time goes per route, base and run side by side (stacked: pool wait, DB, rest)
  var r = data.routes;
  if (r.labels.length > 0) {
    expected++;
    var idx = r.labels.map(function (_, i) { return i; });
    var total = r.rest.map(function (v, i) { return v + r.db[i] + r.pool[i]; });
    var dbPool = r.db.map(function (v, i) { return v + r.pool[i]; });
    var bars = uPlot.paths.bars({ size: [0.7, 60] });
    chart('chart-routes', {
      height: 320,
      scales: { x: { time: false, range: [-0.5, idx.length - 0.5] }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      series: [
        { label: 'route', value: function (u, v) { return v == null ? '' : r.labels[v]; } },
        { label: 'rest (app, queueing)', fill: c.gray, stroke: c.gray, paths: bars, points: { show: false } },
        { label: 'DB query', fill: c.blue, stroke: c.blue, paths: bars, points: { show: false } },
        { label: 'pool wait', fill: c.red, stroke: c.red, paths: bars, points: { show: false } },
      ],
      axes: [
        { splits: function () { return idx; }, values: function (u, splits) { return splits.map(function (i) { return r.short[i] || ''; }); }, size: 60 },
        { label: 'mean ms per request' },
      ],
    }, [idx, total, dbPool, r.pool]);
  } else {
    empty('chart-routes', 'No route in both runs.');
  }
  body.dataset.chartsExpected = String(expected);
})();
`;
