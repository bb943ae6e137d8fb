/**
 * Pool exhaustion: DB_POOL_MAX=1 with SLOW_QUERY_MS holding the only connection. A burst far larger than the pool
 * gets quick 503 {"error":"database busy"} answers (bounded by DB_ACQUIRE_TIMEOUT_MS, not by the queue), each with
 * one db.pool_timeout line; after the burst the pool is idle again and requests succeed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import { runMigrations } from '../../../sample-app/db/migrations.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { buildApp, type BuiltApp } from '../../integration/sample-app/helpers.js';
import { ms, percentile, reportFigure } from '../support/figure-line.js';
import { timedFetch, type TimedResponse } from '../support/timed-http.js';

const SLOW_QUERY_MS = 1000;
const ACQUIRE_TIMEOUT_MS = 250;
const BURST = 30;

let pg: TestPostgres;
let app: BuiltApp;

beforeAll(async () => {
  pg = await startTestPostgres();
  app = await buildApp(pg.url, { poolMax: 1, acquireTimeoutMs: ACQUIRE_TIMEOUT_MS, knobs: { slowQueryMs: SLOW_QUERY_MS } });
  // buildApp does not migrate: create the schema through the app's own pool before any traffic
  await runMigrations(app.pool);
});

afterAll(async () => {
  await app?.close();
  await pg?.stop();
});

const requestIdOf = (r: TimedResponse): string | null => r.headers.get('x-request-id');

it('answers a burst beyond the pool with quick 503s and recovers afterwards', async () => {
  const burst = await Promise.all(Array.from({ length: BURST }, () => timedFetch(`${app.url}/api/v1/todos`)));
  const busy = burst.filter((r) => r.status === 503);
  const ok = burst.filter((r) => r.status === 200);

  // the pool is back to rest: nobody waiting, every connection idle
  const pool = { total: app.pool.totalCount, idle: app.pool.idleCount, waiting: app.pool.waitingCount };
  const after: TimedResponse[] = [];
  for (let i = 0; i < 5; i++) after.push(await timedFetch(`${app.url}/api/v1/todos`));

  const timeoutLines = app.lines.filter((l) => l[FIELDS.event] === EVENTS.dbPoolTimeout);
  const busyMs = busy.map((r) => r.durationMs);
  reportFigure(
    'pool exhaustion',
    `DB_POOL_MAX=1, SLOW_QUERY_MS=${SLOW_QUERY_MS}, DB_ACQUIRE_TIMEOUT_MS=${ACQUIRE_TIMEOUT_MS}: burst of ${BURST} -> ` +
      `${ok.length} x 200, ${busy.length} x 503 "database busy" in ${ms(percentile(busyMs, 50))} median / ${ms(Math.max(0, ...busyMs))} max ` +
      `(${timeoutLines.length} db.pool_timeout lines); after the burst pool ${pool.idle}/${pool.total} idle, ${pool.waiting} waiting, ` +
      `${after.filter((r) => r.status === 200).length}/${after.length} requests 200`,
  );

  // Every request got an answer: served, or refused cleanly; the burst did exhaust the pool.
  expect(ok.length + busy.length).toBe(BURST);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  expect(busy.length).toBeGreaterThanOrEqual(1);
  for (const r of busy) {
    expect(r.body).toEqual({ error: 'database busy' });
    expect(r.headers.get('retry-after')).toBe('1');
    // quick: bounded by the acquire timeout, not by waiting for the queue ahead (BURST x SLOW_QUERY_MS)
    expect(r.durationMs).toBeLessThan(BURST * SLOW_QUERY_MS);
  }
  // One db.pool_timeout line per 503, for that very request, with a wait of at least the acquire timeout.
  const busyIds = busy.map(requestIdOf).sort();
  expect(busyIds.every((id) => typeof id === 'string')).toBe(true);
  expect(timeoutLines.map((l) => l[FIELDS.requestId]).sort()).toEqual(busyIds);
  for (const line of timeoutLines) expect(line[FIELDS.poolWaitMs]).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 1);

  // Recovery: the pool's one connection is idle again and later requests are served.
  expect(pool).toEqual({ total: 1, idle: 1, waiting: 0 });
  expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  expect(app.pool.waitingCount).toBe(0);
});
