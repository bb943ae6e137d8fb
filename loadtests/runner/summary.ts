/**
 * One data object, two renderings: buildSummary() turns a run's measurements into k6's summary-export shape (the
 * analyzer reads k6's summaries and ours the same way); renderTextSummary() prints it the way k6 does.
 * Both are pure.
 */
import { createHash } from 'node:crypto';
import pc from 'picocolors';
import type { K6Check, K6Summary, K6TrendValues } from '../k6-summary.js';
import type { MetricsSnapshot } from './metrics.js';
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
  stoppedBy?: 'signal' | 'deadline';
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
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
  return {
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
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
      scenarios: Object.fromEntries(
        snapshot.scenarios.map((s) => [
          s.name,
          {
            executor: s.executor,
            vusMax: s.vusMax,
            thinkTimeS: s.thinkTimeS,
            iterations: s.iterations,
            interruptedIterations: s.interruptedIterations,
            checks: k6Checks(s.checks),
          },
        ]),
      ),
    },
  };
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
    out.push(`  run ${lj.runId} · ${lj.scenario} (${lj.variant}) · ${lj.endpoint}`);
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
  if (summary.state) out.push('', `  running time ${formatMs(summary.state.testRunDurationMs)}`);
  if (options.summaryPath) out.push(`  summary JSON: ${options.summaryPath}`);
  return `${out.join('\n')}\n`;
}
