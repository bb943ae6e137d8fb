/** TaskOverflow's HTTP API on a real (embedded) PostgreSQL: CRUD, status codes, validation, error bodies, knobs. */
import request from 'supertest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../sample-app/db/migrations.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { buildApp, type BuiltApp, type Line } from './helpers.js';

let db: TestPostgres;
let main: BuiltApp;

beforeAll(async () => {
  db = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: db.url });
  // twice: the second run must find everything applied
  expect((await runMigrations(pool)).length).toBeGreaterThan(0);
  expect(await runMigrations(pool)).toEqual([]);
  await pool.end();
  main = await buildApp(db.url);
});

afterAll(async () => {
  await main?.close();
  await db?.stop();
});

const finishLine = (lines: Line[], requestId: string): Line | undefined =>
  lines.find((l) => l.event === 'request.finish' && l.request_id === requestId);

describe('todos CRUD', () => {
  it("accepts the lab's k6 body (a date-time without a zone) and stores it as UTC", async () => {
    const labBody = { title: 'CSSE6400 Clout Assignment', description: 'Make a cloud', completed: false, deadline_at: '2024-05-31T23:59:00' };
    const created = await request(main.url).post('/api/v1/todos').send(labBody).expect(201);
    expect(created.body).toMatchObject({ title: labBody.title, deadline_at: '2024-05-31T23:59:00.000Z' });
  });

  it('creates, reads, lists, filters, updates and deletes a todo with the right status codes', async () => {
    const created = await request(main.url)
      .post('/api/v1/todos')
      .send({ title: 'write tests', description: 'real database', deadline_at: '2030-01-31T12:00:00Z' })
      .expect(201);
    expect(created.headers['content-type']).toMatch(/application\/json/);
    const todo = created.body as { id: number; title: string; completed: boolean; deadline_at: string; created_at: string; updated_at: string };
    expect(created.headers.location).toBe(`/api/v1/todos/${todo.id}`);
    expect(todo).toMatchObject({ title: 'write tests', description: 'real database', completed: false, deadline_at: '2030-01-31T12:00:00.000Z' });
    expect(Number.isInteger(todo.id) && todo.id > 0).toBe(true);
    expect(Date.parse(todo.created_at)).not.toBeNaN();

    const fetched = await request(main.url).get(created.headers.location as string).expect(200);
    expect(fetched.body).toEqual(todo);

    const updated = await request(main.url).put(`/api/v1/todos/${todo.id}`).send({ completed: true, deadline_at: null }).expect(200);
    expect(updated.body).toMatchObject({ id: todo.id, title: 'write tests', completed: true, deadline_at: null });
    expect(Date.parse(updated.body.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(todo.updated_at));

    const open = await request(main.url).post('/api/v1/todos').send({ title: 'still open' }).expect(201);
    const doneList = await request(main.url).get('/api/v1/todos?completed=true').expect(200);
    const openList = await request(main.url).get('/api/v1/todos?completed=false').expect(200);
    const all = await request(main.url).get('/api/v1/todos').expect(200);
    const ids = (list: { body: { id: number }[] }): number[] => list.body.map((t) => t.id);
    expect(ids(doneList)).toContain(todo.id);
    expect(ids(doneList)).not.toContain(open.body.id);
    expect(ids(openList)).toContain(open.body.id);
    expect(ids(openList)).not.toContain(todo.id);
    expect(ids(all)).toEqual(expect.arrayContaining([todo.id, open.body.id]));

    const deleted = await request(main.url).delete(`/api/v1/todos/${todo.id}`).expect(200);
    expect(deleted.body.id).toBe(todo.id);
    await request(main.url).get(`/api/v1/todos/${todo.id}`).expect(404, { error: 'todo not found' });
    await request(main.url).put(`/api/v1/todos/${todo.id}`).send({ title: 'x' }).expect(404, { error: 'todo not found' });
    await request(main.url).delete(`/api/v1/todos/${todo.id}`).expect(404, { error: 'todo not found' });
  });

  it('answers GET /api/v1/health after a database round trip', async () => {
    const res = await request(main.url).get('/api/v1/health').set('x-request-id', 'health-check-1').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    const line = finishLine(main.lines, 'health-check-1');
    expect(line).toMatchObject({ route: '/api/v1/health', status: 200, db_queries: 1 });
  });
});

describe('malformed ids', () => {
  it.each(['undefined', '0', '-1', '1.5', '99999999999999999999', '01', '1e3', '%20'])('GET/PUT/DELETE /api/v1/todos/%s -> 400 naming the value', async (raw) => {
    const expected = { error: 'invalid id', value: decodeURIComponent(raw) };
    await request(main.url).get(`/api/v1/todos/${raw}`).expect(400, expected);
    await request(main.url).put(`/api/v1/todos/${raw}`).send({ title: 'x' }).expect(400, expected);
    await request(main.url).delete(`/api/v1/todos/${raw}`).expect(400, expected);
  });

  it('caps the echoed value of a long id', async () => {
    const res = await request(main.url).get(`/api/v1/todos/${'a'.repeat(5000)}`).expect(400);
    expect(res.body.error).toBe('invalid id');
    expect((res.body.value as string).length).toBeLessThanOrEqual(65);
  });

  it('does not run a query for a rejected id', async () => {
    await request(main.url).get('/api/v1/todos/undefined').set('x-request-id', 'bad-id-1').expect(400);
    expect(finishLine(main.lines, 'bad-id-1')).toMatchObject({ status: 400, db_queries: 0 });
  });
});

describe('invalid bodies', () => {
  const cases: [string, unknown, Record<string, unknown>][] = [
    ['missing title', { description: 'x' }, { title: 'is required' }],
    ['empty title', { title: '   ' }, { title: 'must not be empty' }],
    ['long title', { title: 't'.repeat(201) }, { title: 'must be at most 200 characters' }],
    ['title not a string', { title: 42 }, { title: 'must be a string' }],
    ['long description', { title: 'ok', description: 'd'.repeat(2001) }, { description: 'must be at most 2000 characters' }],
    ['completed not boolean', { title: 'ok', completed: 'yes' }, { completed: 'must be true or false' }],
    ['deadline not a date', { title: 'ok', deadline_at: 'tomorrow' }, { deadline_at: expect.stringMatching(/ISO 8601/) }],
    ['impossible date', { title: 'ok', deadline_at: '2025-02-30' }, { deadline_at: expect.stringMatching(/ISO 8601/) }],
    ['unknown field', { title: 'ok', priority: 1 }, { priority: 'unknown field' }],
    ['array body', [{ title: 'ok' }], { body: expect.stringMatching(/JSON object/) }],
  ];
  it.each(cases)('POST with %s -> 400 listing the field', async (_name, body, fields) => {
    const res = await request(main.url).post('/api/v1/todos').send(body as object).expect(400);
    expect(res.body).toEqual({ error: 'invalid body', fields });
  });

  it('reports every bad field at once', async () => {
    const res = await request(main.url).post('/api/v1/todos').send({ title: '', completed: 1, deadline_at: 5 }).expect(400);
    expect(Object.keys(res.body.fields as object).sort()).toEqual(['completed', 'deadline_at', 'title']);
  });

  it('rejects a body that is not JSON (wrong content type) and an empty PUT', async () => {
    const res = await request(main.url).post('/api/v1/todos').set('content-type', 'text/plain').send('title=x').expect(400);
    expect(res.body.error).toBe('invalid body');
    await request(main.url).put('/api/v1/todos/1').send({}).expect(400, { error: 'invalid body', fields: { body: 'must set at least one field' } });
  });

  it('answers malformed JSON with a 400 JSON body and an oversized body with 413 JSON', async () => {
    const malformed = await request(main.url).post('/api/v1/todos').set('content-type', 'application/json').send('{"title": "x"').expect(400);
    expect(malformed.headers['content-type']).toMatch(/application\/json/);
    expect(malformed.body).toEqual({ error: 'malformed JSON body' });
    const big = await request(main.url).post('/api/v1/todos').send({ title: 'x', description: 'd'.repeat(100_000) }).expect(413);
    expect(big.body).toEqual({ error: 'body too large' });
  });

  it('answers 400 for a bad completed filter', async () => {
    await request(main.url).get('/api/v1/todos?completed=maybe').expect(400, { error: 'invalid query', fields: { completed: 'must be true or false' } });
  });
});

describe('errors are JSON and never leak internals', () => {
  it('answers an unknown route or method with 404 JSON', async () => {
    await request(main.url).get('/api/v2/todos').expect(404, { error: 'not found' });
    await request(main.url).patch('/api/v1/todos/1').send({ title: 'x' }).expect(404, { error: 'not found' });
  });

  it('answers a database failure with 500 JSON carrying the request id, no stack, no SQL error text', async () => {
    // a database without the schema: every todo query fails with "relation does not exist"
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('create database no_schema');
    await admin.end();
    const broken = await buildApp(db.url.replace(/\/postgres$/, '/no_schema'));
    try {
      const res = await request(broken.url).get('/api/v1/todos').set('x-request-id', 'broken-1').expect(500);
      expect(res.body).toEqual({ error: 'internal error', request_id: 'broken-1' });
      expect(res.text).not.toMatch(/relation|stack|at /);
      const errorLine = broken.lines.find((l) => l.event === 'request.error');
      expect(errorLine).toMatchObject({ request_id: 'broken-1', status: 500 });
    } finally {
      await broken.close();
    }
  });
});

describe('bottleneck knobs leave distinct traces', () => {
  it('N_PLUS_ONE: the list costs one query per todo instead of one', async () => {
    const knobbed = await buildApp(db.url, { knobs: { nPlusOne: true } });
    try {
      for (let i = 0; i < 3; i++) await request(main.url).post('/api/v1/todos').send({ title: `n+1 ${i}` }).expect(201);
      const count = (await request(main.url).get('/api/v1/todos').set('x-request-id', 'list-plain').expect(200)).body.length as number;
      const nPlusOne = await request(knobbed.url).get('/api/v1/todos').set('x-request-id', 'list-n1').expect(200);
      expect(nPlusOne.body.length).toBe(count);
      expect(finishLine(main.lines, 'list-plain')).toMatchObject({ db_queries: 1 });
      expect(finishLine(knobbed.lines, 'list-n1')).toMatchObject({ db_queries: count + 1 });
    } finally {
      await knobbed.close();
    }
  });

  it('CPU_WORK_MS: the request takes at least that long with no database time added', async () => {
    const knobbed = await buildApp(db.url, { knobs: { cpuWorkMs: 60 } });
    try {
      await request(knobbed.url).get('/api/v1/todos/1').set('x-request-id', 'cpu-1');
      const line = finishLine(knobbed.lines, 'cpu-1');
      expect(line?.duration_ms as number).toBeGreaterThanOrEqual(60);
      expect(line?.db_queries).toBe(1);
    } finally {
      await knobbed.close();
    }
  });

  it('SLOW_QUERY_MS: one extra pg_sleep query whose time shows as db_ms', async () => {
    const knobbed = await buildApp(db.url, { knobs: { slowQueryMs: 100 } });
    try {
      await request(knobbed.url).get('/api/v1/todos/1').set('x-request-id', 'slow-1');
      const line = finishLine(knobbed.lines, 'slow-1');
      expect(line?.db_queries).toBe(2);
      expect(line?.db_ms as number).toBeGreaterThanOrEqual(100);
      const sleep = knobbed.lines.find((l) => l.event === 'db.query' && l.request_id === 'slow-1' && String(l.sql).includes('pg_sleep'));
      expect(sleep?.db_ms as number).toBeGreaterThanOrEqual(100);
    } finally {
      await knobbed.close();
    }
  });

  it('SLOW_QUERY_MS past the statement timeout: 503 database timeout, not a hang or a 500', async () => {
    const knobbed = await buildApp(db.url, { knobs: { slowQueryMs: 2000 }, statementTimeoutMs: 100 });
    try {
      await request(knobbed.url).get('/api/v1/todos').expect(503, { error: 'database timeout' });
    } finally {
      await knobbed.close();
    }
  });
});

describe('pool exhaustion (DB_POOL_MAX=1 + SLOW_QUERY_MS)', () => {
  it('answers the requests that cannot get a connection with quick 503s while the slow one finishes', async () => {
    const tiny = await buildApp(db.url, { poolMax: 1, acquireTimeoutMs: 200, knobs: { slowQueryMs: 3000 } });
    try {
      const finished: { i: number; status: number; body: unknown }[] = [];
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          request(tiny.url)
            .get('/api/v1/todos')
            .set('x-request-id', `pool-${i}`)
            .then((res) => finished.push({ i, status: res.status, body: res.body })),
        ),
      );
      const busy = finished.filter((f) => f.status === 503);
      const ok = finished.filter((f) => f.status === 200);
      expect(busy.length).toBeGreaterThanOrEqual(3);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(busy.every((f) => JSON.stringify(f.body) === '{"error":"database busy"}')).toBe(true);
      // quick, not queued behind the slow query: every 503 arrived before the first 200
      const firstOk = finished.findIndex((f) => f.status === 200);
      expect(finished.slice(0, firstOk).length).toBe(busy.length);
      // and the reason is in the logs
      const timeouts = tiny.lines.filter((l) => l.event === 'db.pool_timeout');
      expect(timeouts.length).toBe(busy.length);
      for (const f of busy) expect(finishLine(tiny.lines, `pool-${f.i}`)).toMatchObject({ status: 503 });
    } finally {
      await tiny.close();
    }
  });
});
