/**
 * Request dimensions: the values a request can be grouped by (route, status, host, process, DB queries, pool wait,
 * response size, time slice, and client-side ones once a client log is joined), counted in one streaming pass with
 * bounded memory so the finishing layer can tell, per value, how many requests were slow (above the run's p95) and
 * how many failed (5xx or aborted). p95 is not known until the end of the pass, so every value keeps the bucket counts of an
 * HDR histogram of its durations (aggregate/histogram.ts: the bucket index is computed once per request, then one
 * increment per dimension) and the count above p95 is read from them at the end (dimension-stats.ts).
 *
 * THE SEAM. A dimension is a provider: an id, a label and a function from one request to its value. Adding one is one
 * entry in a provider list — SERVER_DIMENSIONS below for fields of the server's lines; a client-log join registers
 * its own (e.g. `{ id: 'client-vu', label: 'client VU', value: (r) => text(r.client?.vu) }`) and feeds an accumulator
 * with `{ line, client }`. Entries of every accumulator are summed by (dimension, value) in the finishing layer, so a
 * second accumulator's entries are simply appended to RawCounts.dimensions.values.
 *
 * The time slice is not a provider: its width depends on the run's length, known only at the end, so the finishing
 * layer derives it from the time bins (which already hold histograms) — or takes it from the source (CloudWatch).
 *
 * Buckets are "how many thresholds the value is above" (x > t), with the same thresholds in the CloudWatch query
 * (sources/cloudwatch/queries.ts), so both sources put a request in the same bucket.
 */
import type { Histogram } from 'hdr-histogram-js';
import { FIELDS as F } from '../../middleware/schema.js';
import { BUCKET_COUNT } from './histogram.js';

/** One request as a provider sees it: the server's finish (or abort) line, and the joined client-log line if any. */
export interface DimensionInput {
  line: Readonly<Record<string, unknown>>;
  /** the client log's line of the same request id (client-log join), when one was joined */
  client?: Readonly<Record<string, unknown>>;
  /** true for a request.abort line (no status, no response size) */
  aborted?: boolean;
}

export interface DimensionProvider {
  /** stable id, used in --json (`route`, `status`, `client-vu`…) */
  id: string;
  /** how the report names it ("route", "DB queries per request") */
  label: string;
  /** the request's value; undefined = the request has none (counted under NO_VALUE, so totals still add up) */
  value(input: DimensionInput): string | undefined;
  /** true: a failed request has its value by definition (status): left out of the failed-request ranking */
  definesFailure?: boolean;
  /**
   * false: aborted requests have no value here (an abort line carries no query count, pool wait or response size);
   * they are left out of this dimension rather than counted as 0, which would make "0" look like the cause.
   */
  coversAborts?: boolean;
  /**
   * Speed only: a cheap identity of the value — what value() reads, as it is on the line (no string built) — so the
   * accumulator finds a finished request's group by it without calling value() each time. The same key (and key2)
   * must always mean the same value; undefined = no shortcut for this request (value() decides).
   */
  key?(input: DimensionInput): unknown;
  key2?(input: DimensionInput): unknown;
}

/** The value of a request that has none for a dimension (a client dimension of a request with no client line). */
export const NO_VALUE = '(none)';
/** Values beyond LIMITS.valuesPerDimension, folded into one (and counted in overflow). */
export const OTHER_VALUE = '(other)';
export const NO_ROUTE = '(no route)';
export const ABORTED = 'aborted';

export const DIMENSION_LIMITS = {
  /** distinct values tracked per dimension (14 KB of bucket counts each) */
  valuesPerDimension: 200,
  /** time slices a run is cut into for the `time` dimension (at most) */
  timeSlices: 10,
} as const;

/** A bucketed numeric field: bucket i = how many of `thresholds` the value is above (x > t). */
export interface Bucketing {
  field: string;
  thresholds: readonly number[];
  /** one label per bucket: thresholds.length + 1 */
  labels: readonly string[];
}

export const BUCKETS = {
  dbQueries: {
    field: F.dbQueries,
    thresholds: [0, 1, 2, 4, 8, 16, 32],
    labels: ['0', '1', '2', '3–4', '5–8', '9–16', '17–32', '> 32'],
  },
  poolWait: {
    field: F.poolWaitMs,
    thresholds: [1, 10, 100, 1000],
    labels: ['≤ 1 ms', '1–10 ms', '10–100 ms', '100 ms–1 s', '> 1 s'],
  },
  bytesOut: {
    field: F.bytesOut,
    thresholds: [1024, 10_240, 102_400, 1_048_576],
    labels: ['≤ 1 KB', '1–10 KB', '10–100 KB', '100 KB–1 MB', '> 1 MB'],
  },
} as const satisfies Record<string, Bucketing>;

const numOf = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** A field as text: strings as they are, numbers in decimal, anything else absent. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

export function bucketIndex(b: Bucketing, value: number): number {
  let i = 0;
  for (const t of b.thresholds) if (value > t) i++;
  return i;
}

export function bucketLabel(b: Bucketing, index: number): string {
  return b.labels[Math.max(0, Math.min(b.labels.length - 1, index))]!;
}

const bucketed = (b: Bucketing) => (r: DimensionInput) => bucketLabel(b, bucketIndex(b, numOf(r.line[b.field])));
const bucketKey = (b: Bucketing) => (r: DimensionInput) => bucketIndex(b, numOf(r.line[b.field]));

/**
 * pid and worker as one number, when both fit (a pid below 2^36, a worker id below 65,535 or none): the process
 * dimension's key2. Anything else (a fractional pid, a string worker) has no key and takes value().
 */
function processKey({ line }: DimensionInput): number | undefined {
  const pid = line[F.pid];
  const worker = line[F.worker];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0 || pid >= 2 ** 36) return undefined;
  if (worker === undefined) return pid * 65_536 + 65_535;
  return typeof worker === 'number' && Number.isInteger(worker) && worker >= 0 && worker < 65_535 ? pid * 65_536 + worker : undefined;
}

/** `<method> <route template>`, or `<method> (no route)` when no route matched (never the raw path: unbounded). */
export function routeValue(method: string | undefined, route: string | undefined): string {
  return `${method ?? '?'} ${route ?? NO_ROUTE}`;
}

/** `<host> pid <pid>[ worker <id>]`: a process that logged the request. */
export function processValue(host: string | undefined, pid: string | undefined, worker: string | undefined): string {
  return `${host ?? '?'} pid ${pid ?? '?'}${worker ? ` worker ${worker}` : ''}`;
}

/** The dimensions the server's lines hold, in the order ties are broken (route first: the most actionable). */
export const SERVER_DIMENSIONS: readonly DimensionProvider[] = [
  {
    id: 'route',
    label: 'route',
    value: ({ line }) => routeValue(text(line[F.method]), text(line[F.route])),
    key: ({ line }) => line[F.method],
    key2: ({ line }) => line[F.route],
  },
  // finished requests only take the key: an aborted one's value is ABORTED whatever its status
  { id: 'status', label: 'status', definesFailure: true, value: ({ line, aborted }) => (aborted ? ABORTED : text(line[F.status])), key: ({ line }) => line[F.status] },
  { id: 'host', label: 'host', value: ({ line }) => text(line[F.host]), key: ({ line }) => line[F.host] },
  {
    id: 'process',
    label: 'process',
    value: ({ line }) => processValue(text(line[F.host]), text(line[F.pid]), text(line[F.worker])),
    key: ({ line }) => line[F.host],
    key2: processKey,
  },
  { id: 'db-queries', label: 'DB queries per request', coversAborts: false, value: bucketed(BUCKETS.dbQueries), key: bucketKey(BUCKETS.dbQueries) },
  { id: 'pool-wait', label: 'pool wait', coversAborts: false, value: bucketed(BUCKETS.poolWait), key: bucketKey(BUCKETS.poolWait) },
  { id: 'response-size', label: 'response size', coversAborts: false, value: bucketed(BUCKETS.bytesOut), key: bucketKey(BUCKETS.bytesOut) },
];

/** The time slice dimension (derived by the finishing layer, see above). */
export const TIME_DIMENSION = { id: 'time', label: 'time slice' } as const;

/**
 * Every dimension's label, by id, in tie-break order. A client-log join adds its providers here (and to the
 * accumulator it feeds); the time slice comes after the server's fields.
 */
export function dimensionLabels(providers: readonly DimensionProvider[] = SERVER_DIMENSIONS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of providers) out[p.id] = p.label;
  out[TIME_DIMENSION.id] = TIME_DIMENSION.label;
  return out;
}

export function failureDefining(providers: readonly DimensionProvider[] = SERVER_DIMENSIONS): string[] {
  return providers.filter((p) => p.definesFailure).map((p) => p.id);
}

/** What a source counted for one value of one dimension. Key: dimension + value (the finishing layer sums). */
export interface RawDimensionValue {
  dimension: string;
  value: string;
  /** finished requests (request.finish) */
  requests: number;
  /** finished requests above the run's slow threshold, when the source counted them itself (CloudWatch) */
  slow?: number;
  /** else: the durations of the finished requests; the finishing layer counts those above the threshold */
  hist?: Histogram;
  /** or the same as bucket counts (histogram.ts durationIndex: createHistogram()'s buckets) */
  bucketCounts?: Int32Array;
  /** finished requests answered 5xx */
  errors5xx: number;
  /** request.abort lines (the client went away) */
  aborts: number;
}

export interface RawDimensions {
  values: RawDimensionValue[];
  /** dimension id -> label, in tie-break order */
  labels: Record<string, string>;
  /** the threshold the source counted `slow` against (CloudWatch: the summary's p95); else the run's p95 */
  slowThresholdMs?: number;
  /** dimensions a failed request has its value by definition (status): left out of the failed-request ranking */
  definesFailure: string[];
  /** requests whose value was folded into OTHER_VALUE (a dimension over its value cap) */
  overflow: number;
}

interface ValueAcc {
  requests: number;
  buckets: Int32Array;
  errors5xx: number;
  aborts: number;
}

/** Keys remembered per dimension (DimensionProvider.key): past this, requests of new keys take value() each time. */
const MEMO_LIMIT = 4096;
const NO_KEY2 = Symbol('no key2');

/** The streaming side: one accumulator per provider list, fed every finished and aborted request once. */
export class DimensionAccumulator {
  private readonly byDimension: Map<string, ValueAcc>[];
  /** per dimension: key -> key2 -> the value's accumulator (never the overflow's: each overflowing request is counted) */
  private memo: Map<unknown, Map<unknown, ValueAcc>>[];
  private readonly memoSize: number[];
  private overflow = 0;

  constructor(private readonly providers: readonly DimensionProvider[] = SERVER_DIMENSIONS) {
    this.byDimension = providers.map(() => new Map());
    this.memo = providers.map(() => new Map());
    this.memoSize = providers.map(() => 0);
  }

  /** `overflowed`: set when the value went to OTHER_VALUE (that accumulator must not be remembered for a key) */
  private acc(i: number, input: DimensionInput, overflowed?: { yes: boolean }): ValueAcc {
    const values = this.byDimension[i]!;
    let value = this.providers[i]!.value(input) ?? NO_VALUE;
    let acc = values.get(value);
    if (acc === undefined) {
      if (values.size >= DIMENSION_LIMITS.valuesPerDimension) {
        this.overflow++;
        if (overflowed) overflowed.yes = true;
        value = OTHER_VALUE;
        acc = values.get(value);
      }
      if (acc === undefined) {
        acc = { requests: 0, buckets: new Int32Array(BUCKET_COUNT), errors5xx: 0, aborts: 0 };
        values.set(value, acc);
      }
    }
    return acc;
  }

  /** acc() for a finished request, found by the provider's key when it has one (no value string built). */
  private finishAcc(i: number, input: DimensionInput): ValueAcc {
    const p = this.providers[i]!;
    const k = p.key?.(input);
    if (k === undefined) return this.acc(i, input);
    const k2 = p.key2 === undefined ? NO_KEY2 : p.key2(input);
    if (k2 === undefined) return this.acc(i, input);
    const memo = this.memo[i]!;
    let inner = memo.get(k);
    const found = inner?.get(k2);
    if (found !== undefined) return found;
    const overflowed = { yes: false };
    const acc = this.acc(i, input, overflowed);
    if (!overflowed.yes && this.memoSize[i]! < MEMO_LIMIT) {
      if (inner === undefined) memo.set(k, (inner = new Map()));
      inner.set(k2, acc);
      this.memoSize[i]!++;
    }
    return acc;
  }

  /** A request.finish line (already de-duplicated by the caller); `bucket`: durationIndex() of its duration. */
  finish(input: DimensionInput, bucket: number, status: number): void {
    for (let i = 0; i < this.providers.length; i++) {
      const acc = this.finishAcc(i, input);
      acc.requests++;
      acc.buckets[bucket]!++;
      if (status >= 500) acc.errors5xx++;
    }
  }

  /** A request.abort line (already de-duplicated by the caller). */
  abort(input: DimensionInput): void {
    const aborted = { ...input, aborted: true };
    for (let i = 0; i < this.providers.length; i++) if (this.providers[i]!.coversAborts !== false) this.acc(i, aborted).aborts++;
  }

  /**
   * Adds the counts() of the part of the input right after this one's. Exact while no dimension goes over its value
   * cap: which values a capped dimension keeps depends on the order requests arrive in, so then it returns false
   * and the caller reads the input in one pass instead.
   */
  absorb(later: RawDimensions): boolean {
    if (this.overflow > 0 || later.overflow > 0) return false;
    // the values held change: what a key found before is looked up again
    this.memo = this.providers.map(() => new Map());
    this.memoSize.fill(0);
    for (const v of later.values) {
      const i = this.providers.findIndex((p) => p.id === v.dimension);
      const values = this.byDimension[i]!;
      let acc = values.get(v.value);
      if (acc === undefined) {
        if (values.size >= DIMENSION_LIMITS.valuesPerDimension) return false;
        acc = { requests: 0, buckets: new Int32Array(BUCKET_COUNT), errors5xx: 0, aborts: 0 };
        values.set(v.value, acc);
      }
      acc.requests += v.requests;
      acc.errors5xx += v.errors5xx;
      acc.aborts += v.aborts;
      const buckets = v.bucketCounts!;
      for (let b = 0; b < buckets.length; b++) if (buckets[b] !== 0) acc.buckets[b]! += buckets[b]!;
    }
    return true;
  }

  counts(): RawDimensions {
    const values: RawDimensionValue[] = [];
    this.providers.forEach((p, i) => {
      for (const [value, a] of this.byDimension[i]!) values.push({ dimension: p.id, value, requests: a.requests, bucketCounts: a.buckets, errors5xx: a.errors5xx, aborts: a.aborts });
    });
    return { values, labels: dimensionLabels(this.providers), definesFailure: failureDefining(this.providers), overflow: this.overflow };
  }
}
