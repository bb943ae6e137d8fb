import { describe, expect, it } from 'vitest';
import { judgeBottleneck } from '../../../analyzer/capacity/bottleneck.js';
import type { ClientView, RuntimeSummary } from '../../../analyzer/model.js';
import { aggregate, latency, route } from './fixtures.js';

function runtime(over: Partial<RuntimeSummary>): RuntimeSummary {
  return {
    samples: 60,
    elDelayP99MsMax: 12,
    elDelayP99MsMean: 10,
    eluMean: 0.2,
    eluMax: 0.3,
    heapUsedMbMax: 80,
    poolWaitingMax: 0,
    poolTotalMax: 10,
    ...over,
  };
}

function client(requests: number, noResponse?: number): ClientView {
  const view: ClientView = { file: 'summary.json', requests, failedRequests: noResponse ?? 0, checks: [] };
  if (noResponse !== undefined) view.noResponse = noResponse;
  return view;
}

describe('bottleneck verdict', () => {
  it('CPU work in the handler: event-loop delay high, DB time low -> cpu', () => {
    const agg = aggregate({
      totals: { latency: latency(400, 900), dbMsMean: 3, poolWaitMsMean: 0 },
      runtime: runtime({ elDelayP99MsMax: 350, eluMax: 0.99, eluMean: 0.95 }),
    });
    const v = judgeBottleneck(agg, undefined);
    expect(v.verdict).toBe('cpu');
    expect(v.ranked[0]!.kind).toBe('cpu');
    expect(v.ranked[0]!.evidence.join(' ')).toContain('event-loop delay p99 up to 350 ms');
    expect(v.ranked.map((c) => c.kind)).toHaveLength(4);
  });

  it('CPU work inflating measured query time (the loop delays every callback) -> still cpu, not database', () => {
    // figures from a real CPU_WORK_MS=20 run of the sample app: one fast query a request, yet 70% of the response
    // time measured "in the DB" because each query's callback waited for the blocked loop
    const agg = aggregate({
      totals: { latency: latency(260, 590), dbMsMean: 185, poolWaitMsMean: 2 },
      runtime: runtime({ elDelayP99MsMax: 548, elDelayP99MsMean: 502, eluMax: 0.99, eluMean: 0.97 }),
    });
    const v = judgeBottleneck(agg, undefined);
    expect(v.verdict).toBe('cpu');
    expect(v.ranked.find((c) => c.kind === 'database')!.score).toBeLessThan(0.5);
    expect(v.ranked[0]!.evidence.join(' ')).toContain('include waiting for it');
  });

  it('slow queries with a busy but healthy loop stay database (no discount)', () => {
    const agg = aggregate({
      totals: { latency: latency(330, 700), dbMsMean: 304, poolWaitMsMean: 3 },
      runtime: runtime({ elDelayP99MsMax: 20, elDelayP99MsMean: 14, eluMax: 0.4 }),
    });
    const v = judgeBottleneck(agg, undefined);
    expect(v.verdict).toBe('database');
    expect(v.metrics.dbSideTrust).toBe(1);
  });

  it('a tiny pool: pool wait dominates, timeouts -> db-pool', () => {
    const agg = aggregate({
      totals: { latency: latency(600, 1500), dbMsMean: 20, poolWaitMsMean: 420, poolTimeouts: 12, errors5xx: 12 },
      runtime: runtime({ poolWaitingMax: 40, poolTotalMax: 2 }),
    });
    const v = judgeBottleneck(agg, undefined);
    expect(v.verdict).toBe('db-pool');
    const evidence = v.ranked[0]!.evidence.join(' ');
    expect(evidence).toContain('pool wait 420 ms of 600 ms');
    expect(evidence).toContain('12 requests gave up');
    expect(evidence).toContain('up to 40 requests queued');
    // not CPU: the event loop was idle
    expect(v.ranked.find((c) => c.kind === 'cpu')!.score).toBeLessThan(0.1);
  });

  it('an N+1 list: query time dominates -> database, naming the route', () => {
    const agg = aggregate({
      totals: { latency: latency(800, 1600), dbMsMean: 640, poolWaitMsMean: 20, dbQueries: 6000 * 41 },
      routes: [route('GET', '/api/v1/todos', { dbQueriesMean: 41, dbMsMean: 640 }), route('POST', '/api/v1/todos')],
      runtime: runtime({ elDelayP99MsMax: 25 }),
    });
    const v = judgeBottleneck(agg, undefined);
    expect(v.verdict).toBe('database');
    expect(v.ranked[0]!.evidence.join(' ')).toContain('GET /api/v1/todos runs 41 queries per request (N+1?)');
    expect(v.metrics.dbQueriesPerRequest).toBe(41);
  });

  it('client requests that never reached the server -> client-or-network', () => {
    const agg = aggregate({ totals: { requests: 900, latency: latency(30, 60) }, runtime: runtime({}) });
    const v = judgeBottleneck(agg, client(1000, 100));
    expect(v.verdict).toBe('client-or-network');
    expect(v.ranked[0]!.evidence.join(' ')).toContain('100 client requests (10%) left no server line');
  });

  it('client timeouts the server did log (aborts) are not a network problem', () => {
    const agg = aggregate({ totals: { requests: 900, aborts: 100, latency: latency(30, 60) }, runtime: runtime({}) });
    const v = judgeBottleneck(agg, client(1000, 100));
    expect(v.verdict).toBe('none');
    expect(v.metrics.clientNoServerLine).toBe(0);
  });

  it('a healthy run -> none, even when most of its little time is DB time', () => {
    const agg = aggregate({ totals: { latency: latency(30, 60), dbMsMean: 25, poolWaitMsMean: 0 }, runtime: runtime({}) });
    const v = judgeBottleneck(agg, client(6000, 0));
    expect(v.verdict).toBe('none');
    expect(v.summary).toMatch(/^no bottleneck: p95 60 ms/);
    for (const c of v.ranked) expect(c.score).toBeLessThan(0.5);
  });

  it('ranks strongest first', () => {
    const agg = aggregate({
      totals: { latency: latency(600, 1500), dbMsMean: 300, poolWaitMsMean: 200 },
      runtime: runtime({}),
    });
    const scores = judgeBottleneck(agg, undefined).ranked.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});
