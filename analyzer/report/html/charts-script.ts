/**
 * The browser-side script of the HTML report, kept as a string so the built CLI (dist/) carries it without a
 * copy step. It must contain no backtick and no dollar-brace but the one that splices in the helpers both chart
 * scripts share (it is a String.raw template).
 */
import { CHART_HELPERS } from './chart-helpers.js';

export const CHARTS_SCRIPT = String.raw`
// Draws the report's charts with uPlot from the JSON in #logjam-data. Runs in the browser, offline.
// Every chart that draws adds itself to document.body.dataset.chartsDrawn, so a headless browser can check it.
(function () {
  'use strict';
${CHART_HELPERS}
  var colors = { blue: '#2563eb', red: '#dc2626', amber: '#d97706', green: '#059669', gray: '#6b7280', purple: '#7c3aed' };
  var expected = 0;

  // 1. requests/s and errors/s over time
  var t = data.timeline;
  if (t.time.length > 0) {
    expected++;
    chart('chart-rate', {
      series: [
        {},
        { label: 'requests/s', stroke: colors.blue, width: 2 },
        { label: '5xx/s', stroke: colors.red, width: 2 },
        { label: '4xx/s', stroke: colors.amber, width: 1 },
        { label: 'aborts/s', stroke: colors.purple, width: 1 },
      ],
      axes: [{}, { label: 'per second' }],
    }, [t.time, t.rps, t.e5xx, t.e4xx, t.aborts]);

    // 2. latency percentiles over time
    expected++;
    chart('chart-latency', {
      series: [
        {},
        { label: 'p50 ms', stroke: colors.green, width: 2 },
        { label: 'p95 ms', stroke: colors.amber, width: 2 },
        { label: 'p99 ms', stroke: colors.red, width: 2 },
      ],
      axes: [{}, { label: 'ms' }],
    }, [t.time, t.p50, t.p95, t.p99]);
  } else {
    empty('chart-rate', 'No time bins in this run.');
    empty('chart-latency', 'No time bins in this run.');
  }

  // 3. throughput against concurrency, measured points and the USL curve
  var s = data.saturation;
  if (s.x.length > 0) {
    expected++;
    chart('chart-usl', {
      scales: { x: { time: false } },
      series: [
        { label: 'in flight' },
        { label: 'measured req/s', stroke: colors.blue, fill: colors.blue, paths: function () { return null; }, points: { show: true, size: 7, fill: colors.blue } },
        { label: 'USL fit req/s', stroke: colors.red, width: 2, spanGaps: true, points: { show: false } },
      ],
      axes: [{ label: 'requests in flight (N)' }, { label: 'req/s' }],
    }, [s.x, s.measured, s.usl]);
  } else {
    empty('chart-usl', 'Not enough data: no usable time bins (or no capacity section in this report).');
  }

  // 4. where the time goes per route: stacked bars (pool wait, DB, rest), drawn tallest first so each overlays
  var r = data.routes;
  if (r.labels.length > 0) {
    expected++;
    var idx = r.labels.map(function (_, i) { return i; });
    var total = r.rest.map(function (v, i) { return v + r.db[i] + r.pool[i]; });
    var dbPool = r.db.map(function (v, i) { return v + r.pool[i]; });
    var bars = uPlot.paths.bars({ size: [0.6, 80] });
    var segment = [null, r.rest, r.db, r.pool];
    function seg(si) {
      return function (u, v, _si, i) { return i == null ? '' : segment[si][i].toFixed(1) + ' ms'; };
    }
    chart('chart-routes', {
      height: 300,
      scales: { x: { time: false, range: [-0.5, idx.length - 0.5] }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      series: [
        { label: 'route', value: function (u, v) { return v == null ? '' : r.labels[v]; } },
        { label: 'rest (app, queueing)', fill: colors.gray, stroke: colors.gray, paths: bars, points: { show: false }, value: seg(1) },
        { label: 'DB query', fill: colors.blue, stroke: colors.blue, paths: bars, points: { show: false }, value: seg(2) },
        { label: 'pool wait', fill: colors.red, stroke: colors.red, paths: bars, points: { show: false }, value: seg(3) },
      ],
      axes: [
        { splits: function () { return idx; }, values: function (u, splits) { return splits.map(function (i) { return r.short[i] || ''; }); }, rotate: 0, size: 50 },
        { label: 'mean ms per request' },
      ],
    }, [idx, total, dbPool, r.pool]);
  } else {
    empty('chart-routes', 'No routes in this run.');
  }
  // 5. client duration against server duration over time (only with --client-log)
  var cs = data.clientServer;
  if (cs && cs.time.length > 0) {
    expected++;
    chart('chart-client-server', {
      series: [
        {},
        { label: 'client p95 ms', stroke: colors.red, width: 2, spanGaps: false },
        { label: 'server p95 ms', stroke: colors.blue, width: 2, spanGaps: false },
        { label: 'client p50 ms', stroke: colors.amber, width: 1, dash: [4, 4] },
        { label: 'server p50 ms', stroke: colors.green, width: 1, dash: [4, 4] },
        { label: 'outside app p95 ms', stroke: colors.purple, width: 1 },
        { label: 'late completions', stroke: colors.gray, width: 1, scale: 'n' },
        { label: 'never logged', stroke: colors.gray, width: 1, dash: [2, 2], scale: 'n' },
      ],
      axes: [{}, { label: 'ms' }, { scale: 'n', side: 1, label: 'requests', grid: { show: false } }],
    }, [cs.time, cs.clientP95, cs.serverP95, cs.clientP50, cs.serverP50, cs.outsideP95, cs.late, cs.never]);
  } else if (cs) {
    empty('chart-client-server', 'No joined requests to compare.');
  }
  body.dataset.chartsExpected = String(expected);
})();
`;
