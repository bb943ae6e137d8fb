/**
 * One data object, two renderings: buildSummary() turns a run's measurements into k6's summary-export shape (the
 * analyzer reads k6's summaries and ours the same way); renderTextSummary() prints it the way k6 does.
 * Both are pure.
 */
import { createHash } from 'node:crypto';
import pc from 'picocolors';
import type { K6Check, K6Summary, K6TrendValues } from '../k6-summary.js';
import type { GeneratorHealth, ClientErrorWarning } from './guards.js';
import { describeClientErrors } from './guards.js';
import type { MetricsSnapshot } from './metrics.js';
import { Thresholds } from './thresholds.js';
import type { ThresholdMetric, ThresholdResult } from './thresholds.js';
import type { TrendValues } from './trend.js';

export interface RunInfo {
  runId: string;
  scenario: string;
  variant: string;
  endpoint: string;
  startedAt: Date;
  durationMs: number;
  timeScale: number;
  vuScale: number;
  timeoutMs: number;
  stoppedBy?: 'signal' | 'deadline' | 'threshold';
  abortReason?: string;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
  thresholds?: { metrics: readonly ThresholdMetric[]; results: readonly ThresholdResult[] };
  clientErrors?: ClientErrorWarning[];
  generator?: GeneratorHealth;
  clientLog?: { path: string; lines: number; dropped: number; error?: string };
}

/** A tagged threshold's sub-metric in k6's summary shape ("http_req_duration{name:list items}"). */
function subMetric(m: ThresholdMetric, durationMs: number): K6Summary['metrics'][string] {
  const c = m.collector;
  if (m.kind === 'trend') {
    const values: Record<string, number> = { ...trend(c.trend!.values()) };
    for (const e of m.expressions) {
      const p = /^p\((.*)\)$/.exec(e.aggregation);
      if (p) values[e.aggregation] = c.trend!.percentile(Number(p[1]));
    }
    return { type: 'trend', contains: 'time', values: values as K6TrendValues };
  }
  if (m.kind === 'rate') {
    return { type: 'rate', contains: 'default', values: { rate: c.count > 0 ? c.nonZero / c.count : 0, passes: c.nonZero, fails: c.count - c.nonZero } };
  }
  return { type: 'counter', contains: 'default', values: { count: c.count, rate: Thresholds.actual(m, 'rate', durationMs) ?? 0 } };
}

/** k6 puts `thresholds: { "<expression>": { ok } }` on each metric; tagged ones get their own metric entry. */
function attachThresholds(metrics: K6Summary['metrics'], run: RunInfo): void {
  if (!run.thresholds) return;
  for (const m of run.thresholds.metrics) {
    if (!metrics[m.key]) metrics[m.key] = subMetric(m, run.durationMs);
    const entry = metrics[m.key]!;
    // a percentile a threshold asked for is shown on the metric too (k6 adds it to the summary's trend stats)
    if (m.kind === 'trend' && Object.keys(m.tags).length === 0) {
      for (const e of m.expressions) {
        const p = /^p\((.*)\)$/.exec(e.aggregation);
        if (p && entry.values[e.aggregation] === undefined) entry.values[e.aggregation] = m.collector.trend!.percentile(Number(p[1]));
      }
    }
    entry.thresholds ??= {};
    for (const r of run.thresholds.results) if (r.metric === m.key) entry.thresholds[r.threshold] = { ok: r.ok };
  }
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** k6 names groups and checks by the MD5 of their path (root group path '', check path '::<name>'). */
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

function k6Checks(checks: MetricsSnapshot['checks']): K6Check[] {
  return checks.map((c) => ({ name: c.name, path: `::${c.name}`, id: md5(`::${c.name}`), passes: c.passes, fails: c.fails }));
}

function trend(values: TrendValues): K6TrendValues {
  return { avg: values.avg, min: values.min, med: values.med, max: values.max, 'p(90)': values.p90, 'p(95)': values.p95 };
}

export function buildSummary(snapshot: MetricsSnapshot, run: RunInfo): K6Summary {
  const seconds = run.durationMs / 1000;
  const rate = (count: number): number => (seconds > 0 ? count / seconds : 0);
  const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
  const checksTotal = snapshot.checkPasses + snapshot.checkFails;
  // The scenario with the most VUs sets the think time the capacity math uses (the studiers, in the lab).
  const busiest = [...snapshot.scenarios].sort((a, b) => b.vusMax - a.vusMax)[0];
  const noResponseTotal = Object.values(snapshot.noResponse).reduce((a, b) => a + b, 0);
  const summary: K6Summary = {
    root_group: { name: '', path: '', id: md5(''), groups: [], checks: k6Checks(snapshot.checks) },
    options: { summaryTrendStats: TREND_STATS, summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: run.isStdOutTTY ?? false, isStdErrTTY: run.isStdErrTTY ?? false, testRunDurationMs: run.durationMs },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: snapshot.requests, rate: rate(snapshot.requests) } },
      http_req_duration: { type: 'trend', contains: 'time', values: trend(snapshot.duration) },
      // A k6 Rate counts non-zero samples as "passes": for http_req_failed that is the FAILED requests.
      http_req_failed: {
        type: 'rate',
        contains: 'default',
        values: {
          rate: ratio(snapshot.failedRequests, snapshot.requests),
          passes: snapshot.failedRequests,
          fails: snapshot.requests - snapshot.failedRequests,
        },
      },
      checks: {
        type: 'rate',
        contains: 'default',
        values: { rate: ratio(snapshot.checkPasses, checksTotal), passes: snapshot.checkPasses, fails: snapshot.checkFails },
      },
      iterations: { type: 'counter', contains: 'default', values: { count: snapshot.iterations, rate: rate(snapshot.iterations) } },
      iteration_duration: { type: 'trend', contains: 'time', values: trend(snapshot.iterationDuration) },
      vus_max: { type: 'gauge', contains: 'default', values: { value: snapshot.vusMax, min: snapshot.vusMax, max: snapshot.vusMax } },
      vus: { type: 'gauge', contains: 'default', values: { value: 0, min: 0, max: snapshot.vusPeak } },
      ...(snapshot.droppedIterations > 0 || snapshot.scenarios.some((s) => s.executor.endsWith('arrival-rate'))
        ? {
            dropped_iterations: {
              type: 'counter' as const,
              contains: 'default' as const,
              values: { count: snapshot.droppedIterations, rate: rate(snapshot.droppedIterations) },
            },
          }
        : {}),
    },
    logjam: {
      runId: run.runId,
      scenario: run.scenario,
      variant: run.variant,
      endpoint: run.endpoint,
      startedAt: run.startedAt.toISOString(),
      noResponse: { total: noResponseTotal, ...snapshot.noResponse },
      thinkTimeS: busiest?.thinkTimeS,
      timeScale: run.timeScale,
      vuScale: run.vuScale,
      timeoutMs: run.timeoutMs,
      interruptedRequests: snapshot.interruptedRequests,
      interruptedIterations: snapshot.interruptedIterations,
      iterationErrors: snapshot.iterationErrors,
      droppedIterations: snapshot.droppedIterations,
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
      ...(run.abortReason ? { abortReason: run.abortReason } : {}),
      ...(run.thresholds && run.thresholds.results.length > 0
        ? {
            thresholds: {
              failed: run.thresholds.results.filter((r) => !r.ok).length,
              results: run.thresholds.results.map((r) => ({ metric: r.metric, threshold: r.threshold, ok: r.ok, ...(r.actual !== undefined ? { actual: r.actual } : {}) })),
            },
          }
        : {}),
      ...(run.clientErrors ? { clientErrors: run.clientErrors } : {}),
      ...(run.generator ? { generator: run.generator } : {}),
      ...(run.clientLog ? { clientLog: run.clientLog } : {}),
      scenarios: Object.fromEntries(
        snapshot.scenarios.map((s) => [
          s.name,
          {
            executor: s.executor,
            vusMax: s.vusMax,
            thinkTimeS: s.thinkTimeS,
            iterations: s.iterations,
            interruptedIterations: s.interruptedIterations,
            droppedIterations: s.droppedIterations,
            checks: k6Checks(s.checks),
          },
        ]),
      ),
    },
  };
  attachThresholds(summary.metrics, run);
  return summary;
}

// ---- text ---------------------------------------------------------------------------------------------------------

function formatMs(ms: number): string {
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${((ms % 60_000) / 1000).toFixed(1)}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(2)}µs`;
}

const percent = (rate: number): string => `${(rate * 100).toFixed(2)}%`;

function line(name: string, value: string): string {
  return `     ${name.padEnd(32, '.')}: ${value}`;
}

export interface TextOptions {
  color?: boolean;
  /** where the summary JSON was written (printed at the end when given) */
  summaryPath?: string;
}

/** A k6-like end-of-test summary. */
export function renderTextSummary(summary: K6Summary, options: TextOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const m = summary.metrics;
  const out: string[] = [];
  const lj = summary.logjam;
  if (lj) {
    out.push(`  run ${[lj.runId, lj.variant ? `${lj.scenario} (${lj.variant})` : lj.scenario, lj.endpoint].filter(Boolean).join(' · ')}`);
    if (lj.stoppedBy) out.push(c.yellow(`  stopped early: ${lj.stoppedBy === 'signal' ? 'interrupted by the user' : 'hard deadline reached'}`));
    out.push('');
  }
  for (const check of summary.root_group.checks) {
    const total = check.passes + check.fails;
    if (check.fails === 0) {
      out.push(c.green(`     ✓ ${check.name}`));
    } else {
      out.push(c.red(`     ✗ ${check.name}`));
      out.push(c.red(`      ↳  ${Math.floor((check.passes / total) * 100)}% — ✓ ${check.passes} / ✗ ${check.fails}`));
    }
  }
  if (summary.root_group.checks.length > 0) out.push('');

  const checks = m.checks.values;
  out.push(line('checks', `${percent(checks.rate).padEnd(7)} ${c.green(`✓ ${checks.passes}`.padEnd(10))} ${c.red(`✗ ${checks.fails}`)}`));
  const d = m.http_req_duration.values;
  out.push(
    line(
      'http_req_duration',
      `avg=${formatMs(d.avg)} min=${formatMs(d.min)} med=${formatMs(d.med)} max=${formatMs(d.max)} p(90)=${formatMs(d['p(90)'])} p(95)=${formatMs(d['p(95)'])}`,
    ),
  );
  const failed = m.http_req_failed.values;
  out.push(line('http_req_failed', `${percent(failed.rate).padEnd(7)} ${`✓ ${failed.passes}`.padEnd(10)} ✗ ${failed.fails}`));
  out.push(line('http_reqs', `${String(m.http_reqs.values.count).padEnd(7)} ${m.http_reqs.values.rate.toFixed(2)}/s`));
  if (lj) {
    const nr = lj.noResponse;
    const text = `${nr.total}${nr.total > 0 ? `  (timeout ${nr.timeout}, refused ${nr.refused}, reset ${nr.reset}, other ${nr.other})` : ''}`;
    out.push(line('no_response', nr.total > 0 ? c.red(text) : text));
  }
  out.push(line('iterations', `${String(m.iterations.values.count).padEnd(7)} ${m.iterations.values.rate.toFixed(2)}/s`));
  if (lj?.interruptedIterations) out.push(line('interrupted_iterations', String(lj.interruptedIterations)));
  const vusMax = m.vus_max.values;
  out.push(line('vus_max', `${String(vusMax.value).padEnd(7)} min=${vusMax.min} max=${vusMax.max}`));

  if (lj?.iterationErrors && lj.iterationErrors.total > 0) {
    out.push('', c.red(`  ${lj.iterationErrors.total} iterations ended with a script error:`));
    for (const [message, count] of Object.entries(lj.iterationErrors.byMessage)) out.push(`     ${count} × ${message}`);
  }
  if (lj?.droppedIterations) out.push(line('dropped_iterations', c.red(String(lj.droppedIterations))));
  if (lj?.thresholds && lj.thresholds.results.length > 0) {
    out.push('', `  thresholds${lj.thresholds.failed > 0 ? c.red(` (${lj.thresholds.failed} failed: exit code 99)`) : ''}:`);
    for (const r of lj.thresholds.results) {
      const actual = r.actual === undefined ? 'no samples' : String(Math.round(r.actual * 1000) / 1000);
      out.push(`     ${r.ok ? c.green('✓') : c.red('✗')} ${r.metric}: ${r.threshold}  (${actual})`);
    }
  }
  if (lj?.abortReason) out.push(c.red(`  aborted: ${lj.abortReason}`));
  const warnings = [
    ...(lj?.clientErrors ?? []).map((w) => describeClientErrors(w)),
    ...(lj?.generator?.saturated
      ? [
          `the load generator was saturated in ${lj.generator.saturatedSeconds} of ${lj.generator.windows} s ` +
            `(event-loop delay p99 ${lj.generator.elDelayP99Ms.toFixed(0)} ms, CPU peak ${(lj.generator.cpuPeak * 100).toFixed(0)}% of a core): ` +
            'part of the latencies above is the generator queueing behind itself',
        ]
      : []),
  ];
  if (warnings.length > 0) {
    out.push('', c.yellow('  warnings:'));
    for (const w of warnings) out.push(c.yellow(`     ! ${w}`));
  }
  if (summary.state) out.push('', `  running time ${formatMs(summary.state.testRunDurationMs)}`);
  if (options.summaryPath) out.push(`  summary JSON: ${options.summaryPath}`);
  if (lj?.clientLog) {
    const dropped = lj.clientLog.dropped > 0 ? c.red(`, ${lj.clientLog.dropped} dropped`) : '';
    out.push(`  client request log: ${lj.clientLog.path} (${lj.clientLog.lines} lines${dropped})`);
  }
  return `${out.join('\n')}\n`;
}
