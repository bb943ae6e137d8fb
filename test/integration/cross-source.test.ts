/**
 * One recorded run through both sources: the NDJSON file, and the CloudWatch source (the real SDK) against the
 * fake CloudWatch + Logs Insights engine holding the same lines. Both feed the one finishing layer, so they must
 * give the same findings (ids and counts), the same counts exactly, and percentiles within the Logs Insights
 * approximation documented in docs/cloudwatch.md. The same run stored twice (two copies of the log; a batch
 * CloudWatch kept twice) must give the same report, with the extra lines counted as duplicates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/analyses/index.js';
import { TOP_MESSAGES, OTHER_MESSAGES } from '../../analyzer/aggregate/finish.js';
import type { Finding, RunAggregate } from '../../analyzer/model.js';
import { createCloudWatchSource } from '../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../analyzer/sources/ndjson/index.js';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../middleware/schema.js';
import { FAST, putLines, startFake, type Fake } from './cloudwatch-source/helpers.js';

const RUN_ID = 'cross-1';
const GROUP = '/logjam/cross';
const GROUP_TWICE = '/logjam/cross-twice';
/** docs/cloudwatch.md: Logs Insights percentiles vs HDR histograms, within 5 % (or 1 ms for small values) */
const PERCENTILE_TOLERANCE = 0.05;

type Line = Record<string, unknown> & { time: number };

/** A recorded run: several routes, a status mix, errors with more than TOP_MESSAGES templates, aborts, DB time, pool wait. */
function recordRun(base: number): Line[] {
  const lines: Line[] = [];
  let seq = 0;
  const proc = (n: number) => ({ [F.service]: 'taskoverflow', [F.host]: n % 2 ? 'host-a' : 'host-b', [F.pid]: 200 + (n % 3), [F.worker]: 1 });
  const line = (time: number, n: number, extra: Record<string, unknown>): Line =>
    ({ [F.time]: time, [F.level]: 'info', [F.msg]: 'request', [F.schema]: SCHEMA_VERSION, ...proc(n), ...extra }) as Line;

  function request(o: { method: string; path: string; route?: string; status: number; duration: number; at: number; db?: number; wait?: number; error?: string }) {
    const n = ++seq;
    const id = `rq-${String(n).padStart(4, '0')}`;
    const scope = { [F.requestId]: id, [F.runId]: RUN_ID, [F.method]: o.method, [F.path]: o.path };
    const route = o.route ? { [F.route]: o.route } : {};
    const t0 = base + o.at;
    lines.push(line(t0, n, { ...scope, [F.event]: EVENTS.requestStart }));
    if (o.error) {
      lines.push(line(t0 + o.duration - 1, n, { ...scope, ...route, [F.level]: 'error', [F.event]: EVENTS.requestError, [F.status]: o.status, [F.err]: { type: 'Error', message: o.error } }));
    }
    lines.push(
      line(t0 + o.duration, n, {
        ...scope,
        ...route,
        [F.event]: EVENTS.requestFinish,
        [F.status]: o.status,
        [F.durationMs]: o.duration,
        [F.bytesOut]: 200,
        [F.dbMs]: o.db ?? o.duration / 5,
        [F.dbQueries]: 3,
        [F.poolWaitMs]: o.wait ?? 0,
      }),
    );
  }

  for (let i = 0; i < 90; i++) request({ method: 'GET', path: '/api/v1/todos', route: '/api/v1/todos', status: 200, duration: 6 + ((i * 7) % 40), at: i * 1000 });
  // a pool too small: most of this route's time is spent waiting for a connection
  for (let i = 0; i < 40; i++) request({ method: 'POST', path: '/api/v1/todos', route: '/api/v1/todos', status: 201, duration: 80 + (i % 9) * 5, at: 300 + i * 2200, db: 10, wait: 60 });
  for (let i = 0; i < 30; i++) {
    const missing = i % 5 === 0;
    request({ method: 'GET', path: `/api/v1/todos/${100 + i}`, route: '/api/v1/todos/:id', status: missing ? 404 : 200, duration: 3 + (i % 6), at: 500 + i * 2900, error: missing ? `todo ${100 + i} not found` : undefined });
  }
  // 500s with 14 message templates (counts 8, 7, 7, 6, … : ties exercise the documented tie-break), numbers masked
  const templates = ['deadlock detected', 'connection reset by peer', 'statement timeout', 'relation missing', 'disk full', 'too many clients', 'lock wait timeout', 'serialization failure', 'invalid byte sequence', 'out of shared memory', 'canceling statement', 'could not extend file', 'index corrupted', 'role does not exist'];
  let at = 700;
  templates.forEach((t, k) => {
    const count = Math.max(1, 8 - Math.floor((k + 1) / 2));
    for (let j = 0; j < count; j++) {
      request({ method: 'PUT', path: `/api/v1/todos/${300 + k}`, route: '/api/v1/todos/:id', status: 500, duration: 20 + j, at: (at += 650), error: `${t} (pid ${4000 + j}, after ${10 + k} ms)` });
    }
  });
  for (let i = 0; i < 12; i++) {
    request({ method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, duration: 2, at: 900 + i * 6000, error: 'invalid todo id "undefined"' });
  }
  for (let i = 0; i < 7; i++) request({ method: 'GET', path: `/api/v1/nope/${1000 + i}`, status: 404, duration: 1, at: 1100 + i * 9000 });
  for (let i = 0; i < 3; i++) request({ method: 'GET', path: '/health', route: '/health', status: 503, duration: 1, at: 1300 + i * 20_000 });
  // aborts: the client went away (5 on POST, 3 on GET)
  for (let i = 0; i < 8; i++) {
    const n = ++seq;
    const id = `rq-abort-${i}`;
    const method = i < 5 ? 'POST' : 'GET';
    const scope = { [F.requestId]: id, [F.runId]: RUN_ID, [F.method]: method, [F.path]: '/api/v1/todos' };
    const t0 = base + 1500 + i * 10_000;
    lines.push(line(t0, n, { ...scope, [F.event]: EVENTS.requestStart }));
    lines.push(line(t0 + 400, n, { ...scope, [F.route]: '/api/v1/todos', [F.event]: EVENTS.requestAbort, [F.durationMs]: 400 }));
  }
  // started and never finished
  for (let i = 0; i < 2; i++) lines.push(line(base + 88_000 + i, 1, { [F.requestId]: `rq-open-${i}`, [F.runId]: RUN_ID, [F.event]: EVENTS.requestStart, [F.method]: 'PATCH', [F.path]: `/api/v1/todos/${9 + i}` }));
  // runtime.stats inside the run's range: at its edges the local source scopes process-wide lines by 1 s context
  // bins, Logs Insights by the exact time (docs/cloudwatch.md), so a sample within a second of the ends may differ
  for (let t = 2000; t <= 87_000; t += 5000) {
    lines.push(line(base + t, 1, { [F.event]: EVENTS.runtimeStats, [F.elu]: 0.3, [F.elDelayP50Ms]: 5, [F.elDelayP99Ms]: 15 + t / 10_000, [F.elDelayMaxMs]: 30, [F.heapUsedMb]: 80, [F.inFlight]: 4, [F.poolTotal]: 10, [F.poolIdle]: 0, [F.poolWaiting]: 6 }));
  }
  return lines.sort((a, b) => a.time - b.time);
}

let fake: Fake;
let dir: string;
let lines: Line[];
let local: RunAggregate;
let cloud: RunAggregate;
let localTwice: RunAggregate;
let cloudTwice: RunAggregate;

const cloudSource = (logGroup: string) => createCloudWatchSource({ logGroup, progress: false, tuning: FAST, stopOnSigint: false });
const requestScoped = (l: Line) => typeof l[F.requestId] === 'string' && String(l[F.event]).startsWith('request.');

beforeAll(async () => {
  lines = recordRun(Date.now() - 30 * 60_000);
  dir = mkdtempSync(join(tmpdir(), 'logjam-cross-'));
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  writeFileSync(join(dir, 'run.ndjson'), text);
  // the request lines twice in one file (two copies of one log concatenated). Process-wide lines (runtime.stats,
  // log.dropped) carry no request id to de-duplicate by, so they are left single here.
  const again = lines.filter(requestScoped);
  writeFileSync(join(dir, 'twice.ndjson'), text + again.map((l) => JSON.stringify(l)).join('\n') + '\n');
  fake = await startFake();
  putLines(fake, GROUP, lines);
  // a batch CloudWatch stored twice: every event of the run once more, in another stream
  putLines(fake, GROUP_TWICE, lines, 'app/1');
  putLines(fake, GROUP_TWICE, again, 'app/1-retry');
  [local, cloud, localTwice, cloudTwice] = await Promise.all([
    createLocalSource(join(dir, 'run.ndjson')).aggregate(RUN_ID),
    cloudSource(GROUP).aggregate(RUN_ID),
    createLocalSource(join(dir, 'twice.ndjson')).aggregate(RUN_ID),
    cloudSource(GROUP_TWICE).aggregate(RUN_ID),
  ]);
}, 60_000);

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
  rmSync(dir, { recursive: true, force: true });
});

const PERCENTILE_KEYS = new Set(['p50', 'p90', 'p95', 'p99']);
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1, PERCENTILE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));

/** Findings by id: their counts without percentiles (compared with the tolerance separately). */
function findingCounts(findings: Finding[]) {
  return findings
    .map((f) => ({ id: f.id, severity: f.severity, counts: Object.fromEntries(Object.entries(f.counts).filter(([k]) => !PERCENTILE_KEYS.has(k))) }))
    .sort((a, b) => `${a.id} ${JSON.stringify(a.counts)}`.localeCompare(`${b.id} ${JSON.stringify(b.counts)}`));
}

/** Every count the two sources must agree on exactly. */
function exactCounts(agg: RunAggregate) {
  const { latency, ...totals } = agg.totals;
  return {
    totals: { ...totals, latencyCount: latency.count, latencyMax: latency.max, dbMsMean: round(totals.dbMsMean), poolWaitMsMean: round(totals.poolWaitMsMean) },
    routes: agg.routes.map((r) => ({ method: r.method, route: r.route, matched: r.matched, count: r.count, statuses: r.statuses, aborts: r.aborts, max: r.latency.max, db: round(r.dbMsMean), wait: round(r.poolWaitMsMean) })),
    clusters: agg.statusClusters.map((c) => ({ method: c.method, route: c.route, status: c.status, count: c.count, messages: c.messages })),
    suspicious: agg.suspiciousPaths.map(({ exampleRequestIds: _ids, ...s }) => s),
    unfinished: agg.unfinishedByRoute?.map(({ exampleRequestIds: _ids, ...u }) => u),
    bins: agg.bins.map((b) => [b.start, b.requests, b.errors4xx, b.errors5xx, b.aborts, round(b.concurrency), b.latency.max, b.elDelayP99Ms]),
    binMs: agg.binMs,
    firstTime: agg.firstTime,
    lastTime: agg.lastTime,
    services: agg.services,
    workers: agg.workers,
    duplicates: agg.input.duplicates,
    runtimeSamples: agg.runtime?.samples,
  };
}
const round = (n: number) => Math.round(n * 1000) / 1000;

describe('the same recorded run through the NDJSON and the CloudWatch source', () => {
  it('holds what the run was recorded with', () => {
    expect(local.totals).toMatchObject({ requests: 90 + 40 + 30 + 63 + 12 + 7 + 3, aborts: 8, unfinished: 2, errors5xx: 63 + 3, errors4xx: 6 + 12 + 7 });
    expect(local.routes.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter(requestScoped).length).toBe(589);
    const put = local.statusClusters.find((c) => c.method === 'PUT' && c.status === 500)!;
    // 14 templates: the top 10 by count (ties by template text), the other 4 folded into one line
    expect(put.messages).toHaveLength(TOP_MESSAGES + 1);
    expect(put.messages[0]).toEqual({ template: 'deadlock detected (pid <n>, after <n> ms)', count: 8 });
    expect(put.messages.slice(1, 3).map((m) => m.template)).toEqual(['connection reset by peer (pid <n>, after <n> ms)', 'statement timeout (pid <n>, after <n> ms)']);
    // 3 lines each: "canceling statement" < "out of shared memory", so the first is shown and the second folded
    expect(put.messages[TOP_MESSAGES - 1]).toEqual({ template: 'canceling statement (pid <n>, after <n> ms)', count: 3 });
    expect(put.messages[TOP_MESSAGES]).toEqual({ template: OTHER_MESSAGES, count: 3 + 2 + 2 + 1 });
    expect(local.totals.poolWaitMsMean).toBeGreaterThan(0);
    expect(local.totals.dbMsMean).toBeGreaterThan(0);
  });

  it('gives the same findings: ids, severities and counts', () => {
    const a = analyze(local);
    const b = analyze(cloud);
    expect(a.map((f) => f.id)).toEqual(expect.arrayContaining(['suspicious-path', 'server-errors', 'client-errors', 'aborts', 'unfinished', 'time-breakdown', 'latency']));
    expect(findingCounts(b)).toEqual(findingCounts(a));
  });

  it('finds the state the run left behind in both sources, with the route-statuses query as evidence', () => {
    // 40 todos created (POST 201), the 12 DELETEs went to /undefined (400) and the 30 GET /:id deleted nothing
    for (const [source, findings] of [['local', analyze(local)], ['cloudwatch', analyze(cloud)]] as const) {
      const left = findings.filter((f) => f.id === 'state-left-behind');
      expect(left, source).toHaveLength(1);
      expect(left[0]!.counts, source).toEqual({ created: 40, deleted: 0, left: 40, failedDeletes: 12 });
      expect(left[0]!.title, source).toBe('40 todos created, 0 deleted: the test leaves 40 todos behind');
    }
    const evidence = analyze(cloud).find((f) => f.id === 'state-left-behind')!.query!;
    expect(evidence).toEqual({ language: 'logs-insights', text: cloud.queries['route-statuses']!.text });
    expect(evidence.text).toContain(`stats count(*) as requests by ${F.method}, ${F.route}, ${F.status}`);
  });

  it('gives the same counts exactly', () => {
    expect(exactCounts(cloud)).toEqual(exactCounts(local));
    // de-duplication costs no query
    // issue 20: the range, the summary, slow-request-dimensions and seven combined queries (combined-queries.ts)
    expect(cloud.scanned!.queries).toBeLessThanOrEqual(10);
    expect(cloudTwice.scanned!.queries).toBe(cloud.scanned!.queries);
  });

  it('counts the same requests per dimension value: slow (above the p95), 5xx and aborted', () => {
    // the threshold is each source's own p95 (Logs Insights pct() vs the HDR bucket): here both put it between the
    // same two recorded durations, so the slow requests are the same ones
    const values = (agg: RunAggregate) => agg.dimensions!.dimensions.map((d) => ({ id: d.id, values: d.values }));
    expect(values(cloud)).toEqual(values(local));
    expect(local.dimensions!.dimensions.map((d) => d.id)).toEqual(['route', 'status', 'host', 'process', 'db-queries', 'pool-wait', 'response-size', 'time']);
    expect(local.dimensions!.slow).toBeGreaterThan(0);
    expect(local.dimensions!.aborts).toBe(8);
    // a line stored twice counts once in the dimensions query too
    expect(values(cloudTwice)).toEqual(values(cloud));
    const finding = analyze(cloud).find((f) => f.id === 'slow-request-dimensions')!;
    expect(finding.ranking).toEqual(analyze(local).find((f) => f.id === 'slow-request-dimensions')!.ranking);
    expect(finding.query!.text).toContain(`duration_ms - ${cloud.dimensions!.slowThresholdMs}`);
  });

  it('agrees on percentiles within the documented Logs Insights approximation', () => {
    for (const k of ['p50', 'p90', 'p95', 'p99', 'mean'] as const) {
      expect(close(cloud.totals.latency[k], local.totals.latency[k]), `total ${k}: ${cloud.totals.latency[k]} vs ${local.totals.latency[k]}`).toBe(true);
    }
    for (const r of cloud.routes.filter((x) => x.matched && x.count > 0)) {
      const l = local.routes.find((x) => x.matched && x.method === r.method && x.route === r.route)!;
      for (const k of ['p50', 'p95', 'p99'] as const) expect(close(r.latency[k], l.latency[k]), `${r.method} ${r.route} ${k}`).toBe(true);
    }
  });

  it('attaches evidence each source can run: Logs Insights for CloudWatch, jq for the file', () => {
    const cloudFindings = analyze(cloud).filter((f) => f.query);
    const localFindings = analyze(local).filter((f) => f.query);
    expect(cloudFindings.length).toBeGreaterThan(0);
    expect(cloudFindings.map((f) => f.id)).toEqual(localFindings.map((f) => f.id));
    expect(cloudFindings.every((f) => f.query!.language === 'logs-insights')).toBe(true);
    expect(localFindings.every((f) => f.query!.language === 'jq' && f.query!.text.includes(join(dir, 'run.ndjson')))).toBe(true);
  });

  it('counts each request event once when the log holds two copies (NDJSON), and says how many lines it ignored', () => {
    expect(localTwice.totals.aborts).toBe(8);
    expect(exactCounts(localTwice)).toEqual({ ...exactCounts(local), duplicates: lines.filter(requestScoped).length });
  });

  it('counts each request event once when CloudWatch stored the run twice, and says how many lines it ignored', () => {
    expect(cloudTwice.totals.aborts).toBe(8);
    expect(exactCounts(cloudTwice)).toEqual({ ...exactCounts(cloud), duplicates: lines.filter(requestScoped).length });
    expect(findingCounts(analyze(cloudTwice)).filter((f) => f.id !== 'duplicate-lines')).toEqual(findingCounts(analyze(cloud)));
  });
});
