/**
 * Analyze without a run id on both sources: a service's own traffic (request lines with no run id) around one load
 * test run, selected by time. The CloudWatch source (real SDK, fake Logs Insights) filters by time instead of run id,
 * keeps every StartQuery inside the window, runs no more queries than for a run, and agrees with the local source
 * on the same lines; `inventory()` (behind `logjam runs`) counts the requests that carried no run id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunAggregate } from '../../../analyzer/model.js';
import { createCloudWatchSource, DEFAULT_LOOKBACK_MS } from '../../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { LogjamError } from '../../../common/errors.js';
import { logLines, toNdjson, type Line } from '../../support/log-lines.js';
import { FAST, putLines, startFake, type Fake } from './helpers.js';

const GROUP = '/logjam/window';
const MIN = 60_000;
const L = logLines({ runId: 'load-1' });
/** the window under test: minutes 2 to 12 */
const SINCE = L.at(2 * MIN);
const UNTIL = L.at(12 * MIN);

/** 40 untagged requests, one every 30 s over 20 min (every 4th a 404, every 10th a 500 with its error), and a run. */
function traffic(): Line[] {
  const lines: Line[] = [];
  for (let i = 0; i < 40; i++) {
    const t = L.at(i * 30_000);
    const id = `svc-${i}`;
    const status = i % 10 === 9 ? 500 : i % 4 === 3 ? 404 : 200;
    lines.push(L.start({ id, t: t - 20, path: `/api/items/${i}`, run: null }));
    if (status === 500) lines.push({ ...L.error({ id, t: t - 1, path: `/api/items/${i}`, route: '/api/items/:id', message: `item ${i} failed` }), run_id: undefined });
    lines.push(L.finish({ id, t, path: `/api/items/${i}`, route: '/api/items/:id', status, ms: 20, run: null }));
  }
  for (let i = 0; i < 10; i++) {
    lines.push(L.finish({ id: `load-${i}`, t: L.at(5 * MIN + i * 5000), path: '/api/todos', status: 200, ms: 40 }));
  }
  for (let m = 0; m < 20; m++) lines.push(L.runtime({ t: L.at(m * MIN + 1000) }));
  // JSON.stringify drops the undefined run_id of the error lines (the builder's run id), as the middleware never writes one
  return JSON.parse(JSON.stringify(lines)) as Line[];
}

/** In the window: untagged requests 4..24 (2:00 to 12:00, both ends included), and the run's 10. */
const IN_WINDOW = { untagged: 21, run: 10 };

let fake: Fake;
let dir: string;
let ndjson: string;

beforeAll(async () => {
  fake = await startFake();
  const lines = traffic();
  putLines(fake, GROUP, lines);
  dir = mkdtempSync(join(tmpdir(), 'logjam-window-'));
  ndjson = join(dir, 'service.ndjson');
  writeFileSync(ndjson, toNdjson(lines));
});

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
  rmSync(dir, { recursive: true, force: true });
});

const cloud = (extra: Partial<Parameters<typeof createCloudWatchSource>[0]> = {}) =>
  createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false, ...extra });

function comparable(a: RunAggregate) {
  return {
    totals: { requests: a.totals.requests, errors4xx: a.totals.errors4xx, errors5xx: a.totals.errors5xx, unfinished: a.totals.unfinished },
    routes: a.routes.map((r) => ({ method: r.method, route: r.route, count: r.count, statuses: r.statuses })).sort((x, y) => x.route.localeCompare(y.route)),
    clusters: a.statusClusters.map((c) => ({ route: c.route, status: c.status, count: c.count, messages: c.messages })).sort((x, y) => x.status - y.status),
    firstTime: a.firstTime,
    lastTime: a.lastTime,
    runtimeSamples: a.runtime?.samples,
    window: a.window,
  };
}

describe('analyze without a run id: a time window', () => {
  it('the local source takes every request in --since/--until, tagged or not', async () => {
    const agg = await createLocalSource(ndjson, { since: SINCE, until: UNTIL }).aggregate(undefined);
    expect(agg.window).toEqual({ since: SINCE, until: UNTIL });
    expect(agg.runId).toBe('');
    expect(agg.totals.requests).toBe(IN_WINDOW.untagged + IN_WINDOW.run);
    // untagged 4..24: 404 at i % 4 == 3 (7, 11, 15, 19, 23; not the 500s), 500 at 9 and 19
    expect(agg.totals.errors5xx).toBe(2);
    expect(agg.totals.errors4xx).toBe(4);
    const items = agg.statusClusters.find((c) => c.status === 500)!;
    expect(items.messages).toEqual([{ template: 'item <n> failed', count: 2 }]);
    // request 4's start line (20 ms before 2:00) is outside; its finish, at 2:00, is the window's first line
    expect(agg.firstTime).toBe(SINCE);
    expect(agg.input.outsideTimeRange).toBeGreaterThan(0);
    expect(agg.lastTime).toBe(UNTIL);
  });

  it('the CloudWatch source filters by time instead of run id, with every StartQuery inside the window, and agrees', async () => {
    const before = fake.engine.started.length;
    const agg = await cloud({ since: SINCE, until: UNTIL }).aggregate(undefined);
    const started = fake.engine.started.slice(before);
    expect(started.length).toBeGreaterThanOrEqual(9);
    expect(started.length).toBeLessThanOrEqual(10);
    for (const q of started) {
      expect(q.startTime).toBeGreaterThanOrEqual(Math.floor(SINCE / 1000));
      expect(q.endTime).toBeLessThanOrEqual(Math.ceil(UNTIL / 1000));
      expect(q.queryString).not.toContain('run_id = ');
    }
    const local = await createLocalSource(ndjson, { since: SINCE, until: UNTIL }).aggregate(undefined);
    expect(comparable(agg)).toEqual(comparable(local));
  });

  it('runs no more Logs Insights queries for a window than for a run', async () => {
    let before = fake.engine.started.length;
    await cloud({ since: L.at(0) - MIN, until: L.at(30 * MIN) }).aggregate('load-1');
    const forRun = fake.engine.started.length - before;
    before = fake.engine.started.length;
    await cloud({ since: SINCE, until: UNTIL }).aggregate(undefined);
    expect(fake.engine.started.length - before).toBe(forRun);
  });

  it('with --run, the window narrows within the run (both sources)', async () => {
    const since = L.at(5 * MIN + 20_000); // the run's requests 4..9
    const local = await createLocalSource(ndjson, { since }).aggregate('load-1');
    const remote = await cloud({ since, until: UNTIL }).aggregate('load-1');
    expect(local.totals.requests).toBe(6);
    expect(remote.totals.requests).toBe(6);
    expect(local.window).toBeUndefined();
  });

  it('without --since/--until: the whole input locally, the lookback ending now on CloudWatch', async () => {
    const local = await createLocalSource(ndjson).aggregate(undefined);
    expect(local.totals.requests).toBe(50);
    expect(local.window).toEqual({});
    const now = L.at(30 * MIN);
    const remote = await cloud({ now: () => now }).aggregate(undefined);
    expect(remote.totals.requests).toBe(50);
    expect(remote.window).toEqual({ since: now - DEFAULT_LOOKBACK_MS, until: now });
  });

  it('an empty window is a clear error on both sources (LJ_WINDOW_EMPTY, exit 2)', async () => {
    const since = L.at(60 * MIN);
    const until = L.at(61 * MIN);
    for (const source of [createLocalSource(ndjson, { since, until }), cloud({ since, until })]) {
      const err = await source.aggregate(undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LogjamError);
      expect((err as LogjamError).code).toBe('LJ_WINDOW_EMPTY');
      expect((err as LogjamError).message).toContain(`--since ${new Date(since).toISOString()}`);
    }
  });

  it('inventory() counts the requests with no run id, and their span, in one query on CloudWatch', async () => {
    const local = await createLocalSource(ndjson).inventory();
    const before = fake.engine.started.length;
    const remote = await cloud({ since: L.at(0) - MIN, until: L.at(30 * MIN) }).inventory();
    expect(fake.engine.started.length - before).toBe(1);
    for (const inv of [local, remote]) {
      expect(inv.runs.map((r) => [r.runId, r.requests])).toEqual([['load-1', 10]]);
      expect(inv.untagged).toEqual({ requests: 40, firstTime: L.at(0) - 20, lastTime: L.at(39 * 30_000) });
    }
  });
});
