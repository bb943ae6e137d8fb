/**
 * runLoad() end to end against a TaskOverflow stand-in: the lab's scenario at a small scale (time ×0.01, VUs ×0.02:
 * studiers 0→20→50→0 over ~3.6 s, planners 1 VU × 8 iterations).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../loadtests/runner/index.js';
import { startTaskOverflowStub } from './taskoverflow-stub.js';
import type { TaskOverflowStub } from './taskoverflow-stub.js';
import type { K6Summary } from '../../../loadtests/k6-summary.js';

const SMALL = { timeScale: 0.01, vuScale: 0.02 };
let dir: string;
let stub: TaskOverflowStub | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const count = (xs: Array<{ method: string; url: string }>, method: string, url: RegExp): number =>
  xs.filter((r) => r.method === method && url.test(r.url)).length;

describe('runLoad, buggy variant (the lab script as written)', () => {
  it('sends DELETE /api/v1/todos/undefined, fails `is status 200` on POST, and counts every check', async () => {
    stub = await startTaskOverflowStub();
    const summaryPath = join(dir, 'buggy', 'summary.json');
    const { summary, summaryPath: written } = await runLoad(
      { ...SMALL, endpoint: stub.endpoint, variant: 'buggy', runId: 'test-buggy-1', summaryPath },
      {},
    );
    expect(written).toBe(summaryPath);
    const received = stub.received;
    const posts = count(received, 'POST', /^\/api\/v1\/todos$/);
    const deletes = received.filter((r) => r.method === 'DELETE');
    const gets = count(received, 'GET', /^\/api\/v1\/todos$/);

    // planners: 400 × 0.02 = 8 iterations, each one POST and one DELETE of `/undefined`
    expect(posts).toBe(8);
    expect(deletes).toHaveLength(8);
    for (const d of deletes) expect(d.url).toBe('/api/v1/todos/undefined');
    expect(deletes.every((d) => d.status === 400)).toBe(true);

    const planners = summary.logjam!.scenarios!.planners!;
    expect(planners.iterations).toBe(8);
    // POST answered 201 -> `is status 200` fails; DELETE answered 400 -> fails too
    expect(planners.checks).toEqual([expect.objectContaining({ name: 'is status 200', passes: 0, fails: 16 })]);

    // k6 merges same-named checks across scenarios: the studiers' passing GETs land in the same check
    const interrupted = summary.logjam!.interruptedRequests ?? 0;
    const rootCheck = summary.root_group.checks.find((c) => c.name === 'is status 200')!;
    expect(rootCheck.fails).toBe(16);
    expect(rootCheck.passes).toBeLessThanOrEqual(gets);
    expect(rootCheck.passes).toBeGreaterThanOrEqual(gets - interrupted);
    expect(summary.metrics.checks.values).toMatchObject({ passes: rootCheck.passes, fails: 16 });

    // X-Run-Id on every request
    expect(received.length).toBeGreaterThan(16);
    expect(received.every((r) => r.runId === 'test-buggy-1')).toBe(true);
    // the client's request count matches what the server saw (interrupted ones are not measured)
    expect(summary.metrics.http_reqs.values.count).toBeLessThanOrEqual(received.length);
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(received.length - interrupted);
    // only the 8 DELETEs (400) count as failed requests; 201 is not a failure for k6
    expect(summary.metrics.http_req_failed.values.passes).toBe(8);
    expect(summary.logjam!.noResponse.total).toBe(0);

    // the file on disk is the summary returned
    expect(JSON.parse(await readFile(summaryPath, 'utf8'))).toEqual(summary);
  });
});

describe('runLoad, fixed variant', () => {
  it('passes every check and deletes the todos it created', async () => {
    stub = await startTaskOverflowStub();
    const { summary, text } = await runLoad({ ...SMALL, endpoint: stub.endpoint, variant: 'fixed', summaryPath: join(dir, 'fixed.json') });
    const received = stub.received;
    const created = received.filter((r) => r.method === 'POST').length;
    const deleted = received.filter((r) => r.method === 'DELETE');
    expect(created).toBe(8);
    expect(deleted.map((d) => d.url).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `/api/v1/todos/${i + 1}`).sort());
    expect(summary.metrics.checks.values.fails).toBe(0);
    expect(summary.metrics.checks.values.passes).toBeGreaterThan(16);
    expect(summary.root_group.checks.map((c) => c.name).sort()).toEqual(['is status 200', 'is status 201']);
    expect(summary.metrics.http_req_failed.values.passes).toBe(0);
    // the generated run id has the documented shape and is on every request
    const runId = summary.logjam!.runId;
    expect(runId).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(received.every((r) => r.runId === runId)).toBe(true);
    expect(text).toContain('✓ is status 201');
    expect(text).not.toContain('✗ is status');
  });
});

describe('runLoad, summary shape', () => {
  it("has k6's field names, so the analyzer reads k6's summaries and ours the same way", async () => {
    stub = await startTaskOverflowStub();
    const { summary } = await runLoad({ ...SMALL, endpoint: stub.endpoint, summaryPath: join(dir, 'shape.json') });
    // what a reader of the file gets (no class instances, no undefined)
    const json = JSON.parse(JSON.stringify(summary)) as K6Summary;
    expect(Object.keys(json.metrics)).toEqual(
      expect.arrayContaining(['http_reqs', 'http_req_duration', 'http_req_failed', 'checks', 'iterations', 'vus_max']),
    );
    expect(Object.keys(json.metrics.http_req_duration.values)).toEqual(
      expect.arrayContaining(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']),
    );
    expect(json.metrics.http_req_duration).toMatchObject({ type: 'trend', contains: 'time' });
    expect(json.metrics.http_reqs.values).toEqual({ count: expect.any(Number), rate: expect.any(Number) });
    expect(Object.keys(json.metrics.http_req_failed.values).sort()).toEqual(['fails', 'passes', 'rate']);
    expect(Object.keys(json.metrics.checks.values).sort()).toEqual(['fails', 'passes', 'rate']);
    expect(Object.keys(json.metrics.vus_max.values).sort()).toEqual(['max', 'min', 'value']);
    // studiers 2500 × 0.02 + planners 20 × 0.02 (at least 1)
    expect(json.metrics.vus_max.values.value).toBe(51);
    expect(json.root_group).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [] });
    for (const check of json.root_group.checks) {
      expect(Object.keys(check).sort()).toEqual(['fails', 'id', 'name', 'passes', 'path']);
      expect(check.path).toBe(`::${check.name}`);
    }
    expect(json.state!.testRunDurationMs).toBeGreaterThan(0);
    const d = json.metrics.http_req_duration.values;
    expect(d.min).toBeLessThanOrEqual(d.med);
    expect(d.med).toBeLessThanOrEqual(d['p(90)']);
    expect(d['p(90)']).toBeLessThanOrEqual(d['p(95)']);
    expect(d['p(95)']).toBeLessThanOrEqual(d.max);
  });
});

describe('runLoad against a server that never answers', () => {
  it('counts the requests as timeouts and the run still ends by itself', async () => {
    stub = await startTaskOverflowStub({ silent: true });
    const { summary } = await runLoad({
      timeScale: 0.01, // planners' maxDuration 6 s: room for 2 iterations of 2 timeouts each on a busy machine
      vuScale: 0.004, // studiers 0→4→10→0, planners 1 VU × 2 iterations
      timeoutMs: 300,
      endpoint: stub.endpoint,
      summaryPath: join(dir, 'silent.json'),
    });
    const noResponse = summary.logjam!.noResponse;
    expect(noResponse.timeout).toBeGreaterThan(0);
    expect(noResponse.total).toBe(noResponse.timeout);
    expect(noResponse.refused).toBe(0);
    // every measured request failed, every check failed
    expect(summary.metrics.http_req_failed.values.passes).toBe(summary.metrics.http_reqs.values.count);
    expect(summary.metrics.checks.values.passes).toBe(0);
    expect(summary.metrics.checks.values.fails).toBeGreaterThan(0);
    expect(summary.logjam!.stoppedBy).toBeUndefined();
    // the planners' iterations all ran: the timeout, not the server, bounds each request
    expect(summary.logjam!.scenarios!.planners!.iterations).toBe(2);
  });
});

describe('runLoad, stopped by the caller', () => {
  it('stops soon after the signal and still returns and writes a summary', async () => {
    stub = await startTaskOverflowStub();
    const controller = new AbortController();
    const summaryPath = join(dir, 'aborted.json');
    const { summary } = await runLoad(
      { timeScale: 1, vuScale: 0.01, endpoint: stub.endpoint, summaryPath }, // a 6-minute run, unless stopped
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.requests >= 1) controller.abort();
        },
      },
    );
    expect(summary.logjam!.stoppedBy).toBe('signal');
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(1);
    expect(summary.logjam!.interruptedIterations).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(summaryPath, 'utf8')).logjam.stoppedBy).toBe('signal');
  });
});
