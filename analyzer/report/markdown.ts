/** The Markdown report, for a pull request or a lab submission. Text from logs is escaped for tables. */
import { QUERY_LANGUAGE_LABELS, type Severity } from '../model.js';
import { describeResult } from '../thresholds.js';
import { renderCapacityMarkdown } from '../capacity/render.js';
import type { AnalysisReport } from './report.js';
import { MULTILINE_FIELDS, sanitizeDeep, sanitizeOutput } from './sanitize.js';
import { describeDropped, describeFormatLimits, describeFormats, describeInputFiles, describeScanned, describeSelection, fmtMs, fmtPct, fmtTime } from './text.js';
import { describeAlbInput, frontDoorFailureTable, frontDoorRouteTable, frontDoorSummaryLine, type SectionTable } from './front-door.js';

const ICON: Record<Severity, string> = { critical: '🔴 critical', warning: '🟠 warning', info: '🔵 info' };

/** Escapes what would break a table cell or start Markdown markup. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[`*_<>[\]]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

export function renderMarkdown(unsafeReport: AnalysisReport): string {
  // control characters from logs are escaped as text first; Markdown metacharacters by mdCell where they matter
  const report = sanitizeDeep(unsafeReport, MULTILINE_FIELDS);
  const r = report.run;
  const t = r.totals;
  const out: string[] = [];
  out.push(r.window ? `# logjam analysis — ${mdCell(describeSelection(r))}` : `# logjam analysis — run \`${r.runId}\``, '');
  out.push(`- **Source:** ${mdCell(r.source)}`);
  out.push(`- **Time:** ${fmtTime(r.firstTime)} → ${fmtTime(r.lastTime)} (${r.durationS.toFixed(0)} s), services: ${mdCell(r.services.join(', ') || '-')}, processes: ${r.workers}`);
  out.push(
    `- **Requests:** ${t.requests} (${r.reqPerS.toFixed(1)} req/s), errors ${fmtPct(r.errorRate)} (4xx ${t.errors4xx}, 5xx ${t.errors5xx}), aborted ${t.aborts}, unfinished ${t.unfinished}`,
  );
  out.push(`- **Latency:** p50 ${fmtMs(t.latency.p50)}, p95 ${fmtMs(t.latency.p95)}, p99 ${fmtMs(t.latency.p99)}, max ${fmtMs(t.latency.max)}`);
  const i = report.input;
  out.push(
    `- **Input:** ${i.totalLines} lines: ${i.parsed} parsed, ${i.otherRuns} other runs, ${i.malformed} malformed, ${i.oversized} oversized, ${i.foreign} foreign; ${describeDropped(i.droppedBySinks, r.processes)}${mdCell(describeAlbInput(i.alb))}`,
  );
  const formats = describeFormats(i.formats);
  if (formats) out.push(`- **Input formats:** ${mdCell(formats)} lines read`);
  for (const limit of describeFormatLimits(i.formats)) out.push(`  - cannot tell from ${mdCell(limit)}`);
  const files = describeInputFiles(i.inputFiles);
  if (files) out.push(`- **Input files:** ${mdCell(files)}`);
  if (r.scanned) out.push(`- **Logs Insights:** ${describeScanned(r.scanned)}`);
  out.push('');

  if (report.thresholds?.length) {
    out.push('## Thresholds', '');
    for (const x of report.thresholds) out.push(`- ${x.ok ? '✅' : '❌'} ${mdCell(describeResult(x))}`);
    out.push('');
  }

  const s = report.summary;
  out.push(`## Findings (${s.critical} critical, ${s.warning} warning, ${s.info} info)`, '');
  if (report.findings.length === 0) out.push('None.', '');
  for (const f of report.findings) {
    out.push(`### ${ICON[f.severity]}: ${mdCell(f.title)}`, '');
    out.push(mdCell(f.explanation), '');
    for (const d of f.details ?? []) out.push(`- ${mdCell(d)}`);
    if (f.details?.length) out.push('');
    if (f.exampleRequestIds.length) out.push(`Examples: ${f.exampleRequestIds.map((id) => `\`${id}\``).join(', ')}`, '');
    out.push(`**Fix:** ${mdCell(f.fix)}`, '');
    if (f.query) out.push(`<details><summary>${QUERY_LANGUAGE_LABELS[f.query.language]} query</summary>`, '', '```', f.query.text, '```', '', '</details>', '');
  }

  if (report.routes.length) {
    out.push('## Routes', '');
    out.push('| method | route | count | req/s | errors | p50 | p95 | p99 | max | pool wait | db | rest |');
    out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const x of report.routes.slice(0, 50)) {
      out.push(
        `| ${mdCell(x.method)} | ${mdCell(x.route)}${x.matched ? '' : ' (unmatched)'} | ${x.count} | ${x.reqPerS.toFixed(1)} | ${fmtPct(x.errorRate)} | ` +
          `${fmtMs(x.latency.p50)} | ${fmtMs(x.latency.p95)} | ${fmtMs(x.latency.p99)} | ${fmtMs(x.latency.max)} | ` +
          `${fmtMs(x.poolWaitMsMean)} | ${fmtMs(x.dbMsMean)} | ${fmtMs(x.restMsMean)} |`,
      );
    }
    out.push('');
  }
  if (report.frontDoor) {
    const fd = report.frontDoor;
    const grid = (t: SectionTable) => [
      `| ${t.header.map(mdCell).join(' | ')} |`,
      `|${t.align.map((a) => (a === 'right' ? '--:' : '---')).join('|')}|`,
      ...t.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
    ];
    out.push('## Front door (ALB access logs)', '', mdCell(frontDoorSummaryLine(fd)), '');
    if (fd.routes.length) out.push(...grid(frontDoorRouteTable(fd)), '');
    if (fd.failureGroups.length) out.push('Answered by the ALB, never finished by the app:', '', ...grid(frontDoorFailureTable(fd)), '');
  }
  if (report.capacity !== undefined) out.push(renderCapacityMarkdown(report.capacity), '');
  else if (report.capacityMissing !== undefined) out.push(mdCell(report.capacityMissing.line), '');
  return sanitizeOutput(`${out.join('\n').trimEnd()}\n`, { color: false });
}
