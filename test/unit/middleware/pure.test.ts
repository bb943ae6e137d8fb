/** The pure pieces of the middleware: ID resolution, paths and routes, error serialization. */
import { describe, expect, it } from 'vitest';
import { serializeError, statusOf } from '../../../middleware/errors.js';
import { normalizeHeaderName, resolveRequestId, resolveRunId } from '../../../middleware/ids.js';
import { MAX_PATH_LENGTH, pathOf, routeOf } from '../../../middleware/lines.js';
import { serializeDbError } from '../../../middleware/pg.js';

const NAMES = ['x-request-id', 'x-correlation-id'];

describe('resolveRequestId', () => {
  it.each([
    ['CRLF injection', 'abc\r\n{"level":"fatal"}'],
    ['a bare LF', 'abc\ndef'],
    ['10 KB', 'a'.repeat(10 * 1024)],
    ['129 characters', 'a'.repeat(129)],
    ['non-ASCII', 'héllo'],
    ['empty', ''],
    ['a space', 'a b'],
    ['a slash', 'a/b'],
  ])('rejects %s and generates a UUID', (_name, value) => {
    const { id, rejected } = resolveRequestId({ 'x-request-id': value }, NAMES);
    expect(rejected).toBe(true);
    expect(id).not.toBe(value);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts 1 and 128 characters of the safe alphabet', () => {
    expect(resolveRequestId({ 'x-request-id': 'a' }, NAMES)).toEqual({ id: 'a', rejected: false });
    const long = 'Az09._:-'.repeat(16);
    expect(resolveRequestId({ 'x-request-id': long }, NAMES)).toEqual({ id: long, rejected: false });
  });

  it('takes the first valid header in order, generating fresh UUIDs when none', () => {
    expect(resolveRequestId({ 'x-correlation-id': 'c', 'x-request-id': 'r' }, NAMES).id).toBe('r');
    expect(resolveRequestId({ 'x-correlation-id': 'c' }, NAMES)).toEqual({ id: 'c', rejected: false });
    const a = resolveRequestId({}, NAMES);
    const b = resolveRequestId({}, NAMES);
    expect(a.rejected).toBe(false);
    expect(a.id).not.toBe(b.id);
  });
});

describe('resolveRunId', () => {
  it('valid, invalid, absent', () => {
    expect(resolveRunId({ 'x-run-id': 'run-1' }, 'x-run-id')).toEqual({ id: 'run-1', rejected: false });
    expect(resolveRunId({ 'x-run-id': 'run\r\n1' }, 'x-run-id')).toEqual({ id: undefined, rejected: true });
    expect(resolveRunId({}, 'x-run-id')).toEqual({ id: undefined, rejected: false });
  });

  it('header names are lower-cased and validated', () => {
    expect(normalizeHeaderName(' X-Run-Id ')).toBe('x-run-id');
    expect(() => normalizeHeaderName('bad header')).toThrow(/not a valid header name/);
  });
});

describe('pathOf / routeOf', () => {
  it('drops the query string and caps very long paths', () => {
    expect(pathOf('/a/b?token=secret')).toBe('/a/b');
    expect(pathOf('/a/b')).toBe('/a/b');
    expect(pathOf('/?')).toBe('/');
    const long = pathOf(`/${'x'.repeat(5000)}`);
    expect(long.length).toBe(MAX_PATH_LENGTH + 1);
  });

  it('joins the mount path and the route template; undefined when no route matched', () => {
    expect(routeOf({ route: { path: '/todos/:id' }, baseUrl: '/api/v1' } as never)).toBe('/api/v1/todos/:id');
    expect(routeOf({ route: { path: '/' }, baseUrl: '/api/v1/todos' } as never)).toBe('/api/v1/todos');
    expect(routeOf({ route: { path: '/health' }, baseUrl: '' } as never)).toBe('/health');
    expect(routeOf({ route: undefined, baseUrl: '' } as never)).toBeUndefined();
  });
});

describe('error serialization', () => {
  it('5xx: type, message, stack, code; 4xx: status text instead of the message, no stack', () => {
    const err = Object.assign(new SyntaxError('Unexpected token in {"password":"x"'), { type: 'entity.parse.failed', status: 400 });
    expect(serializeError(err, { includeMessage: false, status: 400 })).toEqual({ type: 'SyntaxError', message: 'Bad Request', code: 'entity.parse.failed' });
    const full = serializeError(Object.assign(new Error('db down'), { code: 'ECONNREFUSED' }), { includeMessage: true });
    expect(full).toMatchObject({ type: 'Error', message: 'db down', code: 'ECONNREFUSED' });
    expect(full.stack).toContain('db down');
    expect(serializeError('a string', { includeMessage: true })).toEqual({ type: 'string', message: 'a string' });
  });

  it('statusOf keeps 4xx/5xx statuses only', () => {
    expect(statusOf({ status: 404 })).toBe(404);
    expect(statusOf({ statusCode: 503 })).toBe(503);
    expect(statusOf({ status: 200 })).toBe(500);
    expect(statusOf(new Error('x'))).toBe(500);
    expect(statusOf(null)).toBe(500);
  });

  it('masks quoted values in PostgreSQL messages (they can be parameter values)', () => {
    const err = Object.assign(new Error('invalid input syntax for type integer: "4111-1111"'), { code: '22P02' });
    expect(serializeDbError(err)).toEqual({ type: 'Error', message: 'invalid input syntax for type integer: "…"', code: '22P02' });
    expect(serializeDbError(Object.assign(new Error('connect ECONNREFUSED "x"'), { code: 'ECONNREFUSED' })).message).toContain('"x"');
  });
});
