/**
 * The terminal report. Colour only when asked (the caller decides: stdout is a TTY and NO_COLOR is unset — see
 * `useColor`), so piping to a file or CI log gives plain text.
 */
import pc from 'picocolors';
import { QUERY_LANGUAGE_LABELS, type Finding, type Severity } from '../model.js';
import { describeResult } from '../thresholds.js';
import { renderCapacityTerminal } from '../capacity/render.js';
import type { AnalysisReport } from './report.js';
import { MULTILINE_FIELDS, sanitizeDeep, sanitizeOutput } from './sanitize.js';
import { sparkline } from './sparkline.js';
import { table } from './table.js';
import { describeDropped, describeFormatLimits, describeFormats, describeInputFiles, describeScanned, describeSelection, fmtMs, fmtPct, fmtTime } from './text.js';
import { describeAlbInput, frontDoorFailureTable, frontDoorRouteTable, frontDoorSummaryLine, type SectionTable } from './front-door.js';

export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

export interface TerminalOptions {
  color: boolean;
  /** routes shown in the table (the JSON has all) */
  maxRoutes?: number;
  /** print each finding's Logs Insights query */
  queries?: boolean;
}

const MAX_DETAILS = 8;

export function renderTerminal(unsafeReport: AnalysisReport, options: TerminalOptions): string {
  // every string in the report may come from a log line or a client summary: escaped before it is formatted
  const report = sanitizeDeep(unsafeReport, MULTILINE_FIELDS);
  const c = pc.createColors(options.color);
  const badge: Record<Severity, string> = {
    critical: c.bold(c.red('CRITICAL')),
    warning: c.yellow('WARNING '),
    info: c.cyan('INFO    '),
  };
  const out: string[] = [];
  const r = report.run;
  const t = r.totals;
  out.push(c.bold(`logjam analyze — ${describeSelection(r)}`));
  out.push(
    `${c.dim('source')} ${r.source}  ${c.dim('time')} ${fmtTime(r.firstTime)} → ${fmtTime(r.lastTime)} (${r.durationS.toFixed(0)} s)` +
      `  ${c.dim('services')} ${r.services.join(', ') || '-'}  ${c.dim('processes')} ${r.workers}`,
  );
  out.push(
    `${c.bold(String(t.requests))} requests, ${r.reqPerS.toFixed(1)} req/s, errors ${fmtPct(r.errorRate)} ` +
      `(4xx ${t.errors4xx}, 5xx ${t.errors5xx}), aborted ${t.aborts}, unfinished ${t.unfinished}` +
      `  ${c.dim('latency')} p50 ${fmtMs(t.latency.p50)} p95 ${fmtMs(t.latency.p95)} p99 ${fmtMs(t.latency.p99)} max ${fmtMs(t.latency.max)}`,
  );
  const i = report.input;
  out.push(
    c.dim(
      `input: ${i.totalLines} lines = ${i.parsed} parsed + ${i.otherRuns} other runs + ${i.malformed} malformed + ` +
        `${i.oversized} oversized + ${i.foreign} foreign` +
        (i.outsideTimeRange ? ` + ${i.outsideTimeRange} outside --since/--until` : '') +
        `; ${i.duplicates} duplicate lines ignored; ${describeDropped(i.droppedBySinks, r.processes)}${describeAlbInput(i.alb)}`,
    ),
  );
  const formats = describeFormats(i.formats);
  if (formats) out.push(c.dim(`input formats: ${formats} lines read`));
  for (const limit of describeFormatLimits(i.formats)) out.push(c.dim(`  cannot tell from ${limit}`));
  const files = describeInputFiles(i.inputFiles);
  if (files) out.push(c.dim(`input files: ${files}`));
  if (r.scanned) {
    out.push(c.dim(`Logs Insights: ${describeScanned(r.scanned)}`));
  }
  out.push('');

  const s = report.summary;
  out.push(c.bold(`Findings: ${s.critical} critical, ${s.warning} warning, ${s.info} info`));
  for (const f of report.findings) out.push(...renderFinding(f, badge[f.severity], c, options.queries ?? true), '');
  if (report.findings.length === 0) out.push('  none', '');

  const routes = report.routes.slice(0, options.maxRoutes ?? 20);
  if (routes.length) {
    out.push(c.bold('Routes'));
    out.push(
      ...table(
        ['method', 'route', 'count', 'req/s', 'err%', 'p50', 'p90', 'p95', 'p99', 'max', 'pool', 'db', 'rest'],
        routes.map((x) => [
          x.method,
          x.matched ? x.route : `${x.route} *`,
          String(x.count),
          x.reqPerS.toFixed(1),
          fmtPct(x.errorRate),
          fmtMs(x.latency.p50),
          fmtMs(x.latency.p90),
          fmtMs(x.latency.p95),
          fmtMs(x.latency.p99),
          fmtMs(x.latency.max),
          fmtMs(x.poolWaitMsMean),
          fmtMs(x.dbMsMean),
          fmtMs(x.restMsMean),
        ]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ).map((l) => `  ${l}`),
    );
    if (report.routes.length > routes.length) out.push(c.dim(`  … ${report.routes.length - routes.length} more routes (--json has all)`));
    if (report.routes.some((x) => !x.matched)) out.push(c.dim('  * no route matched: path with ids collapsed to :id'));
    out.push('');
  }

  if (report.frontDoor) {
    const fd = report.frontDoor;
    const grid = (t: SectionTable) => table(t.header, t.rows, t.align).map((l) => `  ${l}`);
    out.push(c.bold('Front door (ALB access logs)'));
    out.push(...wrap(frontDoorSummaryLine(fd), 100).map((l) => `  ${c.dim(l)}`));
    if (fd.routes.length) out.push(...grid(frontDoorRouteTable(fd)));
    if (fd.failureGroups.length) out.push('', `  ${c.bold('answered by the ALB, never finished by the app')}`, ...grid(frontDoorFailureTable(fd)));
    out.push('');
  }

  const bins = report.timeline;
  if (bins.length > 1) {
    const perS = 1000 / r.binMs;
    out.push(c.bold(`Over time`) + c.dim(` (${bins.length} bins of ${r.binMs / 1000} s)`));
    const line = (label: string, values: number[], peak: string) => `  ${label.padEnd(10)} ${sparkline(values)}  ${c.dim(peak)}`;
    const reqs = bins.map((b) => b.requests * perS);
    out.push(line('req/s', reqs, `max ${Math.max(...reqs).toFixed(1)}`));
    const p95 = bins.map((b) => b.latency.p95);
    out.push(line('p95', p95, `max ${fmtMs(Math.max(...p95))}`));
    const errs = bins.map((b) => b.errors4xx + b.errors5xx);
    if (errs.some((v) => v > 0)) out.push(line('errors', errs, `max ${Math.max(...errs)} per bin`));
    const aborts = bins.map((b) => b.aborts + (b.unfinished ?? 0));
    if (aborts.some((v) => v > 0)) out.push(line('abort+unf', aborts, `max ${Math.max(...aborts)} per bin`));
    if (bins.some((b) => b.elDelayP99Ms !== undefined)) {
      const el = bins.map((b) => b.elDelayP99Ms ?? 0);
      out.push(line('loop p99', el, `max ${fmtMs(Math.max(...el))}`));
    }
    out.push('');
  }

  if (report.capacity !== undefined) out.push(renderCapacityTerminal(report.capacity, { color: options.color }), '');
  else if (report.capacityMissing !== undefined) out.push(c.yellow(report.capacityMissing.line), '');

  if (report.thresholds?.length) {
    const failed = report.thresholds.filter((x) => !x.ok);
    out.push(c.bold(`Thresholds: ${failed.length ? c.red(`${failed.length} breached`) : c.green('all passed')}`));
    for (const x of report.thresholds) out.push(`  ${x.ok ? c.green('✓') : c.red('✗')} ${describeResult(x)}`);
    out.push('');
  }
  return sanitizeOutput(`${out.join('\n').trimEnd()}\n`, { color: options.color });
}

function renderFinding(f: Finding, badge: string, c: ReturnType<typeof pc.createColors>, showQuery: boolean): string[] {
  const lines = [`${badge} ${c.bold(f.title)}  ${c.dim(`[${f.id}]`)}`];
  lines.push(...wrap(f.explanation, 100).map((l) => `  ${l}`));
  for (const d of (f.details ?? []).slice(0, MAX_DETAILS)) lines.push(`    ${c.dim('·')} ${d}`);
  if ((f.details?.length ?? 0) > MAX_DETAILS) lines.push(c.dim(`    · … ${f.details!.length - MAX_DETAILS} more`));
  if (f.exampleRequestIds.length) lines.push(`  ${c.dim('examples:')} ${f.exampleRequestIds.join(' ')}  ${c.dim('(logjam trace <id>)')}`);
  lines.push(...wrap(`fix: ${f.fix}`, 100).map((l) => `  ${c.green(l)}`));
  if (showQuery && f.query) {
    lines.push(`  ${c.dim(`${QUERY_LANGUAGE_LABELS[f.query.language]}:`)}`);
    lines.push(...f.query.text.split('\n').map((l) => `    ${c.dim(l)}`));
  }
  return lines;
}

export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
