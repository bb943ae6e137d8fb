/**
 * Hostile request bodies against TaskOverflow on a real PostgreSQL: every one answers a documented 4xx JSON body
 * (never a 500, never a parser's or the database's own message), and nothing the client sent reaches the log.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../sample-app/db/migrations.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { buildApp, type BuiltApp } from './helpers.js';

let db: TestPostgres;
let main: BuiltApp;

beforeAll(async () => {
  db = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: db.url });
  await runMigrations(pool);
  await pool.end();
  main = await buildApp(db.url);
});

afterAll(async () => {
  await main?.close();
  await db?.stop();
});

const DATE_PROBLEM = expect.stringMatching(/ISO 8601.*0001 to 9999.*±15:59/);

describe('values PostgreSQL would refuse are refused by validation (400, not 500)', () => {
  const cases: [string, 'post' | 'put', Record<string, unknown>, Record<string, unknown>][] = [
    ['NUL in the title (POST)', 'post', { title: 'a\u0000b' }, { title: 'must not contain the NUL character (U+0000)' }],
    ['NUL in the description (POST)', 'post', { title: 'ok', description: 'x\u0000' }, { description: 'must not contain the NUL character (U+0000)' }],
    ['NUL in the title (PUT)', 'put', { title: '\u0000' }, { title: 'must not contain the NUL character (U+0000)' }],
    ['NUL in the description (PUT)', 'put', { description: 'a\u0000b' }, { description: 'must not contain the NUL character (U+0000)' }],
    ['year 0000 (POST)', 'post', { title: 'ok', deadline_at: '0000-01-01' }, { deadline_at: DATE_PROBLEM }],
    ['year 0000 date-time (PUT)', 'put', { deadline_at: '0000-06-01T00:00:00Z' }, { deadline_at: DATE_PROBLEM }],
    ['zone offset +16:00', 'post', { title: 'ok', deadline_at: '2025-01-01T00:00:00+16:00' }, { deadline_at: DATE_PROBLEM }],
    ['zone offset -23:59', 'put', { deadline_at: '2025-01-01T00:00:00-23:59' }, { deadline_at: DATE_PROBLEM }],
  ];
  it.each(cases)('%s -> 400 naming the field, no request.error line', async (_name, method, body, fields) => {
    const id = `hostile-${Math.random().toString(36).slice(2)}`;
    const created = await request(main.url).post('/api/v1/todos').send({ title: 'target' }).expect(201);
    const path = method === 'post' ? '/api/v1/todos' : `/api/v1/todos/${created.body.id as number}`;
    const res = await request(main.url)[method](path).set('x-request-id', id).send(body).expect(400);
    expect(res.body).toEqual({ error: 'invalid body', fields });
    expect(main.lines.filter((l) => l.request_id === id && l.event === 'request.error')).toEqual([]);
    expect(main.lines.filter((l) => l.request_id === id && l.event === 'db.query')).toEqual([]);
  });

  // The edges of what is accepted: each must be stored by PostgreSQL (201), none may become a 500.
  it.each([
    '0001-01-01',
    '9999-12-31',
    '0001-01-01T00:00:00+15:59',
    '9999-12-31T23:59:59.999999-15:59',
    '2025-01-01T24:00:00Z',
    '2025-06-01T12:00',
  ])('the accepted edge %s is stored', async (deadline) => {
    const res = await request(main.url).post('/api/v1/todos').send({ title: 'edge', deadline_at: deadline }).expect(201);
    expect(typeof res.body.deadline_at).toBe('string');
  });
});

/** Raw bytes as sent (supertest would JSON-encode a Buffer sent with a JSON content type). */
function postRaw(body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${main.url}/api/v1/todos`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: new Uint8Array(body) });
}

describe('bodies the parser would mangle or misreport', () => {
  it('invalid UTF-8 in a JSON body -> 400 {"error":"body is not valid UTF-8"}, nothing stored', async () => {
    const before = await request(main.url).get('/api/v1/todos').expect(200);
    const body = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await postRaw(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body is not valid UTF-8' });
    const after = await request(main.url).get('/api/v1/todos').expect(200);
    expect((after.body as { title: string }[]).filter((t) => t.title.includes('\ufffd'))).toEqual([]);
    expect(after.body.length).toBe(before.body.length);
  });

  it('valid gzip is still accepted; a bogus Content-Encoding: gzip -> 400 {"error":"malformed body encoding"}', async () => {
    expect((await postRaw(gzipSync(JSON.stringify({ title: 'zipped' })), { 'content-encoding': 'gzip' })).status).toBe(201);
    for (const bogus of [Buffer.from('{"title":"not gzip"}'), gzipSync(JSON.stringify({ title: 'cut short' })).subarray(0, 12)]) {
      const res = await postRaw(bogus, { 'content-encoding': 'gzip' });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: 'malformed body encoding' });
      expect(text).not.toMatch(/header check|unexpected end|zlib/i);
    }
  });
});
