/**
 * Issue 18 item 3, end to end: the sample app with ONE route slowed on purpose (KNOB_ROUTE + SLOW_QUERY_MS: a real
 * pg_sleep on GET /api/v1/todos/:id only, a pool bigger than the load so the other routes stay fast), loaded on three
 * routes at once by closed loops; slow-request-dimensions, read from the app's own log, must rank that route first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../analyzer/pipeline.js';
import { createLocalSource } from '../../analyzer/sources/ndjson/index.js';
import { startAppChild } from './support/app-child.js';
import { closedLoop } from './support/closed-loop.js';

const SLOW_ROUTE = 'GET /api/v1/todos/:id';
const LOAD_MS = 6_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-e2e-slowdims-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('slow-request-dimensions on a real run with one route slowed on purpose', () => {
  it(`ranks ${SLOW_ROUTE} first (SLOW_QUERY_MS=150 on that route only)`, { timeout: 120_000 }, async () => {
    const app = await startAppChild({ dir, env: { SLOW_QUERY_MS: '150', KNOB_ROUTE: SLOW_ROUTE, DB_POOL_MAX: '20' } });
    const runId = 'e2e-slow-route';
    let statuses: Record<string, number>[] = [];
    try {
      const created = await fetch(`${app.url}/api/v1/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'one' }) });
      const { id } = (await created.json()) as { id: number };
      const common = { runId, maxDurationMs: LOAD_MS, requests: 100_000 };
      const results = await Promise.all([
        closedLoop({ ...common, url: `${app.url}/api/v1/todos`, concurrency: 3 }),
        closedLoop({ ...common, url: `${app.url}/api/v1/todos/${id}`, concurrency: 2 }),
        closedLoop({ ...common, url: `${app.url}/api/v1/todos`, method: 'POST', body: { title: 'load' }, concurrency: 2 }),
      ]);
      statuses = results.map((r) => r.statuses);
    } finally {
      expect(await app.stop()).toBe(0);
    }
    expect(statuses[1]!['200'], 'the slowed route answered').toBeGreaterThan(20);
    const { findings, aggregate } = await analyzeRun({ source: createLocalSource(app.logFile), runId });
    const f = findings.find((x) => x.id === 'slow-request-dimensions');
    const why = JSON.stringify({ counts: f?.counts, top: f?.ranking?.slice(0, 4), routes: aggregate.routes.map((r) => [r.method, r.route, r.count, r.latency.p95]) });
    expect(f, why).toBeDefined();
    expect(f!.ranking![0], why).toMatchObject({ dimension: 'route', value: SLOW_ROUTE, overRepresented: true });
    // the counts behind the ratio are the slowed route's own: every one of its requests took the 150 ms sleep
    const route = aggregate.dimensions!.dimensions.find((d) => d.id === 'route')!.values.find((v) => v.value === SLOW_ROUTE)!;
    expect(f!.ranking![0]!.inGroup, why).toBe(route.slow);
    expect(f!.ranking![0]!.inGroup + f!.ranking![0]!.inRest, why).toBe(route.requests);
    expect(f!.severity).toBe('warning');
  });
});
