/**
 * One self-contained HTML file: the run's charts (uPlot, inlined), its findings and the capacity math. It opens
 * offline — no request leaves the page (a Content-Security-Policy forbids any) — so it can be mailed or attached
 * to a ticket. Everything that came from logs is HTML-escaped; the data travels as JSON in a
 * <script type="application/json"> block with "<", ">" and "&" written as \u escapes, so a route named
 * "</script><script>…" stays data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bottleneckLabel } from '../capacity/bottleneck.js';
import { describeFargate } from '../capacity/fargate.js';
import { num } from '../capacity/format.js';
import { formulaText } from '../capacity/render.js';
import type { CapacityReport } from '../capacity/types.js';
import { uslThroughput } from '../capacity/usl.js';
import { QUERY_LANGUAGE_LABELS, type Finding } from '../model.js';
import { CHARTS_SCRIPT } from './html/charts-script.js';
import { describeOffset } from '../analyses/client-join.js';
import type { AnalysisReport } from './report.js';
import { describeFormatLimits, describeFormats, describeScanned, describeSelection } from './text.js';
import { frontDoorFailureTable, frontDoorRouteTable, frontDoorSummaryLine, type SectionTable } from './front-door.js';

export interface HtmlOptions {
  /** the page's title and heading; default "logjam report — run <id>" */
  title?: string;
}

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's browser build and stylesheet, read once from node_modules (resolved like an import, so hoisting works). */
export function loadUplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element: no "</script>", no "<!--", no line separators that break JS. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text inlined into <script>/<style>: a closing tag inside it would end the element early. */
export function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

const MAX_ROUTES_CHARTED = 12;

function chartData(report: AnalysisReport) {
  const { capacity } = report;
  const perSecond = 1000 / report.run.binMs;
  const bins = report.timeline;
  const timeline = {
    time: bins.map((b) => b.start / 1000),
    rps: bins.map((b) => b.requests * perSecond),
    e5xx: bins.map((b) => b.errors5xx * perSecond),
    e4xx: bins.map((b) => b.errors4xx * perSecond),
    aborts: bins.map((b) => b.aborts * perSecond),
    // an empty bin has no latency: a gap, not a zero
    p50: bins.map((b) => (b.requests > 0 ? b.latency.p50 : null)),
    p95: bins.map((b) => (b.requests > 0 ? b.latency.p95 : null)),
    p99: bins.map((b) => (b.requests > 0 ? b.latency.p99 : null)),
  };

  // Throughput against concurrency: measured points and the USL curve share one sorted x axis (uPlot's data model);
  // each series is null where the other has a sample.
  const points = capacity?.saturation.points ?? [];
  const usl = capacity?.usl;
  const rows: { x: number; measured: number | null; usl: number | null }[] = points.map((p) => ({
    x: p.concurrency,
    measured: p.throughput,
    usl: null,
  }));
  if (usl?.ok && !usl.poorFit && points.length > 0) {
    const maxN = Math.max(...points.map((p) => p.concurrency), Math.min(usl.peakConcurrency ?? 0, 3 * Math.max(...points.map((p) => p.concurrency))));
    const steps = 60;
    for (let i = 1; i <= steps; i++) {
      const n = (maxN * 1.1 * i) / steps;
      rows.push({ x: n, measured: null, usl: uslThroughput(n, usl) });
    }
  }
  rows.sort((a, b) => a.x - b.x);
  const saturation = { x: rows.map((r) => r.x), measured: rows.map((r) => r.measured), usl: rows.map((r) => r.usl) };

  const topRoutes = [...report.routes].sort((a, b) => b.count * b.latency.mean - a.count * a.latency.mean).slice(0, MAX_ROUTES_CHARTED);
  const routes = {
    labels: topRoutes.map((r) => `${r.method} ${r.route}`),
    short: topRoutes.map((r) => {
      const label = `${r.method} ${r.route}`;
      return label.length > 28 ? `${label.slice(0, 27)}…` : label;
    }),
    pool: topRoutes.map((r) => r.poolWaitMsMean),
    db: topRoutes.map((r) => r.dbMsMean),
    rest: topRoutes.map((r) => r.restMsMean),
  };
  // the client against the server, per client-clock bin (--client-log): a gap where no request was compared
  const join = report.clientJoin;
  const compared = (b: NonNullable<typeof join>['bins'][number], v: number) => (b.compared > 0 ? v : null);
  const clientServer = join
    ? {
        time: join.bins.map((b) => b.start / 1000),
        clientP95: join.bins.map((b) => compared(b, b.clientP95Ms)),
        serverP95: join.bins.map((b) => compared(b, b.serverP95Ms)),
        clientP50: join.bins.map((b) => compared(b, b.clientP50Ms)),
        serverP50: join.bins.map((b) => compared(b, b.serverP50Ms)),
        outsideP95: join.bins.map((b) => compared(b, b.outsideP95Ms)),
        late: join.bins.map((b) => b.lateCompletions),
        never: join.bins.map((b) => b.neverLogged),
      }
    : undefined;
  return { timeline, saturation, routes, ...(clientServer ? { clientServer } : {}) };
}

function summaryHtml(report: AnalysisReport): string {
  const { run, input } = report;
  const t = run.totals;
  const rows: [string, string][] = [
    run.window ? ['time window', describeSelection(run)] : ['run', run.runId],
    ['source', run.source],
    ['time', `${new Date(run.firstTime).toISOString()} → ${new Date(run.lastTime).toISOString()}`],
    ['requests', `${t.requests} (${t.errors5xx} 5xx, ${t.errors4xx} 4xx, ${t.aborts} aborted, ${t.unfinished} unfinished)`],
    ['latency', `mean ${num(t.latency.mean)} ms · p50 ${num(t.latency.p50)} · p95 ${num(t.latency.p95)} · p99 ${num(t.latency.p99)} · max ${num(t.latency.max)} ms`],
    ['DB', `${t.dbQueries} queries · query ${num(t.dbMsMean)} ms · pool wait ${num(t.poolWaitMsMean)} ms per request · ${t.poolTimeouts} pool timeouts`],
    ['input', `${input.totalLines} lines: ${input.parsed} parsed, ${input.malformed} malformed, ${input.oversized} oversized, ${input.foreign} foreign, ${input.droppedBySinks} dropped by sinks`],
  ];
  const formats = describeFormats(input.formats);
  if (formats) rows.push(['input formats', [`${formats} lines read`, ...describeFormatLimits(input.formats).map((l) => `cannot tell from ${l}`)].join('; ')]);
  if (run.scanned) rows.push(['Logs Insights', describeScanned(run.scanned)]);
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function findingsHtml(findings: Finding[]): string {
  if (findings.length === 0) return '<p class="muted">No findings.</p>';
  return findings
    .map(
      (f) => `<article class="finding ${escapeHtml(f.severity)}">
<h3><span class="sev">${escapeHtml(f.severity)}</span> ${escapeHtml(f.title)}</h3>
<p>${escapeHtml(f.explanation)}</p>
<p><strong>Fix:</strong> ${escapeHtml(f.fix)}</p>
${Object.keys(f.counts).length > 0 ? `<p class="muted">${Object.entries(f.counts).map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v)}`).join(' · ')}</p>` : ''}
${f.exampleRequestIds.length > 0 ? `<p class="muted">examples: ${f.exampleRequestIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}</p>` : ''}
${f.query ? `<details><summary>${QUERY_LANGUAGE_LABELS[f.query.language]} query</summary><pre>${escapeHtml(f.query.text)}</pre></details>` : ''}
</article>`,
    )
    .join('\n');
}

function capacityHtml(c: CapacityReport): string {
  const d = c.inputs.deployment;
  const formulas = c.formulas
    .map((f) => `<tr><td><code>${escapeHtml(formulaText(f))}</code></td><td class="muted">${escapeHtml(f.note ?? '')}</td></tr>`)
    .join('');
  const parts: string[] = [];
  parts.push(
    `<p>${escapeHtml(
      `${d.tasks} task(s) × ${num(d.cpus)} CPU(s), ${d.workersPerTask} worker(s) per task × ${d.threads} thread(s), pool ${d.poolSize} per worker` +
        (d.awsBy !== undefined ? ` — AWS (${d.awsBy})${d.dbInstanceClass ? `, ${d.dbInstanceClass}` : ''}${d.fargate ? `, Fargate ${describeFargate(d.fargate)}` : ''}` : ''),
    )}; service time S = ${escapeHtml(num(c.inputs.serviceTimeS * 1000))} ms; think time ${escapeHtml(num(c.inputs.thinkTimeS))} s (${escapeHtml(c.inputs.thinkTimeSource)})</p>`,
  );
  parts.push(
    `<table class="kv">${c.inputs.facts
      .map((f) => `<tr><th>${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td><td>${escapeHtml(f.source)}</td><td class="muted">${escapeHtml(f.detail)}</td></tr>`)
      .join('')}</table>`,
  );
  parts.push(`<table class="formulas">${formulas}</table>`);
  const rds = c.rds;
  if (rds) parts.push(
    `<h3>RDS connections</h3><p>${escapeHtml(
      `${rds.connectionsNeeded} connections needed vs ${rds.usableConnections} usable on ${rds.instanceClass} (max_connections ${rds.maxConnections} − 3 reserved): ${rds.fits ? 'fits' : 'does not fit'}; smallest class that fits: ${rds.smallestFitting ?? 'none in the table'}.`,
    )}</p><p class="muted">${escapeHtml(rds.tableSource)}</p>`,
  );
  if (c.plan) {
    const p = c.plan;
    parts.push(
      `<h3>Plan for ${escapeHtml(num(p.target.value))} ${p.target.kind === 'rps' ? 'req/s' : 'users'}</h3><p>${escapeHtml(
        `${p.workers} workers = ${p.tasks} task(s) × ${p.workersPerTask}; ${p.vcpus} vCPUs` +
          (p.fargateChange !== undefined ? `; Fargate ${p.fargateChange}` : '') +
          `; DB ${p.dbConnectionsNeeded} connections` +
          (p.dbFits !== undefined ? ` (${p.dbFits ? 'fits' : 'does not fit'}${p.smallestDbClass ? `, smallest class ${p.smallestDbClass}` : ''})` : '') +
          '.',
      )}</p>${p.notes.length > 0 ? `<ul>${p.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}`,
    );
  }
  const u = c.usl;
  parts.push(
    `<h3>Saturation</h3><p>${escapeHtml(`${c.saturation.points.length} usable bins (dropped ${c.saturation.dropped.empty} empty, ${c.saturation.dropped.rampEdge} ramp-edge). ${c.saturation.kneeNote}.`)}</p><p>${escapeHtml(
      u.ok
        ? `USL: α = ${num(u.alpha)}, β = ${num(u.beta)}, γ = ${num(u.gamma)} req/s, R² = ${num(u.r2)} (${u.points} points)` +
            (u.peakConcurrency !== undefined && u.peakThroughput !== undefined
              ? `; peak N* = √((1 − α)/β) = ${num(u.peakConcurrency)} in flight, predicted peak ${num(u.peakThroughput)} req/s`
              : '') +
            (u.note ? ` — ${u.note}` : '')
        : `USL: ${u.reason}`,
    )}</p>`,
  );
  const b = c.bottleneck;
  parts.push(
    `<h3>Bottleneck: ${escapeHtml(bottleneckLabel(b.verdict))}</h3><p>${escapeHtml(b.summary)}</p><ol>${b.ranked
      .map((r) => `<li><strong>${escapeHtml(bottleneckLabel(r.kind))}</strong> — score ${escapeHtml(num(r.score))}<br><span class="muted">${escapeHtml(r.evidence.join('; '))}</span></li>`)
      .join('')}</ol>`,
  );
  if (c.notes.length > 0) parts.push(`<ul class="muted">${c.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  return parts.join('\n');
}

function tableHtml(t: SectionTable): string {
  const cell = (tag: string, v: string, i: number) => `<${tag}${t.align[i] === 'right' ? ' style="text-align:right"' : ''}>${escapeHtml(v)}</${tag}>`;
  return (
    `<table class="kv"><tr>${t.header.map((h, i) => cell('th', h, i)).join('')}</tr>` +
    t.rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('') +
    '</table>'
  );
}

/** The ALB join (absent when the input held no ALB line). */
function frontDoorHtml(report: AnalysisReport): string {
  const fd = report.frontDoor;
  if (!fd) return '';
  const parts = ['<h2>Front door (ALB access logs)</h2>', `<p class="muted">${escapeHtml(frontDoorSummaryLine(fd))}</p>`];
  if (fd.routes.length) parts.push(tableHtml(frontDoorRouteTable(fd)));
  if (fd.failureGroups.length) parts.push('<h3>Answered by the ALB, never finished by the app</h3>', tableHtml(frontDoorFailureTable(fd)));
  return parts.join('\n');
}

export const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1160px; padding: 16px 24px; color: #111827; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: #6b7280; } code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #f3f4f6; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
table.kv th { text-align: left; padding-right: 16px; color: #374151; vertical-align: top; } table.formulas td { padding: 2px 12px 2px 0; vertical-align: top; }
.grid { display: grid; grid-template-columns: 1fr; gap: 12px; } .chart { min-height: 200px; }
.finding { border-left: 4px solid #9ca3af; padding: 2px 12px; margin: 10px 0; background: #fafafa; }
.finding.critical { border-color: #dc2626; } .finding.warning { border-color: #d97706; } .finding.info { border-color: #2563eb; }
.sev { text-transform: uppercase; font-size: 11px; letter-spacing: .05em; color: #6b7280; }
`;

/** The HTML page of the same report object the terminal, Markdown and JSON renderers take. */
/** A chart's section: heading, a note under it, and the element the chart script draws into. */
export function chartSection(id: string, heading: string, note: string): string {
  return `<section><h3>${escapeHtml(heading)}</h3><p class="muted">${escapeHtml(note)}</p><div class="chart" id="${id}"></div></section>`;
}

/**
 * A self-contained page's head, up to its <h1>: a CSP that allows only the inlined styles and scripts (no request
 * leaves the file), uPlot's CSS and the report's.
 */
export function pageHead(title: string, uplotCss: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${inlineSafe(uplotCss, 'style')}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>`;
}

export function renderHtmlReport(report: AnalysisReport, options: HtmlOptions = {}): string {
  const { findings, capacity } = report;
  const title = options.title ?? `logjam report — ${describeSelection(report.run)}`;
  const { js, css } = loadUplot();
  const data = chartData(report);
  return `${pageHead(title, css)}
${summaryHtml(report)}
<h2>Charts</h2>
<div class="grid">
${chartSection('chart-rate', 'Requests and errors per second', `time bins of ${num(report.run.binMs / 1000)} s`)}
${chartSection('chart-latency', 'Latency percentiles over time', 'p50, p95 and p99 of the requests finishing in each bin')}
${chartSection('chart-usl', 'Throughput against concurrency', 'each point is one time bin (requests in flight by Little’s law); the line is the Universal Scalability Law fit')}
${chartSection('chart-routes', 'Where the time goes, per route', 'mean per request: pool wait, DB query time, and the rest (app code, event-loop queueing)')}
${report.clientJoin ? chartSection('chart-client-server', 'Client duration against server duration over time', `the client log joined by request id, by client send time (bins of ${num(report.clientJoin.binMs / 1000)} s); the gap is time outside the app. ${describeOffset(report.clientJoin)}`) : ''}
</div>
<h2>Findings</h2>
${findingsHtml(findings)}
${frontDoorHtml(report)}
${capacity ? `<h2>Capacity</h2>\n${capacityHtml(capacity)}` : report.capacityMissing ? `<h2>Capacity</h2>\n<p class="muted">${escapeHtml(report.capacityMissing.line)}</p>` : ''}
<script type="application/json" id="logjam-data">${jsonForScript(data)}</script>
<script>${inlineSafe(js, 'script')}</script>
<script>${inlineSafe(CHARTS_SCRIPT, 'script')}</script>
</body>
</html>
`;
}

