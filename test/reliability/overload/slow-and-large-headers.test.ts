/**
 * Hostile header traffic against the real TaskOverflow server (startApp: the same HTTP server, timeouts and limits
 * as `logjam app`), with a short HEADERS_TIMEOUT_MS so the test is quick:
 *  - slowloris: clients that trickle header bytes forever are cut off at about the headers timeout, while normal
 *    traffic sent during the attack is served in full;
 *  - a 17 KB header block is answered 431 and the server serves the next request.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../sample-app/server.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { ms, percentile, reportFigure, seconds } from '../support/figure-line.js';
import { openSlowHeaderClient } from '../support/slow-header-client.js';
import { rawGet, runNormalTraffic, timedFetch } from '../support/timed-http.js';

const HEADERS_TIMEOUT_MS = 2000;
const SLOW_CLIENTS = 50;
/** each slow client sends a byte 8 times per headers timeout: always active, never done */
const BYTE_INTERVAL_MS = 250;
/** a slow client still connected after this long was not cut off: the defence did not work */
const SLOW_CLIENT_BOUND_MS = 10 * HEADERS_TIMEOUT_MS;

let pg: TestPostgres;
let app: RunningApp;

beforeAll(async () => {
  pg = await startTestPostgres();
  app = await startApp(
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: pg.url,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: 10_000,
      serviceName: 'taskoverflow-overload',
    },
    // env: {} so a developer's own PORT/LOG_FILE/DATABASE_URL cannot change what is tested
    { env: {}, logStdout: false, say: () => {} },
  );
});

afterAll(async () => {
  await app?.stop();
  await pg?.stop();
});

it('cuts slow-header clients off at the headers timeout while normal traffic is served', async () => {
  const slow = Array.from({ length: SLOW_CLIENTS }, () =>
    openSlowHeaderClient({ port: app.port, byteIntervalMs: BYTE_INTERVAL_MS, boundMs: SLOW_CLIENT_BOUND_MS }),
  );
  await Promise.all(slow.map((c) => c.connected));
  const attackOver = Promise.all(slow.map((c) => c.outcome));

  // Normal clients keep calling while every slow client holds its connection, and at least 400 times.
  const normal = await runNormalTraffic({
    url: `${app.url}/api/v1/health`,
    concurrency: 4,
    minRequests: 400,
    maxRequests: 5000,
    until: attackOver,
  });
  const outcomes = await attackOver;

  const cut = outcomes.filter((o) => o.endedBy === 'server');
  const lifetimes = cut.map((o) => o.lifetimeMs);
  const answered408 = cut.filter((o) => o.status === 408).length;
  const served = normal.filter((r) => r.status === 200).length;
  const stillConnected = outcomes.length - cut.length;
  reportFigure(
    'slowloris',
    `${cut.length}/${SLOW_CLIENTS} slow clients cut by the server with HEADERS_TIMEOUT_MS ${HEADERS_TIMEOUT_MS}` +
      (cut.length > 0
        ? ` after ${seconds(percentile(lifetimes, 50))} median, ${seconds(Math.max(...lifetimes))} max (${answered408} answered 408, ${cut.length - answered408} closed)`
        : '') +
      (stillConnected > 0 ? `; ${stillConnected} still connected after ${seconds(SLOW_CLIENT_BOUND_MS)}` : '') +
      `; ${served}/${normal.length} normal requests served, ` +
      `p50 ${ms(percentile(normal.map((r) => r.durationMs), 50))}, p99 ${ms(percentile(normal.map((r) => r.durationMs), 99))}`,
  );

  // Every slow client was ended by the server, none by our bound, and none before the timeout it was owed.
  expect(outcomes.filter((o) => o.endedBy === 'bound')).toHaveLength(0);
  for (const o of cut) {
    expect(o.lifetimeMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    // Node answers a headers timeout with 408 and closes; a plain close is acceptable, any other answer is not
    expect(o.status === undefined || o.status === 408).toBe(true);
  }
  // Normal traffic during the attack: all of it served.
  expect(normal.length).toBeGreaterThanOrEqual(400);
  expect(normal.filter((r) => r.status !== 200)).toEqual([]);
  // ...and after it.
  expect((await timedFetch(`${app.url}/api/v1/health`)).status).toBe(200);
});

it('answers a 17 KB header block with 431 and serves the next request', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    statuses.push(await rawGet(app.port, '/api/v1/health', { 'x-filler': 'a'.repeat(17 * 1024) }));
    statuses.push(await rawGet(app.port, '/api/v1/health', { 'x-filler': 'a'.repeat(1024) }));
  }
  reportFigure('large headers', `17 KB header block -> ${statuses[0]}; next request -> ${statuses[1]} (5 rounds: ${statuses.join(' ')})`);
  expect(statuses).toEqual([431, 200, 431, 200, 431, 200, 431, 200, 431, 200]);
});
