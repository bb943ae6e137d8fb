/** Crafted RunAggregates for the capacity tests: every number chosen so the expected results can be worked by hand. */
import type { LatencySummary, RouteStats, RunAggregate, TimeBin } from '../../../analyzer/model.js';

export const BIN_MS = 10_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export function latency(mean: number, p95 = mean * 2): LatencySummary {
  return { count: 1, mean, p50: mean * 0.8, p90: p95 * 0.9, p95, p99: p95 * 1.3, max: p95 * 2 };
}

/** A bin observing `concurrency` requests in flight at `throughput` req/s: latency follows from Little's law. */
export function bin(i: number, concurrency: number, throughput: number, extra: Partial<TimeBin> = {}): TimeBin {
  const requests = Math.round((throughput * BIN_MS) / 1000);
  const meanMs = requests > 0 ? (concurrency / throughput) * 1000 : 0;
  return {
    start: T0 + i * BIN_MS,
    requests,
    errors5xx: 0,
    errors4xx: 0,
    aborts: 0,
    latency: { mean: meanMs, p50: meanMs * 0.8, p95: meanMs * 2, p99: meanMs * 2.6, max: meanMs * 4 },
    concurrency,
    dbMsSum: 0,
    poolWaitMsSum: 0,
    ...extra,
  };
}

/** Bins along a curve X(N), one per concurrency, plus a partial bin at each end (which the analysis must drop). */
export function curveBins(ns: number[], x: (n: number) => number): TimeBin[] {
  const inner = ns.map((n, i) => bin(i + 1, n, x(n)));
  return [bin(0, ns[0]! / 2, x(ns[0]!) / 2), ...inner, bin(ns.length + 1, ns[0]! / 2, x(ns[0]!) / 3)];
}

export function route(method: string, path: string, over: Partial<RouteStats> = {}): RouteStats {
  return {
    method,
    route: path,
    matched: true,
    count: 100,
    statuses: { '200': 100 },
    latency: latency(50),
    dbMsMean: 5,
    poolWaitMsMean: 0,
    dbQueriesMean: 1,
    aborts: 0,
    exampleRequestIds: [],
    ...over,
  };
}

export function aggregate(over: Omit<Partial<RunAggregate>, 'totals'> & { totals?: Partial<RunAggregate['totals']> } = {}): RunAggregate {
  const { totals, ...rest } = over;
  return {
    runId: 'r1',
    source: 'test.ndjson',
    firstTime: T0,
    lastTime: T0 + 60_000,
    binMs: BIN_MS,
    services: ['taskoverflow'],
    workers: 1,
    routes: [route('GET', '/api/v1/todos')],
    bins: [],
    suspiciousPaths: [],
    statusClusters: [],
    input: { totalLines: 0, parsed: 0, malformed: 0, oversized: 0, foreign: 0, otherRuns: 0, duplicates: 0, droppedBySinks: 0 },
    queries: {},
    ...rest,
    totals: {
      requests: 6000,
      unfinished: 0,
      aborts: 0,
      errors4xx: 0,
      errors5xx: 0,
      dbQueries: 6000,
      poolTimeouts: 0,
      latency: latency(200),
      dbMsMean: 5,
      poolWaitMsMean: 0,
      ...totals,
    },
  };
}

/** The compare statistics' seeded PRNG (mulberry32), so "noisy" data is the same on every run. */
export { seededRandom as rng } from '../../../analyzer/compare/stats.js';
