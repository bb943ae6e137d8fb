/**
 * instrumentPool against a real embedded PostgreSQL: db.query lines (SQL text only), per-request totals on
 * request.finish, request context across a DB call, and PoolTimeoutError + db.pool_timeout on pool exhaustion.
 */
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, PoolTimeoutError, errorLogging, getLogger, instrumentPool, requestLogging, runtimeStats } from '../../../middleware/index.js';
import { captureLogger, listen } from './helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

function finishOf(capture: ReturnType<typeof captureLogger>['capture'], id: string) {
  return capture.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === id);
}

describe('instrumentPool', () => {
  it('writes one db.query line per query with the request id, never parameter values, and totals on finish', async () => {
    const { logger, capture } = captureLogger();
    const pool = instrumentPool(new pg.Pool({ connectionString: db.url, max: 2 }), { logger });
    const app = express();
    app.use(requestLogging({ logger }));
    app.get('/todos/:id', async (req, res) => {
      const a = await pool.query('SELECT $1::text AS secret, generate_series(1, 3) AS n', ['param-secret-value']);
      getLogger().info({ rows: a.rowCount }, 'after db');
      const client = await pool.connect();
      try {
        await client.query('SELECT 1');
        await client.query({ text: 'SELECT $1::int + 1 AS two', values: [1] });
      } finally {
        client.release();
      }
      res.json({ n: a.rows.length, id: req.params.id });
    });
    app.use(errorLogging());
    const server = await listen(app);
    try {
      const res = await fetch(`${server.url}/todos/7`, { headers: { 'x-request-id': 'db-1', 'x-run-id': 'run-db' } });
      expect(await res.json()).toEqual({ n: 3, id: '7' });
      const finish = await finishOf(capture, 'db-1');
      const queries = capture.event(EVENTS.dbQuery, 'db-1');
      expect(queries.map((q) => q.sql)).toEqual([
        'SELECT $1::text AS secret, generate_series(1, 3) AS n',
        'SELECT 1',
        'SELECT $1::int + 1 AS two',
      ]);
      expect(queries.map((q) => q.rows)).toEqual([3, 1, 1]);
      expect(queries.every((q) => q.run_id === 'run-db' && typeof q.db_ms === 'number' && typeof q.pool_wait_ms === 'number')).toBe(true);
      expect(capture.raw.some((l) => l.includes('param-secret-value'))).toBe(false);
      // Context survived the DB call: the application line after it carries the request.
      expect(capture.lines.find((l) => l.msg === 'after db')).toMatchObject({ request_id: 'db-1', run_id: 'run-db' });
      expect(finish.db_queries).toBe(3);
      const sumDb = queries.reduce((s, q) => s + (q.db_ms as number), 0);
      expect(finish.db_ms as number).toBeGreaterThan(0);
      expect(Math.abs((finish.db_ms as number) - sumDb)).toBeLessThan(0.01);
      const sumWait = queries.reduce((s, q) => s + (q.pool_wait_ms as number), 0);
      expect(Math.abs((finish.pool_wait_ms as number) - sumWait)).toBeLessThan(0.01);
    } finally {
      await server.close();
      await pool.end();
    }
  });

  it('logs a failed query with its SQLSTATE and without the offending value; callback style keeps the context', async () => {
    const { logger, capture } = captureLogger();
    const pool = instrumentPool(new pg.Pool({ connectionString: db.url, max: 1 }), { logger });
    const app = express();
    app.use(requestLogging({ logger }));
    app.get('/bad', (_req, res) => {
      pool.query('SELECT $1::int', ['not-a-number-secret'], (err) => {
        getLogger().info('in callback');
        res.status(err ? 500 : 200).send('done');
      });
    });
    const server = await listen(app);
    try {
      const res = await fetch(`${server.url}/bad`, { headers: { 'x-request-id': 'db-bad' } });
      expect(res.status).toBe(500);
      await finishOf(capture, 'db-bad');
      const [line] = capture.event(EVENTS.dbQuery, 'db-bad');
      expect(line).toMatchObject({ level: 'warn', sql: 'SELECT $1::int', err: { code: '22P02' } });
      expect(capture.raw.some((l) => l.includes('not-a-number-secret'))).toBe(false);
      expect(capture.lines.find((l) => l.msg === 'in callback')?.request_id).toBe('db-bad');
    } finally {
      await server.close();
      await pool.end();
    }
  });

  it('request.error masks the values PostgreSQL quotes: in the message, the stack and a wrapping error (cause chain)', async () => {
    const { logger, capture } = captureLogger();
    const pool = instrumentPool(new pg.Pool({ connectionString: db.url, max: 1 }), { logger });
    const app = express();
    app.use(requestLogging({ logger }));
    // A user's own service: no validation, the database error reaches errorLogging as it is, or wrapped.
    app.get('/raw', async () => {
      await pool.query('SELECT $1::timestamptz', ['0000-01-01']);
    });
    app.get('/wrapped', async () => {
      try {
        await pool.query('SELECT $1::int', ['wrapped-secret-value']);
      } catch (err) {
        throw new Error(`saving failed: ${(err as Error).message}`, { cause: err });
      }
    });
    app.use(errorLogging());
    const server = await listen(app);
    try {
      for (const [path, id] of [['/raw', 'mask-raw'], ['/wrapped', 'mask-wrapped']] as const) {
        const res = await fetch(`${server.url}${path}`, { headers: { 'x-request-id': id } });
        expect(res.status).toBe(500);
        await finishOf(capture, id);
      }
      const raw = capture.event(EVENTS.requestError, 'mask-raw')[0]?.err as Record<string, string>;
      expect(raw).toMatchObject({ code: '22008', message: 'date/time field value out of range: "…"' });
      expect(raw.stack).toContain('date/time field value out of range: "…"');
      const wrapped = capture.event(EVENTS.requestError, 'mask-wrapped')[0]?.err as Record<string, string>;
      expect(wrapped.message).toBe('saving failed: invalid input syntax for type integer: "…"');
      expect(wrapped.stack).toContain('saving failed: invalid input syntax for type integer: "…"');
      expect(capture.raw.filter((l) => l.includes('secret') || l.includes('0000-01-01'))).toEqual([]);
    } finally {
      await server.close();
      await pool.end();
    }
  });

  it('queries outside a request are logged without request fields', async () => {
    const { logger, capture } = captureLogger();
    const pool = instrumentPool(new pg.Pool({ connectionString: db.url, max: 1 }), { logger });
    try {
      await pool.query('SELECT 42');
      const line = await capture.waitFor((l) => l.event === EVENTS.dbQuery);
      expect(line).toMatchObject({ sql: 'SELECT 42', rows: 1, level: 'info' });
      expect('request_id' in line).toBe(false);
    } finally {
      await pool.end();
    }
  });

  it('pool exhaustion: PoolTimeoutError (LJ_POOL_TIMEOUT) and a db.pool_timeout line; the app can answer 503', async () => {
    const { logger, capture } = captureLogger();
    const pool = instrumentPool(
      new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 200 }),
      { logger },
    );
    const held = await pool.connect();
    const app = express();
    app.use(requestLogging({ logger }));
    app.get('/busy', async (_req, res) => {
      try {
        await pool.query('SELECT 1');
        res.send('ok');
      } catch (err) {
        if (err instanceof PoolTimeoutError) {
          res.status(503).json({ error: 'database busy', code: err.code, waited: err.waitedMs > 0 });
          return;
        }
        throw err;
      }
    });
    const server = await listen(app);
    try {
      const res = await fetch(`${server.url}/busy`, { headers: { 'x-request-id': 'db-busy' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'database busy', code: 'LJ_POOL_TIMEOUT', waited: true });
      const finish = await finishOf(capture, 'db-busy');
      const [timeout] = capture.event(EVENTS.dbPoolTimeout, 'db-busy');
      expect(timeout).toMatchObject({ level: 'warn', pool_total: 1, pool_idle: 0 });
      expect(timeout?.pool_wait_ms as number).toBeGreaterThan(0);
      expect(finish.pool_wait_ms).toBe(0);
      expect(finish.db_queries).toBe(0);
    } finally {
      held.release();
      await server.close();
      await pool.end();
    }
  });

  it('runtimeStats writes runtime.stats lines with the pool counts and stops', async () => {
    const { logger, capture } = captureLogger();
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    const client = await pool.connect();
    const stats = runtimeStats({ logger, intervalMs: 50, pool });
    try {
      const line = await capture.waitFor((l) => l.event === EVENTS.runtimeStats);
      expect(line).toMatchObject({ pool_total: 1, pool_idle: 0, pool_waiting: 0, in_flight: 0, level: 'info' });
      for (const field of ['elu', 'el_delay_p50_ms', 'el_delay_p99_ms', 'el_delay_max_ms', 'heap_used_mb']) {
        expect(typeof line[field]).toBe('number');
        expect(line[field] as number).toBeGreaterThanOrEqual(0);
      }
      expect(line.heap_used_mb as number).toBeGreaterThan(1);
      expect(line.elu as number).toBeLessThanOrEqual(1);
    } finally {
      stats.stop();
      client.release();
      await pool.end();
    }
    const count = capture.event(EVENTS.runtimeStats).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(capture.event(EVENTS.runtimeStats).length).toBe(count);
  });
});
