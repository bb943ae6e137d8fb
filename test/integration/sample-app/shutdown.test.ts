/**
 * Graceful shutdown of the built app (a child process) during a burst of POSTs: SIGTERM while requests are in
 * flight. Nothing may be lost: every request that got a response has its request.finish line in LOG_FILE, and every
 * todo a client saw created (201) is in the database. Requests sent after the server stopped accepting fail to
 * connect — that is allowed; a response without a log line, or a 201 without a row, is not.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { AppProcess, MAIN_JS, type Line } from './helpers.js';

let db: TestPostgres;
let dir: string;

beforeAll(async () => {
  db = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'logjam-shutdown-'));
});
afterAll(async () => {
  await db?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  requestId: string;
  sentBeforeSigterm: boolean;
  status?: number;
  id?: number;
  error?: string;
  respondedAfterSigterm?: boolean;
}

it('SIGTERM mid-burst: in-flight requests finish, every response is logged, every 201 is in the database', async () => {
  const logFile = join(dir, 'app.ndjson');
  // SLOW_QUERY_MS keeps requests in flight when the signal lands, so the drain has something to wait for.
  const app = new AppProcess(MAIN_JS, [], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    LOG_FILE: logFile,
    SLOW_QUERY_MS: '150',
    DB_POOL_MAX: '20',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  const url = await app.url();

  const outcomes: Outcome[] = [];
  let sigtermSent = false;
  const TOTAL = 120;
  const CONCURRENCY = 12;
  const SIGTERM_AFTER = 40; // responses
  let next = 0;
  let responses = 0;

  async function client(): Promise<void> {
    while (next < TOTAL) {
      const n = next++;
      const outcome: Outcome = { requestId: `burst-${n}`, sentBeforeSigterm: !sigtermSent };
      outcomes.push(outcome);
      try {
        const res = await fetch(`${url}/api/v1/todos`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': outcome.requestId },
          body: JSON.stringify({ title: `burst ${n}` }),
        });
        outcome.status = res.status;
        outcome.respondedAfterSigterm = sigtermSent;
        const body = (await res.json()) as { id?: number };
        if (res.status === 201) outcome.id = body.id;
      } catch (err) {
        outcome.error = (err as Error).message;
      }
      if (++responses === SIGTERM_AFTER) {
        sigtermSent = true;
        app.kill('SIGTERM');
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, () => client()));
  const exit = await app.exited;

  expect(exit).toEqual({ code: 0, signal: null });
  expect(app.stderr).not.toMatch(/\n\s+at /); // no stack trace

  const answered = outcomes.filter((o) => o.status !== undefined);
  const created = answered.filter((o) => o.status === 201);
  expect(created.length).toBeGreaterThanOrEqual(SIGTERM_AFTER);
  // requests in flight at the signal were completed, not cut
  expect(answered.some((o) => o.sentBeforeSigterm && o.respondedAfterSigterm && o.status === 201)).toBe(true);
  expect(answered.every((o) => o.status === 201)).toBe(true);

  const lines = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
  const finished = new Map(lines.filter((l) => l.event === 'request.finish').map((l) => [l.request_id, l]));
  for (const o of answered) expect(finished.get(o.requestId), o.requestId).toMatchObject({ status: o.status });
  expect(lines.some((l) => l.event === 'service.stop' && l.reason === 'SIGTERM')).toBe(true);

  const client2 = new pg.Client({ connectionString: db.url });
  await client2.connect();
  try {
    const ids = created.map((o) => o.id);
    const { rows } = await client2.query<{ n: string }>('select count(*) as n from todos where id = any($1::bigint[])', [ids]);
    expect(Number(rows[0]?.n)).toBe(created.length);
  } finally {
    await client2.end();
  }
});
