/**
 * The comparison as text: the terminal form and the Markdown form (for a pull request) from one walk over the
 * RunComparison, so the two never say different things. Log-derived text (routes, run ids, messages) is sanitized
 * first (report/sanitize.ts) and escaped for Markdown tables.
 */
import { QUERY_LANGUAGE_LABELS, type EvidenceQuery } from '../model.js';
import { mdCell } from '../report/markdown.js';
import { MULTILINE_FIELDS, sanitizeDeep } from '../report/sanitize.js';
import { table } from '../report/table.js';
import { fmtTime } from '../report/text.js';
import { describeGateResult } from './gate.js';
import { partName, signedPct } from './scope.js';
import type { Change, FindingItem, LatencyChange, RateChange, RunComparison, ScopeComparison, Verdict } from './types.js';

export interface TextOptions {
  markdown: boolean;
  /** each evidence query under the findings (always in Markdown) */
  queries?: boolean;
}

const MARK: Record<Verdict, string> = { regression: '▲ regression', improvement: '▼ improvement', 'no significant change': '= no significant change' };
const n1 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const pct2 = (v: number) => `${(v * 100).toFixed(2)} %`;

function grid(md: boolean, header: string[], rows: string[][]): string[] {
  if (!md) return table(header, rows, header.map((_, i) => (i === 0 ? 'left' : 'right')));
  return [`| ${header.map(mdCell).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

function latencyRow(name: string, c: LatencyChange): string[] {
  const ci = c.interval ? `${n1(c.interval.low)} … ${n1(c.interval.high)}` : '-';
  return [name, `${n1(c.base)} ms`, `${n1(c.run)} ms`, `${c.delta >= 0 ? '+' : ''}${n1(c.delta)} ms`, signedPct(c.relative), ci, c.verdict];
}

function rateRow(name: string, c: RateChange): string[] {
  return [name, pct2(c.base), pct2(c.run), `${c.deltaPp >= 0 ? '+' : ''}${c.deltaPp.toFixed(2)} pp`, c.pValue < 0.001 ? '< 0.001' : c.pValue.toFixed(3), c.verdict];
}

function throughputRow(c: Change): string[] {
  return ['throughput', `${n1(c.base)}/s`, `${n1(c.run)}/s`, signedPct(c.relative), '', c.verdict];
}

function scopeLines(s: ScopeComparison, md: boolean): string[] {
  const out: string[] = [];
  out.push(`${md ? '**' : ''}${MARK[s.verdict]}${md ? '**' : ''}${s.headline === s.verdict ? '' : `: ${s.headline}`}`, '');
  out.push(
    ...grid(md, ['latency', 'base', 'run', 'change', 'relative', '95 % interval (ms)', 'verdict'], [
      latencyRow('p50', s.latency.p50),
      latencyRow('p95', s.latency.p95),
      latencyRow('p99', s.latency.p99),
      latencyRow('mean', s.latency.mean),
    ]),
  );
  out.push('');
  const b = s.latency.breakdown;
  out.push(
    ...grid(md, ['mean per request', 'base', 'run', 'change', 'share of the change'], (['poolWait', 'database', 'rest'] as const).map((k) => [
      partName(k),
      `${n1(b.base[k])} ms`,
      `${n1(b.run[k])} ms`,
      `${b.delta[k] >= 0 ? '+' : ''}${n1(b.delta[k])} ms`,
      b.shares ? `${Math.round(b.shares[k] * 100)} %` : '-',
    ])),
  );
  out.push('', `where the time went: ${b.sentence}`, '');
  out.push(
    ...grid(md, ['rates', 'base', 'run', 'change', 'p', 'verdict'], [
      rateRow('error rate (≥ 400)', s.errorRate),
      rateRow('5xx rate', s.serverErrorRate),
      rateRow('aborts', s.abortRate),
      throughputRow(s.throughput),
    ]),
  );
  out.push('');
  out.push(
    `status mix: ${s.statusMix.map((m) => `${m.status} ${(m.baseShare * 100).toFixed(1)} % → ${(m.runShare * 100).toFixed(1)} % (${m.baseCount} → ${m.runCount})`).join(', ') || 'none'}`,
    '',
  );
  return out;
}

function itemLine(i: FindingItem, md: boolean): string {
  const ids = i.exampleRequestIds.length ? ` — examples: ${i.exampleRequestIds.map((x) => (md ? `\`${x}\`` : x)).join(' ')}` : '';
  return `${md ? '- ' : '  '}[${i.severity}] ${md ? mdCell(i.title) : i.title}${ids}`;
}

function queryLines(q: EvidenceQuery | undefined, md: boolean, show: boolean): string[] {
  if (!q || !show) return [];
  const label = `${QUERY_LANGUAGE_LABELS[q.language]} query`;
  return md ? [`  <details><summary>${label}</summary>`, '', '  ```', ...q.text.split('\n').map((l) => `  ${l}`), '  ```', '  </details>'] : q.text.split('\n').map((l) => `      ${l}`);
}

export function renderComparisonText(unsafe: RunComparison, options: TextOptions): string {
  const cmp = sanitizeDeep(unsafe, MULTILINE_FIELDS);
  const md = options.markdown;
  const queries = md || Boolean(options.queries);
  const h = (level: number, text: string) => (md ? `${'#'.repeat(level)} ${text}` : level === 1 ? text : `── ${text} ──`);
  const code = (s: string) => (md ? `\`${s}\`` : s);
  const out: string[] = [];
  out.push(h(1, `logjam compare — base ${code(cmp.base.runId)} vs run ${code(cmp.run.runId)}: ${MARK[cmp.verdict]}`), '');
  for (const [name, s] of [['base', cmp.base], ['run', cmp.run]] as const) {
    out.push(
      `${md ? '- ' : ''}${name}: ${code(s.runId)} from ${md ? mdCell(s.source) : s.source}, ${fmtTime(s.firstTime)} → ${fmtTime(s.lastTime)} (${s.durationS.toFixed(0)} s), ${s.requests} requests` +
        (s.clientSummary ? `, client summary ${md ? mdCell(s.clientSummary) : s.clientSummary}` : '') +
        (s.scanned ? `, ${s.scanned.queries} Logs Insights queries (${s.scanned.recordsScanned} records scanned)` : ''),
    );
  }
  out.push('', h(2, 'Summary'), '');
  for (const line of cmp.summary) out.push(`${md ? '- ' : '  '}${line}`);
  out.push('');

  if (cmp.gate?.length) {
    out.push(h(2, '--fail-on'), '');
    for (const g of cmp.gate) out.push(`${md ? '- ' : '  '}${g.ok ? '✓' : '✗'} ${describeGateResult(g)}`);
    out.push('');
  }

  const o = cmp.overall;
  out.push(h(2, 'Whole run'), '', ...scopeLines(o, md));
  out.push(`unfinished requests: ${o.unfinished.base} → ${o.unfinished.run}`);
  if (o.clientNoServerLine) out.push(`client requests with no server line: ${o.clientNoServerLine.base ?? 'no client summary'} → ${o.clientNoServerLine.run ?? 'no client summary'}`);
  out.push('');

  out.push(h(2, 'Routes'), '');
  out.push(
    ...grid(md, ['route', 'requests', 'p95', 'mean', 'error rate', 'verdict'], cmp.routes.map((r) => [
      `${r.method} ${r.route}`,
      `${r.requests.base} → ${r.requests.run}`,
      `${n1(r.latency.p95.base)} → ${n1(r.latency.p95.run)} ms (${signedPct(r.latency.p95.relative)})`,
      `${n1(r.latency.mean.base)} → ${n1(r.latency.mean.run)} ms`,
      `${pct2(r.errorRate.base)} → ${pct2(r.errorRate.run)}`,
      r.verdict,
    ])),
  );
  out.push('');
  if (cmp.onlyInBase.length) out.push(`only in the base run: ${cmp.onlyInBase.map((r) => `${r.method} ${r.route} (${r.requests})`).join(', ')}`);
  if (cmp.onlyInRun.length) out.push(`only in this run: ${cmp.onlyInRun.map((r) => `${r.method} ${r.route} (${r.requests})`).join(', ')}`);
  for (const r of cmp.routes.filter((x) => x.verdict !== 'no significant change')) {
    out.push('', h(3, `${r.method} ${r.route}`), '', ...scopeLines(r, md));
  }

  out.push('', h(2, 'Findings'), '');
  const f = cmp.findings;
  out.push(`${f.vanished.length} gone, ${f.appeared.length} new, ${f.changed.length} changed, ${f.unchanged} unchanged`, '');
  if (f.vanished.length) {
    out.push(md ? '**Gone** (in the base run, not in this one):' : 'gone (in the base run, not in this one):');
    for (const i of f.vanished) out.push(itemLine(i, md), ...queryLines(i.query, md, queries));
    out.push('');
  }
  if (f.appeared.length) {
    out.push(md ? '**New** (in this run only):' : 'new (in this run only):');
    for (const i of f.appeared) out.push(itemLine(i, md), ...queryLines(i.query, md, queries));
    out.push('');
  }
  if (f.changed.length) {
    out.push(md ? '**Changed:**' : 'changed:');
    for (const c of f.changed) {
      out.push(`${md ? '- ' : '  '}${c.id} ${md ? mdCell(c.key) : c.key}: ${c.what}`);
      out.push(`${md ? '  - ' : '    '}base: ${c.base.exampleRequestIds.join(' ') || '-'}; run: ${c.run.exampleRequestIds.join(' ') || '-'}`);
    }
    out.push('');
  }

  if (cmp.capacity) {
    out.push(h(2, 'Capacity'), '');
    out.push(
      ...grid(md, ['', 'base', 'run'], cmp.capacity.rows.map((r) => {
        const v = (x: number | undefined, text: string | undefined) => text ?? (x === undefined ? '-' : `${r.unit === '' ? (x < 10 ? x.toFixed(2) : n1(x)) : n1(x)}${r.unit ? ` ${r.unit}` : ''}`);
        return [r.name, v(r.base, r.baseText), v(r.run, r.runText)];
      })),
    );
    out.push('');
  }

  out.push(h(2, 'Method'), '');
  out.push(`${md ? '- ' : '  '}${cmp.method.latency}`, `${md ? '- ' : '  '}${cmp.method.rates}`, `${md ? '- ' : '  '}${cmp.method.throughput}`, '');
  return `${out.join('\n')}\n`;
}
