/**
 * The CloudWatch source through the real SDK client against the fake CloudWatch + Logs Insights engine, on a
 * crafted run — compared with the local NDJSON source reading the same lines.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { LogjamError } from '../../../common/errors.js';
import type { RunAggregate } from '../../../analyzer/model.js';
import { analyze } from '../../../analyzer/analyses/index.js';
import { OUTPUT_FORMATS } from '../../../analyzer/report/formats.js';
import { buildReport } from '../../../analyzer/report/report.js';
import { craftRun, OTHER_RUN_ID, RUN_ID, type CraftedRun } from './crafted-run.js';
import { FAST, putLines, startFake, type Fake } from './helpers.js';

const GROUP = '/logjam/taskoverflow';
let fake: Fake;
let run: CraftedRun;
let dir: string;
let ndjson: string;

beforeAll(async () => {
  fake = await startFake();
  run = craftRun();
  putLines(fake, GROUP, [...run.lines, ...run.raw]);
  dir = mkdtempSync(join(tmpdir(), 'logjam-cw-'));
  ndjson = join(dir, 'run.ndjson');
  const text = [...run.lines.map((l) => JSON.stringify(l)), ...run.raw.map((r) => r.raw)].join('\n') + '\n';
  writeFileSync(ndjson, text);
});

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
  rmSync(dir, { recursive: true, force: true });
});

const source = (extra: Partial<Parameters<typeof createCloudWatchSource>[0]> = {}) =>
  createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false, ...extra });

/** What both sources must agree on exactly (percentiles are compared separately, with a tolerance). */
function comparable(agg: RunAggregate) {
  return {
    totals: {
      requests: agg.totals.requests,
      unfinished: agg.totals.unfinished,
      aborts: agg.totals.aborts,
      errors4xx: agg.totals.errors4xx,
      errors5xx: agg.totals.errors5xx,
      dbQueries: agg.totals.dbQueries,
      poolTimeouts: agg.totals.poolTimeouts,
      latencyCount: agg.totals.latency.count,
      latencyMax: agg.totals.latency.max,
    },
    routes: agg.routes
      .map((r) => ({ method: r.method, route: r.route, matched: r.matched, count: r.count, statuses: r.statuses, aborts: r.aborts }))
      .sort((a, b) => `${a.method} ${a.route}`.localeCompare(`${b.method} ${b.route}`)),
    suspicious: agg.suspiciousPaths
      .map((s) => ({ method: s.method, path: s.path, template: s.template, segment: s.segment, count: s.count, statuses: s.statuses }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    clusters: agg.statusClusters
      .map((c) => ({ method: c.method, route: c.route, status: c.status, count: c.count, messages: c.messages }))
      .sort((a, b) => `${a.method} ${a.route} ${a.status}`.localeCompare(`${b.method} ${b.route} ${b.status}`)),
    services: agg.services,
    workers: agg.workers,
    duplicates: agg.input.duplicates,
    droppedBySinks: agg.input.droppedBySinks,
    foreign: agg.input.foreign,
    runtimeSamples: agg.runtime?.samples,
    elDelayP99MsMax: agg.runtime?.elDelayP99MsMax,
    poolWaitingMax: agg.runtime?.poolWaitingMax,
    binMs: agg.binMs,
    firstTime: agg.firstTime,
    lastTime: agg.lastTime,
    // a duplicated line is taken out of its bin too (the duplicates query says when it was logged)
    bins: agg.bins.map((b) => [b.start, b.requests, b.errors4xx, b.errors5xx, b.aborts]),
  };
}

describe('CloudWatch source on a crafted run', () => {
  let cloud: RunAggregate;
  let local: RunAggregate;

  beforeAll(async () => {
    cloud = await source().aggregate(RUN_ID);
    local = await createLocalSource(ndjson).aggregate(RUN_ID);
  });

  it('finds what the run holds (hand-computed)', () => {
    // 60 + 24 + 10 + 15 + 6 + 3 + 5 + 1 finished requests (the duplicated finish counted once)
    expect(cloud.totals.requests).toBe(124);
    expect(cloud.input.duplicates).toBe(1);
    expect(cloud.totals.errors4xx).toBe(2 + 15 + 6 + 3);
    expect(cloud.totals.errors5xx).toBe(5);
    expect(cloud.totals.aborts).toBe(3);
    expect(cloud.totals.unfinished).toBe(2);
    expect(cloud.totals.poolTimeouts).toBe(1);
    const del = cloud.suspiciousPaths.find((s) => s.path === '/api/v1/todos/undefined');
    expect(del).toMatchObject({ method: 'DELETE', segment: 'undefined', count: 15, statuses: { '400': 15 } });
    expect(del!.exampleRequestIds.length).toBeGreaterThan(0);
    expect(cloud.suspiciousPaths.find((s) => s.path === '/api//todos')).toMatchObject({ segment: '//', count: 3 });
    const nope = cloud.routes.find((r) => r.route === '/api/v1/nope/:id');
    expect(nope).toMatchObject({ method: 'GET', matched: false, count: 6, statuses: { '404': 6 } });
    const stats = cloud.statusClusters.find((c) => c.route === '/api/v1/stats');
    expect(stats).toMatchObject({ status: 500, count: 5, messages: [{ template: 'connection <n> timed out after <n> ms', count: 5 }] });
    expect(cloud.input.droppedBySinks).toBe(7);
    expect(cloud.input.foreign).toBe(1);
    // runtime.stats every 5 s from +0 s; the one at +60 s is after the run's last line (+58 s)
    expect(cloud.runtime?.samples).toBe(12);
    expect(cloud.unfinishedByRoute).toEqual([{ method: 'PUT', route: '/api/v1/todos/:id', count: 2, exampleRequestIds: [] }]);
  });

  it('gives the same totals, routes, statuses, suspicious paths, clusters and timeline as the local source', () => {
    expect(comparable(cloud)).toEqual(comparable(local));
  });

  it('agrees with the local source on percentiles within histogram precision', () => {
    const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1, 0.05 * Math.max(a, b));
    for (const k of ['p50', 'p90', 'p95', 'p99', 'mean'] as const) {
      expect(close(cloud.totals.latency[k], local.totals.latency[k]), `${k}: ${cloud.totals.latency[k]} vs ${local.totals.latency[k]}`).toBe(true);
    }
    const matched = cloud.routes.filter((r) => r.matched);
    for (const r of matched) {
      const l = local.routes.find((x) => x.method === r.method && x.route === r.route)!;
      expect(close(r.latency.p95, l.latency.p95), `${r.method} ${r.route} p95 ${r.latency.p95} vs ${l.latency.p95}`).toBe(true);
      // means include a duplicated finish line in CloudWatch (one line in 62 here)
      expect(close(r.dbMsMean, l.dbMsMean), `${r.method} ${r.route} db ${r.dbMsMean} vs ${l.dbMsMean}`).toBe(true);
    }
  });

  it('reports the queries behind every section and what they scanned', () => {
    expect(cloud.queries['suspicious-paths']).toMatchObject({ language: 'logs-insights' });
    expect(cloud.queries['suspicious-paths']!.text).toContain(`run_id = "${RUN_ID}"`);
    expect(cloud.queries['runtime']!.text).toContain('runtime.stats');
    // issue 20: one analyze costs at most 10 queries (range, summary, dimensions and seven combined ones)
    expect(cloud.scanned!.queries).toBeLessThanOrEqual(10);
    expect(cloud.scanned!.queries).toBeGreaterThanOrEqual(9);
    expect(cloud.scanned!.recordsScanned).toBeGreaterThan(0);
    expect(cloud.scanned!.bytesScanned).toBeGreaterThan(0);
    expect(cloud.source).toBe(`cloudwatch:${GROUP} (us-east-1)`);
  });

  it('shows the query count and the bytes scanned in the input section of every format', () => {
    const report = buildReport({ aggregate: cloud, findings: analyze(cloud), now: new Date(0) });
    const { queries, recordsScanned, bytesScanned } = cloud.scanned!;
    expect(bytesScanned).toBeGreaterThan(1e3);
    expect(bytesScanned).toBeLessThan(1e6);
    const line = `${queries} queries, ${recordsScanned} records / ${(bytesScanned / 1e3).toFixed(1)} kB scanned`;
    for (const format of ['terminal', 'markdown', 'html'] as const) {
      expect(OUTPUT_FORMATS[format].render(report), format).toContain(line);
    }
    const json = JSON.parse(OUTPUT_FORMATS.json.render(report)) as { run: { scanned: RunAggregate['scanned'] } };
    expect(json.run.scanned).toEqual(cloud.scanned);
  });

  it('lists the runs of the group with their requests', async () => {
    const runs = await source().listRuns();
    expect(runs.map((r) => r.runId).sort()).toEqual([OTHER_RUN_ID, RUN_ID].sort());
    expect(runs.find((r) => r.runId === OTHER_RUN_ID)!.requests).toBe(5);
    // both sources count requests by id: the crafted run's duplicated finish line counts once in either listing
    const localRuns = await createLocalSource(ndjson).listRuns();
    expect(runs.find((r) => r.runId === RUN_ID)!.requests).toBe(localRuns.find((r) => r.runId === RUN_ID)!.requests);
  });

  it('traces one request in time order, error line included', async () => {
    const lines = await source().trace('req-0100');
    expect(lines.map((l) => l.event)).toEqual(['request.start', 'request.error', 'request.finish']);
    expect(lines[0]!.time).toBeLessThanOrEqual(lines[2]!.time);
    expect(await source().trace('no-such-request')).toEqual([]);
  });

  it('says a run has no lines and names the nearest runs (exit 2)', async () => {
    const error = await source().aggregate('lab-cw-2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogjamError);
    expect((error as LogjamError).exitCode).toBe(2);
    expect((error as LogjamError).message).toContain('no lines for run "lab-cw-2"');
    expect((error as LogjamError).message).toContain(RUN_ID);
  });

  it('honours --since/--until given to the source', async () => {
    const half = await source({ since: run.base, until: run.base + 29_999 }).aggregate(RUN_ID);
    const localHalf = await createLocalSource(ndjson, { since: run.base, until: run.base + 29_999 }).aggregate(RUN_ID);
    expect(half.totals.requests).toBeLessThan(cloud.totals.requests);
    expect(half.totals.requests).toBe(localHalf.totals.requests);
  });
});
