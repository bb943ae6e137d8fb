import { describe, expect, it } from 'vitest';
import { AdaptiveBins } from '../../../analyzer/aggregate/bins.js';
import { HashedIdSet } from '../../../analyzer/aggregate/hash-set.js';
import { messageTemplate } from '../../../analyzer/aggregate/message-template.js';
import { collapsePath, maybeSuspicious, suspiciousSegment } from '../../../analyzer/aggregate/paths.js';
import { LIMITS, OTHER_ROUTE } from '../../../analyzer/aggregate/aggregator.js';
import { logLines } from '../../support/log-lines.js';
import { aggregateLines } from './helpers.js';

describe('paths', () => {
  it('finds the segments a correct client never sends, URL-encoded too', () => {
    expect(suspiciousSegment('/api/v1/todos/undefined')).toBe('undefined');
    expect(suspiciousSegment('/api/v1/todos/null/items')).toBe('null');
    expect(suspiciousSegment('/api/v1/todos/NaN')).toBe('NaN');
    expect(suspiciousSegment('/api/v1/todos/[object Object]')).toBe('[object Object]');
    expect(suspiciousSegment('/api/v1/todos/%5Bobject%20Object%5D')).toBe('[object Object]');
    expect(suspiciousSegment('/api/v1//todos')).toBe('//');
    expect(suspiciousSegment('/api/v1/todos/')).toBe('//');
    expect(suspiciousSegment('/api/v1/todos/42')).toBeUndefined();
    expect(suspiciousSegment('/api/v1/nullable-things')).toBeUndefined();
    expect(suspiciousSegment('/')).toBeUndefined();
  });

  it('pre-checks paths as the regular expression it stands for does, on edge cases and on random paths', () => {
    const regex = /\/\/|\/$|undefined|null|nan|object|%/i;
    const edges = ['', '/', '//', 'a/', '/a', '%', '/a%2F', 'UNDEFINED', 'UnDeFiNeD', 'undefine', 'nul', 'NULL', 'na', 'nAn', 'Object', 'objec',
      '/api/v1/todos', '/api/v1/nullable', '/x/nanny', '/ſ/K/İ/ı', '/\u212aobject', '/o', '/n', '/u', 'nnull', 'oobject', 'uundefined', '/api/v1/todos/'];
    for (const path of edges) expect(maybeSuspicious(path), path).toBe(regex.test(path));
    // fragments the words are made of, in both cases, glued at random (seeded)
    const parts = ['/', '%', 'u', 'U', 'n', 'N', 'd', 'e', 'f', 'i', 'l', 'L', 'a', 'A', 'o', 'O', 'b', 'j', 'c', 't', 'T', 'ſ', 'ı', 'null', 'nan', 'undefined', 'object', 'todos', '42'];
    let seed = 1;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    for (let k = 0; k < 20_000; k++) {
      let path = '';
      for (let n = rand(12); n >= 0; n--) path += parts[rand(parts.length)]!;
      expect(maybeSuspicious(path), path).toBe(regex.test(path));
    }
  });

  it('collapses numbers, UUIDs, hex ids and long tokens to :id, keeping words and suspicious segments', () => {
    expect(collapsePath('/api/v1/todos/123')).toBe('/api/v1/todos/:id');
    expect(collapsePath('/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301/x')).toBe('/u/:id/x');
    expect(collapsePath('/o/507f1f77bcf86cd799439011')).toBe('/o/:id');
    expect(collapsePath('/t/aZ9_kq2LmN4pQ7rS8tU')).toBe('/t/:id');
    expect(collapsePath('/api/v1/todos/undefined')).toBe('/api/v1/todos/undefined');
    expect(collapsePath('/api/v1/feedback')).toBe('/api/v1/feedback');
  });

  it('masks numbers, ids and quoted values in error messages', () => {
    expect(messageTemplate('todo 123 not found')).toBe(messageTemplate('todo 456 not found'));
    expect(messageTemplate('duplicate key "abc@x.io" for 3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(
      'duplicate key "<v>" for <uuid>',
    );
  });
});

describe('bounded structures', () => {
  it('the hashed id set dedupes across growth', () => {
    const set = new HashedIdSet(4);
    for (let i = 0; i < 10_000; i++) expect(set.add(`req-${i}`)).toBe(true);
    for (let i = 0; i < 10_000; i += 7) expect(set.add(`req-${i}`)).toBe(false);
    expect(set.size).toBe(10_000);
    expect(set.has('req-9999')).toBe(true);
    expect(set.has('req-10000')).toBe(false);
  });

  it('adaptive bins stay within the cap however long the input, merging counts exactly', () => {
    const bins = new AdaptiveBins<{ n: number }>(() => ({ n: 0 }), (a, b) => void (a.n += b.n), 1000, 200);
    const hour = 3_600_000;
    for (let t = 0; t < hour; t += 250) bins.at(1_700_000_000_000 + t).n++;
    expect(bins.size).toBeLessThanOrEqual(200);
    expect(bins.size).toBeGreaterThanOrEqual(100);
    expect(bins.entries().reduce((n, [, b]) => n + b.n, 0)).toBe(hour / 250);
  });
});

describe('aggregator', () => {
  const L = logLines();

  it('counts a request.finish logged twice once, and reports the duplicate', async () => {
    const agg = await aggregateLines([L.finish({ id: 'a' }), L.finish({ id: 'a' }), L.finish({ id: 'b' })]);
    expect(agg.totals.requests).toBe(2);
    expect(agg.input.duplicates).toBe(1);
  });

  it('groups unmatched paths by template and keeps the matched route otherwise', async () => {
    const agg = await aggregateLines([
      L.finish({ path: '/api/v1/things/1', route: null, status: 404 }),
      L.finish({ path: '/api/v1/things/2', route: null, status: 404 }),
      L.finish({ path: '/api/v1/todos/7', route: '/api/v1/todos/:id' }),
    ]);
    const unmatched = agg.routes.find((r) => r.route === '/api/v1/things/:id');
    expect(unmatched).toMatchObject({ count: 2, matched: false, statuses: { '404': 2 } });
    expect(agg.routes.find((r) => r.route === '/api/v1/todos/:id')?.matched).toBe(true);
  });

  it('caps distinct routes, folding the rest into (other)', async () => {
    const lines = Array.from({ length: LIMITS.routes + 20 }, (_, i) => L.finish({ path: `/r/word${String.fromCharCode(97 + (i % 26))}${i}x`, route: `/r/route-${i}` }));
    const agg = await aggregateLines(lines);
    expect(agg.routes.length).toBe(LIMITS.routes + 1);
    expect(agg.routes.find((r) => r.route === OTHER_ROUTE)?.count).toBe(20);
    expect(agg.overflow?.routes).toBe(20);
  });

  it('tracks unfinished requests (start, no finish) and aborts by route and over time', async () => {
    const agg = await aggregateLines([
      L.start({ id: 'done', t: L.at(0) }),
      L.finish({ id: 'done', t: L.at(10) }),
      L.start({ id: 'lost1', t: L.at(2000), method: 'POST', path: '/api/v1/todos' }),
      L.start({ id: 'lost2', t: L.at(2100), method: 'POST', path: '/api/v1/todos' }),
      L.start({ id: 'gone', t: L.at(3000) }),
      L.abort({ id: 'gone', t: L.at(8000), route: '/api/v1/todos' }),
      L.finish({ id: 'late', t: L.at(9000) }),
    ]);
    expect(agg.totals).toMatchObject({ requests: 2, unfinished: 2, aborts: 1 });
    expect(agg.unfinishedByRoute).toEqual([{ method: 'POST', route: '/api/v1/todos', count: 2, exampleRequestIds: ['lost1', 'lost2'] }]);
    expect(agg.routes.find((r) => r.method === 'GET')?.aborts).toBe(1);
    const bin2 = agg.bins.find((b) => b.start === L.at(2000));
    expect(bin2?.unfinished).toBe(2);
    expect(agg.bins.find((b) => b.start === L.at(8000))?.aborts).toBe(1);
  });

  it('puts error messages into the status cluster of the status actually sent', async () => {
    const agg = await aggregateLines([
      L.error({ id: 'e1', method: 'POST', path: '/api/v1/todos', message: 'insert failed for user 17', status: 500 }),
      L.finish({ id: 'e1', method: 'POST', path: '/api/v1/todos', status: 503 }),
      L.error({ id: 'e2', method: 'POST', path: '/api/v1/todos', message: 'insert failed for user 18', status: 500 }),
      L.finish({ id: 'e2', method: 'POST', path: '/api/v1/todos', status: 503 }),
    ]);
    expect(agg.statusClusters).toEqual([
      {
        method: 'POST',
        route: '/api/v1/todos',
        status: 503,
        count: 2,
        messages: [{ template: 'insert failed for user <n>', count: 2 }],
        exampleRequestIds: ['e1', 'e2'],
      },
    ]);
  });

  it('scopes runtime.stats and log.dropped (no run id) to the run by time', async () => {
    const agg = await aggregateLines([
      L.runtime({ t: L.at(-600_000), elP99: 999 }), // before the run
      L.finish({ id: 'a', t: L.at(0) }),
      L.runtime({ t: L.at(1000), elP99: 120 }),
      L.dropped({ t: L.at(1500), dropped: 3 }),
      L.finish({ id: 'b', t: L.at(2000) }),
      L.dropped({ t: L.at(900_000), dropped: 50 }), // after the run
    ]);
    expect(agg.runtime?.elDelayP99MsMax).toBe(120);
    expect(agg.input.droppedBySinks).toBe(3);
    expect(agg.bins.find((b) => b.start === L.at(1000))?.elDelayP99Ms).toBe(120);
  });

  it('latency comes from histograms: percentiles within 1% and never above the max', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => L.finish({ id: `r${i}`, ms: i + 1 }));
    const { latency } = (await aggregateLines(lines)).totals;
    expect(latency.count).toBe(1000);
    expect(latency.max).toBe(1000);
    expect(Math.abs(latency.p50 - 500) / 500).toBeLessThan(0.01);
    expect(Math.abs(latency.p99 - 990) / 990).toBeLessThan(0.01);
    expect(latency.p99).toBeLessThanOrEqual(latency.max);
  });

  it('attaches a local (jq) evidence query for each section, not a Logs Insights one it cannot run', async () => {
    const agg = await aggregateLines([L.finish({ id: 'a' })]);
    expect(agg.queries['suspicious-paths']).toMatchObject({ language: 'jq' });
    expect(agg.queries['suspicious-paths']!.text).toContain('.run_id == "run-1"');
    expect(agg.queries['status-clusters']!.text).toContain('request.finish');
  });
});
