/** The finishing layer's rules, on hand-made raw counts (the ones both sources rely on). */
import { describe, expect, it } from 'vitest';
import { finishAggregate, finishBinMs, OTHER_MESSAGES, TOP_MESSAGES, topMessages } from '../../../analyzer/aggregate/finish.js';
import { emptyAccounting } from '../../../analyzer/aggregate/aggregator.js';
import { emptyLatency, type RawCounts, type RawRoute } from '../../../analyzer/aggregate/raw-counts.js';

const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);

function raw(extra: Partial<RawCounts> = {}): RawCounts {
  return {
    runId: 'r', source: 'test', hasLines: true, firstTime: T0, lastTime: T0 + 9_999, binMs: 1000, services: [], processes: [],
    totals: { latency: emptyLatency(), aborts: 0, errors4xx: 0, errors5xx: 0, dbQueries: 0, poolTimeouts: 0, dbMsSum: 0, poolWaitMsSum: 0 },
    routes: [], bins: [], clusters: [], suspicious: [], unfinished: [], input: emptyAccounting(), evidence: {}, ...extra,
  };
}

const route = (method: string, path: string, matched: boolean, count: number, extra: Partial<RawRoute> = {}): RawRoute => ({
  method, route: path, matched, latency: { count, durationSum: count * 10, max: 10, pieces: [{ count, p50: 10, p90: 10, p95: 10, p99: 10 }] },
  statuses: { '200': count }, dbMsSum: 0, poolWaitMsSum: 0, dbQueriesSum: 0, aborts: 0, examples: [], ...extra,
});

describe('finishing layer', () => {
  it('shows the top templates by count, ties by template text, the rest (and untracked lines) folded', () => {
    const messages = new Map<string, number>();
    for (let i = 0; i < 12; i++) messages.set(`error ${String.fromCharCode(108 - i)}`, 2); // 12 templates, all tied
    messages.set('user 17 not found', 3);
    messages.set('user 18 not found', 4); // same template as the line above: 7 together
    const top = topMessages(messages, 5);
    expect(top).toHaveLength(TOP_MESSAGES + 1);
    expect(top[0]).toEqual({ template: 'user <n> not found', count: 7 });
    expect(top.slice(1, 4).map((m) => m.template)).toEqual(['error a', 'error b', 'error c']);
    expect(top[TOP_MESSAGES]).toEqual({ template: OTHER_MESSAGES, count: 3 * 2 + 5 });
  });

  it('sums entries by key (collapsing unmatched paths), takes corrections out, and orders routes with a stable tie-break', () => {
    const agg = finishAggregate(raw({
      routes: [
        route('GET', '/files/123', false, 2),
        route('GET', '/files/456', false, 3),
        route('POST', '/b', true, 5),
        route('GET', '/b', true, 5),
        route('GET', '/b', true, -1, { statuses: { '200': -1 } }),
        route('GET', '/a', true, 4, { aborts: 2 }),
      ],
    }));
    expect(agg.routes.map((r) => `${r.method} ${r.route} ${r.count}`)).toEqual(['POST /b 5', 'GET /files/:id 5', 'GET /a 4', 'GET /b 4']);
    expect(agg.routes.find((r) => r.route === '/b' && r.method === 'GET')!.statuses).toEqual({ '200': 4 });
  });

  it('picks the bin width by the one rule, never finer than the source counted', () => {
    expect(finishBinMs(raw({ lastTime: T0 + 3_600_000 }))).toBe(32_000);
    expect(finishBinMs(raw({ binMs: 4000 }))).toBe(4000);
    const agg = finishAggregate(raw({ bins: [{ start: T0 + 2500, requests: 1, errors5xx: 0, errors4xx: 0, aborts: 1, durationSum: 10, dbMsSum: 0, poolWaitMsSum: 0, latency: emptyLatency() }] }));
    expect(agg.bins).toHaveLength(10);
    expect(agg.bins[2]).toMatchObject({ start: T0 + 2000, requests: 1, aborts: 1, concurrency: 0.01 });
  });
});
