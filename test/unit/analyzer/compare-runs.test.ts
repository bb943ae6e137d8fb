/**
 * compareRuns and the --fail-on gate on crafted logs read by the real local source and analyzed by the one pipeline:
 * routes matched across runs (and the ones in one run only), the mean's change attributed to where the time went,
 * findings gone/new by id + key with each run's example ids, and gate limits that fail only on real breaches.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../analyzer/compare/compare.js';
import { evaluateGate, parseGateLimit, parseGateLimits } from '../../../analyzer/compare/gate.js';
import { renderComparisonText } from '../../../analyzer/compare/render-text.js';
import { analyzeRun, type RunAnalysis } from '../../../analyzer/pipeline.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { UsageError } from '../../../common/errors.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { writeLog } from './helpers.js';

interface Shape {
  runId: string;
  requests: number;
  /** ms per request on GET /api/v1/todos: base time, db, pool wait */
  rest: number;
  db: number;
  pool: number;
  errors?: number;
  suspicious?: number;
  onlyRoute?: string;
}

/** A run of `requests` GET /api/v1/todos over 20 s with jitter, plus optional 500s, undefined DELETEs, a lone route. */
function runLines(s: Shape): Line[] {
  const l = logLines({ runId: s.runId });
  const lines: Line[] = [];
  let seed = s.runId.length * 7919;
  const jitter = () => {
    seed = (seed * 16807) % 2147483647;
    return 0.8 + 0.4 * (seed / 2147483647);
  };
  for (let i = 0; i < s.requests; i++) {
    const t = l.at((i * 20_000) / s.requests);
    const db = s.db * jitter();
    const pool = s.pool * jitter();
    const ms = s.rest * jitter() + db + pool;
    lines.push(l.finish({ id: `${s.runId}-${i}`, t, route: '/api/v1/todos', ms, dbMs: db, poolWaitMs: pool, dbQueries: 1 }));
  }
  for (let i = 0; i < (s.errors ?? 0); i++) {
    lines.push(l.finish({ id: `${s.runId}-e${i}`, t: l.at(i * 10), method: 'POST', path: '/api/v1/todos', route: '/api/v1/todos', status: 500, ms: 5 }));
  }
  for (let i = 0; i < (s.suspicious ?? 0); i++) {
    lines.push(l.finish({ id: `${s.runId}-s${i}`, t: l.at(i * 10), method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, ms: 2 }));
  }
  if (s.onlyRoute) for (let i = 0; i < 30; i++) lines.push(l.finish({ id: `${s.runId}-o${i}`, t: l.at(i * 100), path: s.onlyRoute, route: s.onlyRoute, ms: 3 }));
  return lines;
}

async function analyses(base: Shape, run: Shape): Promise<[RunAnalysis, RunAnalysis]> {
  const file = writeLog([...runLines(base), ...runLines(run)]);
  const source = createLocalSource(file);
  return [await analyzeRun({ source, runId: base.runId }), await analyzeRun({ source, runId: run.runId })];
}

describe('compareRuns on crafted runs', () => {
  it('slower database: a regression, the added mean time attributed to database time', async () => {
    const [a, b] = await analyses({ runId: 'base', requests: 2000, rest: 4, db: 2, pool: 0 }, { runId: 'slow', requests: 2000, rest: 4, db: 30, pool: 0 });
    const cmp = compareRuns(a, b);
    expect(cmp.verdict).toBe('regression');
    expect(cmp.overall.latency.p95.verdict).toBe('regression');
    expect(cmp.overall.latency.breakdown.dominant).toBe('database');
    expect(cmp.overall.latency.breakdown.shares!.database).toBeGreaterThan(0.9);
    expect(cmp.overall.headline).toMatch(/is database time/);
    const route = cmp.routes.find((r) => r.route === '/api/v1/todos' && r.method === 'GET')!;
    // the whole run resamples its 1 s bins; the route its requests, widened by the run's factor
    expect(cmp.overall.latency.method).toBe('block-bootstrap');
    expect(route.latency.method).toBe('bootstrap-widened');
    expect(route.verdict).toBe('regression');
  });

  it('pool wait: the added time is attributed to the pool', async () => {
    const [a, b] = await analyses({ runId: 'base', requests: 2000, rest: 4, db: 2, pool: 0 }, { runId: 'pool', requests: 2000, rest: 4, db: 2, pool: 25 });
    const cmp = compareRuns(a, b);
    expect(cmp.overall.latency.breakdown.dominant).toBe('poolWait');
    expect(cmp.overall.latency.breakdown.sentence).toMatch(/is pool wait/);
  });

  it('same shape: no significant change anywhere', async () => {
    const [a, b] = await analyses({ runId: 'one', requests: 2000, rest: 4, db: 2, pool: 0 }, { runId: 'three', requests: 2000, rest: 4, db: 2, pool: 0 });
    const cmp = compareRuns(a, b);
    expect(cmp.verdict).toBe('no significant change');
    expect(cmp.findings.appeared).toEqual([]);
    expect(cmp.findings.vanished).toEqual([]);
  });

  it('the fix: suspicious path and 500 cluster gone (with the base run\'s example ids), a route only in one run listed', async () => {
    const [a, b] = await analyses(
      { runId: 'buggy', requests: 1000, rest: 4, db: 2, pool: 0, errors: 40, suspicious: 50, onlyRoute: '/api/v1/old' },
      { runId: 'fixed', requests: 1000, rest: 4, db: 2, pool: 0, onlyRoute: '/api/v1/new' },
    );
    const cmp = compareRuns(a, b);
    const gone = cmp.findings.vanished;
    const suspicious = gone.find((f) => f.id === 'suspicious-path');
    expect(suspicious?.key).toBe('DELETE /api/v1/todos/undefined');
    expect(suspicious?.exampleRequestIds[0]).toMatch(/^buggy-s\d+$/);
    expect(gone.some((f) => f.id === 'server-errors' && f.key.startsWith('POST /api/v1/todos 500'))).toBe(true);
    expect(cmp.onlyInBase.map((r) => r.route)).toContain('/api/v1/old');
    expect(cmp.onlyInRun.map((r) => r.route)).toContain('/api/v1/new');
    expect(cmp.overall.errorRate.verdict).toBe('improvement');
    const text = renderComparisonText(cmp, { markdown: false });
    expect(text).toMatch(/gone \(in the base run, not in this one\):/);
    expect(text).toMatch(/DELETE \/api\/v1\/todos\/undefined/);
  });
});

describe('--fail-on gate', () => {
  it('parses relative, absolute and per-route limits; bad ones are usage errors', () => {
    expect(parseGateLimit('p95<+10%')).toMatchObject({ metric: 'p95', op: '<', value: 10, unit: '%' });
    expect(parseGateLimit('error_rate<+0.5pp')).toMatchObject({ metric: 'error_rate', value: 0.5, unit: 'pp' });
    expect(parseGateLimit('mean<+0.2s')).toMatchObject({ value: 200, unit: 'ms' });
    expect(parseGateLimit('rps>-10%')).toMatchObject({ metric: 'rps', op: '>', value: -10 });
    expect(parseGateLimit('GET /api/v1/todos:p95<+10%').route).toEqual({ method: 'GET', route: '/api/v1/todos' });
    expect(parseGateLimit('route:/api/v1/todos/:id:p99<+20%').route).toEqual({ route: '/api/v1/todos/:id' });
    for (const bad of ['p95<10', 'p95<+10pp', 'error_rate<+1ms', 'rps>-10pp', 'latency<+1%', 'p95 is fine', 'GET /x']) {
      expect(() => parseGateLimits([bad]), bad).toThrow(UsageError);
    }
  });

  it('breaches on a real regression, passes when within the limit, and a missing route breaches', async () => {
    const [a, b] = await analyses({ runId: 'base', requests: 2000, rest: 4, db: 2, pool: 0 }, { runId: 'slow', requests: 2000, rest: 4, db: 30, pool: 0 });
    const cmp = compareRuns(a, b);
    const results = evaluateGate(parseGateLimits(['p95<+10%', 'p95<+5000%', 'error_rate<+0.5pp', 'GET /api/v1/todos:mean<+5ms', 'GET /api/v1/nope:p95<+10%']), cmp);
    expect(results.map((r) => r.ok)).toEqual([false, true, true, false, false]);
    expect(results[4]!.reason).toMatch(/in neither run/);
  });

  it('never breaches on noise: a limit exceeded by a change the test calls noise passes', async () => {
    const [a, b] = await analyses({ runId: 'one', requests: 2000, rest: 4, db: 2, pool: 0 }, { runId: 'three', requests: 2000, rest: 4, db: 2, pool: 0 });
    const cmp = compareRuns(a, b);
    const [r] = evaluateGate(parseGateLimits(['p95<+0%']), cmp);
    // the two runs' p95 differ by jitter only: either within the limit or flagged as noise, never a breach
    expect(r!.ok, r!.measured).toBe(true);
  });
});
