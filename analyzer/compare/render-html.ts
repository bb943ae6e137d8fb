/**
 * The comparison as one self-contained HTML page, built like `analyze`'s (report/html.ts: uPlot inlined, a CSP that
 * forbids any request, every log-derived string HTML-escaped, the chart data as escaped JSON): the two runs overlaid
 * — latency percentiles over time aligned at each run's start, throughput against concurrency with both USL fits,
 * the per-route time breakdown side by side — then the text of the comparison.
 */
import { uslThroughput } from '../capacity/usl.js';
import { chartSection, escapeHtml, inlineSafe, jsonForScript, loadUplot, pageHead } from '../report/html.js';
import { COMPARE_CHARTS_SCRIPT } from './charts-script.js';
import { renderComparisonText } from './render-text.js';
import type { CapacitySide, RunComparison, TimelinePoint } from './types.js';

const MAX_ROUTES_CHARTED = 8;

/** Two series on one x axis (uPlot's data model): the union of x values, null where a series has no sample. */
function union<T>(a: { x: number; v: T }[], b: { x: number; v: T }[]): { x: number[]; a: (T | null)[]; b: (T | null)[] } {
  const xs = [...new Set([...a.map((p) => p.x), ...b.map((p) => p.x)])].sort((p, q) => p - q);
  const am = new Map(a.map((p) => [p.x, p.v]));
  const bm = new Map(b.map((p) => [p.x, p.v]));
  return { x: xs, a: xs.map((x) => am.get(x) ?? null), b: xs.map((x) => bm.get(x) ?? null) };
}

function latencyData(base: TimelinePoint[], run: TimelinePoint[]) {
  const u = union(base.map((p) => ({ x: p.t, v: p })), run.map((p) => ({ x: p.t, v: p })));
  const pick = (side: (TimelinePoint | null)[], k: 'p50' | 'p95' | 'p99') => side.map((p) => p?.[k] ?? null);
  return { t: u.x, baseP50: pick(u.a, 'p50'), baseP95: pick(u.a, 'p95'), baseP99: pick(u.a, 'p99'), runP50: pick(u.b, 'p50'), runP95: pick(u.b, 'p95'), runP99: pick(u.b, 'p99') };
}

function uslCurve(side: CapacitySide, maxN: number): { x: number; v: number }[] {
  const u = side.usl;
  if (!u?.drawn || maxN <= 0) return [];
  const steps = 50;
  return Array.from({ length: steps }, (_, i) => {
    const n = (maxN * 1.1 * (i + 1)) / steps;
    return { x: n, v: uslThroughput(n, u) };
  });
}

function saturationData(cmp: RunComparison) {
  const c = cmp.capacity;
  if (!c) return { x: [], base: [], run: [], baseUsl: [], runUsl: [] };
  const maxN = Math.max(0, ...c.base.points.map((p) => p.concurrency), ...c.run.points.map((p) => p.concurrency));
  type Row = { x: number; base?: number; run?: number; baseUsl?: number; runUsl?: number };
  const rows: Row[] = [
    ...c.base.points.map((p) => ({ x: p.concurrency, base: p.throughput })),
    ...c.run.points.map((p) => ({ x: p.concurrency, run: p.throughput })),
    ...uslCurve(c.base, maxN).map((p) => ({ x: p.x, baseUsl: p.v })),
    ...uslCurve(c.run, maxN).map((p) => ({ x: p.x, runUsl: p.v })),
  ].sort((a, b) => a.x - b.x);
  const col = (k: keyof Omit<Row, 'x'>) => rows.map((r) => r[k] ?? null);
  return { x: rows.map((r) => r.x), base: col('base'), run: col('run'), baseUsl: col('baseUsl'), runUsl: col('runUsl') };
}

function routeData(cmp: RunComparison) {
  const top = [...cmp.routes].sort((a, b) => b.requests.run * b.latency.mean.run - a.requests.run * a.latency.mean.run).slice(0, MAX_ROUTES_CHARTED);
  const labels: string[] = [];
  const short: string[] = [];
  const pool: number[] = [];
  const db: number[] = [];
  const rest: number[] = [];
  for (const r of top) {
    const name = `${r.method} ${r.route}`;
    const cut = name.length > 22 ? `${name.slice(0, 21)}…` : name;
    for (const side of ['base', 'run'] as const) {
      const p = r.latency.breakdown[side];
      labels.push(`${name} (${side})`);
      short.push(`${cut} ${side}`);
      pool.push(p.poolWait);
      db.push(p.database);
      rest.push(p.rest);
    }
  }
  return { labels, short, pool, db, rest };
}

export function renderComparisonHtml(cmp: RunComparison, options: { title?: string } = {}): string {
  const title = options.title ?? `logjam compare — ${cmp.base.runId} vs ${cmp.run.runId}`;
  const { js, css } = loadUplot();
  const data = { latency: latencyData(cmp.base.timeline, cmp.run.timeline), saturation: saturationData(cmp), routes: routeData(cmp) };
  return `${pageHead(title, css)}
<p id="verdict"><strong>${escapeHtml(cmp.verdict)}</strong></p>
<ul>${cmp.summary.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<h2>Charts</h2>
<div class="grid">
${chartSection('chart-latency', 'Latency percentiles over time', 'each run aligned at its own start; base dashed, run solid')}
${chartSection('chart-usl', 'Throughput against concurrency', 'each point is one time bin; the lines are each run’s Universal Scalability Law fit (drawn when it fits)')}
${chartSection('chart-routes', 'Where the time goes, per route', 'mean per request, base and run side by side: pool wait, DB query time, the rest')}
</div>
<h2>The comparison</h2>
<pre>${escapeHtml(renderComparisonText(cmp, { markdown: false, queries: true }))}</pre>
<script type="application/json" id="logjam-data">${jsonForScript(data)}</script>
<script>${inlineSafe(js, 'script')}</script>
<script>${inlineSafe(COMPARE_CHARTS_SCRIPT, 'script')}</script>
</body>
</html>
`;
}
