/**
 * slow-request-dimensions / failed-request-dimensions on crafted logs through the real local source: the counts
 * behind every ratio are checked exactly, and logs where nothing differs must flag nothing.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import { lift, minSupport, rankDimensions, zScore } from '../../../analyzer/analyses/request-dimensions.js';
import type { Finding, RunAggregate } from '../../../analyzer/model.js';
import { renderHtmlReport } from '../../../analyzer/report/html.js';
import { renderJson } from '../../../analyzer/report/json.js';
import { renderMarkdown } from '../../../analyzer/report/markdown.js';
import { buildReport } from '../../../analyzer/report/report.js';
import { renderTerminal } from '../../../analyzer/report/terminal.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { craftedSlowRouteLog as craftedLog, LIST, ONE } from '../../support/slow-route-log.js';
import { aggregateLines } from './helpers.js';

function byId(findings: Finding[], id: string): Finding {
  const f = findings.find((x) => x.id === id);
  expect(f, `finding ${id}`).toBeDefined();
  return f!;
}

describe('request dimensions: what the slow and the failed requests have in common', () => {
  it('counts slow requests per value from the histograms, exactly (1000 requests, 50 above the p95)', async () => {
    const agg = await aggregateLines(craftedLog());
    const d = agg.dimensions!;
    expect(d.requests).toBe(1000);
    expect(d.slow).toBe(50);
    expect(d.errors5xx).toBe(20);
    expect(d.aborts).toBe(10);
    expect(d.slowThresholdMs).toBe(agg.totals.latency.p95);
    expect(d.slowThresholdMs).toBeGreaterThanOrEqual(10);
    expect(d.slowThresholdMs).toBeLessThan(11);
    const routes = d.dimensions.find((x) => x.id === 'route')!.values;
    expect(routes).toEqual([
      { value: `GET ${LIST}`, requests: 800, slow: 5, errors5xx: 0, aborts: 10 },
      { value: `GET ${ONE}`, requests: 100, slow: 45, errors5xx: 0, aborts: 0 },
      { value: `POST ${LIST}`, requests: 100, slow: 0, errors5xx: 20, aborts: 0 },
    ]);
    const statuses = d.dimensions.find((x) => x.id === 'status')!.values;
    expect(statuses).toEqual([
      { value: '200', requests: 900, slow: 50, errors5xx: 0, aborts: 0 },
      { value: '201', requests: 80, slow: 0, errors5xx: 0, aborts: 0 },
      { value: '503', requests: 20, slow: 0, errors5xx: 20, aborts: 0 },
      { value: 'aborted', requests: 0, slow: 0, errors5xx: 0, aborts: 10 },
    ]);
    const queries = d.dimensions.find((x) => x.id === 'db-queries')!.values;
    // an abort line has no query count: aborts are left out of this dimension, not counted as "0"
    expect(queries).toEqual([
      { value: '1', requests: 900, slow: 5, errors5xx: 20, aborts: 0 },
      { value: '2', requests: 100, slow: 45, errors5xx: 0, aborts: 0 },
    ]);
    // time slices cover the run, in order, and add up
    const time = d.dimensions.find((x) => x.id === 'time')!.values;
    expect(time.length).toBeGreaterThan(1);
    expect(time.reduce((n, v) => n + v.requests, 0)).toBe(1000);
    expect(time.reduce((n, v) => n + v.slow, 0)).toBe(50);
  });

  it('ranks the slowed route first, with the counts behind its ratio; a dimension picking the same requests ties behind it', async () => {
    const agg = await aggregateLines(craftedLog());
    const f = byId(analyze(agg), 'slow-request-dimensions');
    expect(f.severity).toBe('warning');
    const [first, second] = f.ranking!;
    // 45 of 50 slow (90 %) vs 55 of 950 others: (45/50) / (55/950) = 15.545…
    expect(first).toMatchObject({ dimension: 'route', value: `GET ${ONE}`, inGroup: 45, group: 50, inRest: 55, rest: 950, lift: 15.55, overRepresented: true });
    expect(second).toMatchObject({ dimension: 'db-queries', value: '2', inGroup: 45, group: 50, inRest: 55, rest: 950, lift: 15.55 });
    expect(f.details![0]).toBe(`route GET ${ONE}: 45 of 50 slow requests (90 %) vs 6 % of the rest (55 of 950): 16×`);
    expect(f.title).toContain(`route: GET ${ONE}`);
    expect(f.counts).toMatchObject({ group: 50, rest: 950, requests: 1000, minSupport: 10, p95: agg.totals.latency.p95 });
    // GET list has only 5 slow requests: under the minimum support (10), never ranked
    expect(f.ranking!.some((e) => e.value === `GET ${LIST}` && e.dimension === 'route')).toBe(false);
    // every flagged entry passes all three thresholds
    for (const e of f.ranking!.filter((x) => x.overRepresented)) {
      expect(e.lift).toBeGreaterThanOrEqual(2);
      expect(e.z).toBeGreaterThanOrEqual(3);
      expect(e.inGroup).toBeGreaterThanOrEqual(10);
    }
  });

  it('ranks failed requests (5xx and aborts) against the rest, leaving out the status that defines them', async () => {
    const agg = await aggregateLines(craftedLog());
    const f = byId(analyze(agg), 'failed-request-dimensions');
    // 20 of 30 failed (20 × 503 + 10 aborts) vs 80 of the 980 finished non-5xx: (20/30) / (80/980) = 8.1666…
    expect(f.ranking![0]).toMatchObject({ dimension: 'route', value: `POST ${LIST}`, inGroup: 20, group: 30, inRest: 80, rest: 980, lift: 8.17, overRepresented: true });
    expect(f.ranking!.some((e) => e.dimension === 'status')).toBe(false);
    // the 10 aborted list requests: 10 of 30 vs 800 of 980 — ranked (support 10) and under-represented
    expect(f.ranking!.find((e) => e.value === `GET ${LIST}`)).toMatchObject({ inGroup: 10, inRest: 800, overRepresented: false });
    expect(f.counts).toMatchObject({ group: 30, errors5xx: 20, aborts: 10 });
  });

  it('every report format shows the ranking with its counts; --json carries it under the stable id', async () => {
    const agg = await aggregateLines(craftedLog());
    const report = buildReport({ aggregate: agg, findings: analyze(agg), now: new Date(0) });
    const line = `route GET ${ONE}: 45 of 50 slow requests (90 %) vs 6 % of the rest (55 of 950): 16×`;
    expect(renderTerminal(report, { color: false })).toContain(line);
    expect(renderMarkdown(report)).toContain(line);
    expect(renderHtmlReport(report)).toContain(line.replace(/&/g, '&amp;'));
    const json = JSON.parse(renderJson(report)) as { findings: Finding[] };
    const slow = json.findings.find((f) => f.id === 'slow-request-dimensions')!;
    expect(slow.ranking![0]).toMatchObject({ dimension: 'route', value: `GET ${ONE}`, inGroup: 45, group: 50, inRest: 55, rest: 950 });
    expect(json.findings.some((f) => f.id === 'failed-request-dimensions')).toBe(true);
    // the local source's evidence: a jq program that computes the p95 itself
    expect(slow.query).toMatchObject({ language: 'jq' });
    expect(slow.query!.text).toContain('$p95');
  });

  it('a balanced log (every route and process exactly 5 % slow) flags nothing', async () => {
    const lines: Line[] = [];
    for (const [host, pid] of [['host-a', 1], ['host-b', 2]] as const) {
      const L = logLines({ host, pid });
      for (let i = 0; i < 800; i++) {
        const route = [LIST, ONE, '/api/v1/health', '/api/v1/todos/:id/x'][i % 4]!;
        lines.push(L.finish({ id: `${host}-${i}`, t: L.at(i * 50), route, path: route, ms: Math.floor(i / 4) % 20 === 0 ? 500 : 10 }));
      }
    }
    const agg = await aggregateLines(lines);
    expect(agg.dimensions!.slow).toBe(80);
    const f = byId(analyze(agg), 'slow-request-dimensions');
    expect(f.severity).toBe('info');
    expect(f.ranking!.filter((e) => e.overRepresented)).toEqual([]);
    const routes = f.ranking!.filter((e) => e.dimension === 'route');
    expect(routes.map((e) => e.lift)).toEqual([1, 1, 1, 1]);
    expect(f.title).toMatch(/look like the rest/);
  });

  it('random durations independent of every dimension (20,000 requests) flag nothing', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const lines: Line[] = [];
    const hosts = [logLines({ host: 'h1', pid: 1 }), logLines({ host: 'h2', pid: 2 }), logLines({ host: 'h3', pid: 3 })];
    for (let i = 0; i < 20_000; i++) {
      const L = hosts[Math.floor(rand() * 3)]!;
      const route = [LIST, ONE, '/a', '/b', '/c'][Math.floor(rand() * 5)]!;
      lines.push(L.finish({ id: `r-${i}`, t: L.at(i * 10), route, path: route, ms: Math.round(5 + 200 * rand() ** 4), dbQueries: Math.floor(rand() * 3) }));
    }
    const f = byId(analyze(await aggregateLines(lines)), 'slow-request-dimensions');
    expect(f.ranking!.length).toBeGreaterThan(5);
    expect(f.ranking!.filter((e) => e.overRepresented)).toEqual([]);
  });
});

describe('the measure', () => {
  it('lift is the ratio of shares; a value never seen in the rest counts 0.5 there', () => {
    expect(lift({ a: 412, A: 500, b: 41, B: 455 })).toBeCloseTo(412 / 500 / (41 / 455), 10);
    expect(lift({ a: 20, A: 100, b: 0, B: 1000 })).toBe(0.2 / (0.5 / 1000));
    expect(zScore({ a: 25, A: 100, b: 475, B: 1900 })).toBe(0);
    expect(minSupport(50)).toBe(10);
    expect(minSupport(1000)).toBe(50);
  });

  it('a tiny group cannot top the ranking, however lopsided', () => {
    const d: RunAggregate['dimensions'] = {
      slowThresholdMs: 100,
      requests: 10_000,
      slow: 500,
      errors5xx: 0,
      aborts: 0,
      dimensions: [
        {
          id: 'route',
          label: 'route',
          values: [
            { value: 'GET /tiny', requests: 9, slow: 9, errors5xx: 0, aborts: 0 },
            { value: 'GET /big', requests: 3000, slow: 400, errors5xx: 0, aborts: 0 },
            { value: 'GET /rest', requests: 6991, slow: 91, errors5xx: 0, aborts: 0 },
          ],
        },
      ],
    };
    const ranked = rankDimensions(d, 'slow');
    expect(ranked.map((e) => e.value)).toEqual(['GET /big', 'GET /rest']);
  });
});
