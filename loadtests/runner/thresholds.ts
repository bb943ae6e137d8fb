/**
 * k6's thresholds: `options.thresholds = { 'http_req_duration': ['p(95)<500'], 'http_req_duration{name:list items}':
 * [{ threshold: 'p(99)<800', abortOnFail: true, delayAbortEval: '10s' }], checks: ['rate>0.99'] }`.
 *
 * Each key is a metric, optionally filtered by tags (k6's sub-metrics); each gets its own collector fed by every
 * sample whose tags match, so a per-tag threshold costs one histogram, not a copy of every sample. Parsing throws a
 * UsageError (exit 2) for bad syntax or an unknown metric; evaluation is pure over the collected values.
 *
 * One deliberate difference from k6: a trend or rate threshold whose metric got no sample at all FAILS ("no
 * samples: is the tag right?"), because a typo in a tag must not pass a gate. A counter with no samples is 0.
 */
import { holds } from '../../common/comparison.js';
import type { ComparisonOp } from '../../common/comparison.js';
import { UsageError } from '../../common/errors.js';
import { parseK6Duration } from './duration.js';
import type { SampleSink } from './metrics.js';
import { Trend } from './trend.js';

type Kind = 'trend' | 'rate' | 'counter';

/** The built-in metrics a threshold may name, with their k6 type. */
export const THRESHOLD_METRICS: Readonly<Record<string, Kind>> = {
  http_req_duration: 'trend',
  iteration_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
};

const AGGREGATIONS: Readonly<Record<Kind, RegExp>> = {
  trend: /^(avg|min|max|med|p\((\d+(?:\.\d+)?)\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
};

export type Op = ComparisonOp;
const EXPRESSION = /^\s*([a-z]+(?:\(\s*\d+(?:\.\d+)?\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;
const KEY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\{(.*)\})?\s*$/;

export interface ThresholdExpression {
  /** as written: the key in the summary's `thresholds` object */
  source: string;
  aggregation: string;
  op: Op;
  limit: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface ThresholdResult {
  /** the metric key, e.g. 'http_req_duration{name:list items}' */
  metric: string;
  threshold: string;
  ok: boolean;
  /** undefined when there was no sample */
  actual?: number;
  abortOnFail: boolean;
}

class Collector {
  readonly trend?: Trend;
  count = 0;
  /** non-zero samples (a k6 Rate's "passes") */
  nonZero = 0;
  constructor(readonly kind: Kind) {
    if (kind === 'trend') this.trend = new Trend();
  }
  add(value: number): void {
    this.count++;
    if (value !== 0) this.nonZero++;
    this.trend?.add(value);
  }
}

export interface ThresholdMetric {
  key: string;
  metric: string;
  kind: Kind;
  tags: Readonly<Record<string, string>>;
  expressions: ThresholdExpression[];
  collector: Collector;
}

function bad(key: string, problem: string): UsageError {
  return new UsageError(
    `threshold "${key.slice(0, 120)}": ${problem}`,
    `examples: http_req_duration: ['p(95)<500'], 'http_req_duration{name:list items}': ['med<200'], checks: ['rate>0.99']`,
  );
}

function parseTags(key: string, text: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return tags;
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw bad(key, `a tag filter is "tag:value", got "${part.trim().slice(0, 60)}"`);
    tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return tags;
}

function parseExpression(key: string, kind: Kind, entry: unknown): ThresholdExpression {
  let source: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof entry === 'object' && entry !== null) {
    const o = entry as Record<string, unknown>;
    source = o.threshold;
    abortOnFail = o.abortOnFail === true;
    if (o.delayAbortEval !== undefined) {
      const ms = parseK6Duration(o.delayAbortEval);
      if (ms === undefined) throw bad(key, `delayAbortEval must be a duration like "10s", got ${JSON.stringify(o.delayAbortEval).slice(0, 40)}`);
      delayAbortEvalMs = ms;
    }
  }
  if (typeof source !== 'string') throw bad(key, 'each threshold is a string like "p(95)<500" or { threshold, abortOnFail }');
  const match = EXPRESSION.exec(source);
  if (!match) throw bad(key, `"${source.slice(0, 60)}" is not "<aggregation> <op> <number>", e.g. "p(95)<500"`);
  const aggregation = match[1]!.replace(/\s+/g, '');
  if (!AGGREGATIONS[kind].test(aggregation)) {
    const allowed = { trend: 'avg, min, max, med, p(N)', rate: 'rate', counter: 'count, rate' }[kind];
    throw bad(key, `"${aggregation}" does not apply to a ${kind} metric (use ${allowed})`);
  }
  return { source, aggregation, op: match[2] as Op, limit: Number(match[3]), abortOnFail, delayAbortEvalMs };
}

export class Thresholds implements SampleSink {
  readonly metrics: ThresholdMetric[];
  private readonly byMetric = new Map<string, ThresholdMetric[]>();

  constructor(definition: unknown) {
    this.metrics = [];
    if (definition === undefined) return;
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      throw new UsageError('options.thresholds must be an object: { metric: ["expression", ...] }');
    }
    for (const [key, list] of Object.entries(definition as Record<string, unknown>)) {
      const match = KEY.exec(key);
      if (!match) throw bad(key, 'a threshold key is a metric name, optionally with {tag:value}');
      const metric = match[1]!;
      const kind = THRESHOLD_METRICS[metric];
      if (!kind) throw bad(key, `unknown metric "${metric}" (known: ${Object.keys(THRESHOLD_METRICS).join(', ')})`);
      const entries = Array.isArray(list) ? list : [list];
      const m: ThresholdMetric = {
        key: key.trim(),
        metric,
        kind,
        tags: parseTags(key, match[2]),
        expressions: entries.map((e) => parseExpression(key, kind, e)),
        collector: new Collector(kind),
      };
      this.metrics.push(m);
      this.byMetric.set(metric, [...(this.byMetric.get(metric) ?? []), m]);
    }
  }

  sample(metric: string, value: number, tags: Readonly<Record<string, string>>): void {
    const list = this.byMetric.get(metric);
    if (!list) return;
    for (const m of list) {
      let matches = true;
      for (const name in m.tags) {
        if (tags[name] !== m.tags[name]) {
          matches = false;
          break;
        }
      }
      if (matches) m.collector.add(value);
    }
  }

  /** The aggregation's current value; undefined when a trend or rate has no sample. */
  static actual(m: ThresholdMetric, aggregation: string, elapsedMs: number): number | undefined {
    const c = m.collector;
    if (m.kind === 'counter') return aggregation === 'count' ? c.count : elapsedMs > 0 ? c.count / (elapsedMs / 1000) : 0;
    if (c.count === 0) return undefined;
    if (m.kind === 'rate') return c.nonZero / c.count;
    const v = c.trend!.values();
    const p = /^p\((.*)\)$/.exec(aggregation);
    if (p) return c.trend!.percentile(Number(p[1]));
    return { avg: v.avg, min: v.min, max: v.max, med: v.med }[aggregation as 'avg'];
  }

  evaluate(elapsedMs: number): ThresholdResult[] {
    const results: ThresholdResult[] = [];
    for (const m of this.metrics) {
      for (const e of m.expressions) {
        const actual = Thresholds.actual(m, e.aggregation, elapsedMs);
        results.push({
          metric: m.key,
          threshold: e.source,
          ok: actual !== undefined && holds(actual, e.op, e.limit),
          ...(actual !== undefined ? { actual } : {}),
          abortOnFail: e.abortOnFail,
        });
      }
    }
    return results;
  }

  /** k6's abortOnFail: the first abortOnFail threshold failing after its delayAbortEval, in words. */
  shouldAbort(elapsedMs: number): string | undefined {
    for (const m of this.metrics) {
      for (const e of m.expressions) {
        if (!e.abortOnFail || elapsedMs < e.delayAbortEvalMs) continue;
        const actual = Thresholds.actual(m, e.aggregation, elapsedMs);
        // with no sample yet there is nothing to judge: wait (k6 does not abort on an empty metric either)
        if (actual !== undefined && !holds(actual, e.op, e.limit)) {
          return `threshold ${m.key}: ${e.source} failed (${e.aggregation} = ${Math.round(actual * 1000) / 1000})`;
        }
      }
    }
    return undefined;
  }

  get hasAbortOnFail(): boolean {
    return this.metrics.some((m) => m.expressions.some((e) => e.abortOnFail));
  }
}
