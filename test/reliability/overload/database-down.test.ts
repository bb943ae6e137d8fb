/**
 * The database stopped under a running app (the built `node dist/sample-app/main.js`, DATABASE_URL pointing at a
 * test PostgreSQL we stop and start again on the same port and data folder):
 *  - the pool's idle connections die with the server: pg emits 'error' on the pool, which must not crash the
 *    process (it is logged);
 *  - while the database is down, API requests and the health check get 503 JSON, and the process stays up;
 *  - when the database is back, requests succeed again without restarting the app.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIELDS } from '../../../middleware/schema.js';
import { AppProcess, MAIN_JS, type Line } from '../../integration/sample-app/helpers.js';
import { startRestartableTestPostgres, type RestartableTestPostgres } from '../../support/embedded-pg.js';
import { ms, percentile, reportFigure } from '../support/figure-line.js';
import { timedFetch, type TimedResponse } from '../support/timed-http.js';

const REQUESTS_WHILE_DOWN = 20;

let pg: RestartableTestPostgres;
let app: AppProcess | undefined;

beforeAll(async () => {
  pg = await startRestartableTestPostgres();
});

afterAll(async () => {
  app?.kill('SIGKILL'); // only if the test failed half-way
  await pg?.stop();
});

/** The pool's 'error' listener (sample-app/db/pool.ts) logs a dead idle connection as a warning. */
function isIdleClientError(l: Line): boolean {
  const msg = l[FIELDS.msg];
  return l[FIELDS.level] === 'warn' && typeof msg === 'string' && msg.startsWith('idle database connection failed');
}
const alive = (p: AppProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;

it('answers 503 while the database is down, stays up, and recovers when it returns', async () => {
  app = new AppProcess(MAIN_JS, [], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: pg.url,
    LOG_FILE: '',
    WEB_CONCURRENCY: '1',
    DB_POOL_MAX: '5',
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    SERVICE_NAME: 'taskoverflow-db-down',
  });
  const url = await app.url();

  // Warm the pool: several connections in use at once, then idle in the pool when the database goes away.
  const warm = await Promise.all(Array.from({ length: 5 }, () => timedFetch(`${url}/api/v1/todos`)));
  expect(warm.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

  await pg.stopServer();
  // The idle connections' 'error' events arrive on the pool: logged, not thrown.
  await app.waitForLine(isIdleClientError);

  const down: TimedResponse[] = [];
  for (let i = 0; i < REQUESTS_WHILE_DOWN; i++) down.push(await timedFetch(`${url}/api/v1/todos`));
  const health = await timedFetch(`${url}/api/v1/health`);
  const upWhileDown = alive(app);

  await pg.startServer();
  // The first requests after the database returns: no restart, no stale connection left in the pool.
  const back = [await timedFetch(`${url}/api/v1/health`), await timedFetch(`${url}/api/v1/todos`)];
  const idleErrors = app.lines.filter(isIdleClientError).length;

  const downStatuses = [...new Set(down.map((r) => r.status))].join(', ');
  reportFigure(
    'database down',
    `${REQUESTS_WHILE_DOWN} requests while PostgreSQL was stopped -> ${down.filter((r) => r.status === 503).length} x 503 ` +
      `(statuses seen: ${downStatuses}; ${ms(percentile(down.map((r) => r.durationMs), 50))} median), health ${health.status}; ` +
      `${idleErrors} idle-connection errors logged, process ${upWhileDown ? 'stayed up' : 'DIED'}; ` +
      `after restart: health ${back[0]!.status}, todos ${back[1]!.status} (no app restart)`,
  );

  expect(upWhileDown).toBe(true);
  for (const r of down) {
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toMatchObject({ error: expect.any(String) });
  }
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ error: expect.any(String) });
  expect(back.map((r) => r.status)).toEqual([200, 200]);

  // The same process still serves, and stops cleanly on SIGTERM.
  app.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });
});
