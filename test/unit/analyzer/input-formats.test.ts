/**
 * Per-line format detection (analyzer/sources/formats): which format reads a line, and pino-http's mapping onto the
 * logjam finish line — the fields the analysis uses, the ids it qualifies or refuses, and nothing else of the line.
 */
import { describe, expect, it } from 'vitest';
import { classifyLine, FOREIGN, MALFORMED, type Classified } from '../../../analyzer/sources/ndjson/classify.js';
import { LINE_FORMATS } from '../../../analyzer/sources/formats/index.js';
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import { logLines } from '../../support/log-lines.js';

const TIME = Date.UTC(2026, 11, 1, 10, 0, 0);

/** A pino-http line as its default options write it (headers and addresses included, as in a real log). */
function pinoLine(over: Record<string, unknown> = {}, req: Record<string, unknown> = {}, res: Record<string, unknown> = {}) {
  return JSON.stringify({
    level: 30,
    time: TIME,
    pid: 7,
    hostname: 'web-1',
    req: { id: 12, method: 'GET', url: '/items/42?token=secret', query: { token: 'secret' }, params: {}, headers: { cookie: 'sid=abc' }, remoteAddress: '10.0.0.9', remotePort: 5050, ...req },
    res: { statusCode: 200, headers: { 'content-type': 'application/json' }, ...res },
    responseTime: 12,
    msg: 'request completed',
    ...over,
  });
}

function read(c: Classified) {
  if (c === MALFORMED || c === FOREIGN) throw new Error(`not read: ${String(c)}`);
  return c;
}

describe('per-line format detection', () => {
  it('reads logjam lines as logjam, unchanged, and pino-http lines as pino-http', () => {
    const logjam = logLines().finish({ id: 'a' });
    const c = read(classifyLine(JSON.stringify(logjam)));
    expect(c.format).toBe('logjam');
    expect(c.line).toEqual(logjam);
    expect(read(classifyLine(pinoLine())).format).toBe('pino-http');
  });

  it('names a format only once, logjam first (a new format slots into one list)', () => {
    const names = LINE_FORMATS.map((f) => f.name);
    expect(names[0]).toBe('logjam');
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('pino-http');
  });

  it('keeps malformed and foreign apart', () => {
    expect(classifyLine(pinoLine().slice(0, 80))).toBe(MALFORMED); // truncated
    expect(classifyLine('[1,2]')).toBe(MALFORMED);
    expect(classifyLine('{"level":30,"time":1,"msg":"app started"}')).toBe(FOREIGN); // a plain pino line
    expect(classifyLine(pinoLine({}, {}, { statusCode: undefined }))).toBe(FOREIGN);
    expect(classifyLine(pinoLine({ responseTime: 'slow' }))).toBe(FOREIGN);
    expect(classifyLine(pinoLine({}, { method: undefined }))).toBe(FOREIGN);
    expect(classifyLine(pinoLine({ time: -5 }))).toBe(FOREIGN);
  });
});

describe('pino-http lines mapped onto the logjam schema', () => {
  it('a completed request is a request.finish with the path (no query), status, duration, process and level', () => {
    const { line } = read(classifyLine(pinoLine({ name: 'orders' })));
    expect(line).toEqual({
      [F.time]: TIME,
      [F.level]: 'info',
      [F.msg]: 'request completed',
      [F.event]: EVENTS.requestFinish,
      [F.schema]: 1,
      [F.requestId]: `web-1:7:12:${TIME}`,
      [F.method]: 'GET',
      [F.path]: '/items/42',
      [F.status]: 200,
      [F.durationMs]: 12,
      [F.service]: 'orders',
      [F.host]: 'web-1',
      [F.pid]: 7,
    });
    // headers, cookies, the query string and client addresses never reach the analysis
    expect(JSON.stringify(line)).not.toMatch(/secret|sid=|10\.0\.0\.9|cookie/);
  });

  it('an errored request keeps the error type and message (not the stack); an aborted one is a request.abort', () => {
    const errored = read(classifyLine(pinoLine({ level: 50, msg: 'request errored', err: { type: 'Error', message: 'db down', stack: 'Error: db down\n at x' } }, {}, { statusCode: 500 }))).line;
    expect(errored).toMatchObject({ [F.event]: EVENTS.requestFinish, [F.level]: 'error', [F.status]: 500, [F.err]: { type: 'Error', message: 'db down' } });
    expect(JSON.stringify(errored)).not.toContain('stack');
    // the client went away before a status was sent: pino-http writes "statusCode": null
    const aborted = read(classifyLine(pinoLine({ msg: 'request aborted' }, {}, { statusCode: null }))).line;
    expect(aborted[F.event]).toBe(EVENTS.requestAbort);
    expect(aborted[F.status]).toBeUndefined();
    expect(classifyLine(pinoLine({ msg: 'request completed' }, {}, { statusCode: null }))).toBe(FOREIGN);
  });

  it('takes an ISO time (pino.stdTimeFunctions.isoTime) as well as epoch ms', () => {
    expect(read(classifyLine(pinoLine({ time: new Date(TIME).toISOString() }))).line[F.time]).toBe(TIME);
    expect(classifyLine(pinoLine({ time: '5' }))).toBe(FOREIGN);
  });

  it('keeps a text request id that is a valid id, refuses one that is not, and qualifies counters per process and time', () => {
    expect(read(classifyLine(pinoLine({}, { id: 'b1946ac9-2b8f-4b2a-9f3c-0e5f5f7a1a11' }))).line[F.requestId]).toBe('b1946ac9-2b8f-4b2a-9f3c-0e5f5f7a1a11');
    expect(classifyLine(pinoLine({}, { id: 'x"; drop' }))).toBe(FOREIGN);
    expect(classifyLine(pinoLine({}, { id: -1 }))).toBe(FOREIGN);
    expect(classifyLine(pinoLine({}, { id: undefined }))).toBe(FOREIGN);
    // two processes' request 12 stay two requests
    const a = read(classifyLine(pinoLine({ pid: 8 }))).line[F.requestId];
    expect(a).not.toBe(read(classifyLine(pinoLine())).line[F.requestId]);
  });

  it('takes the run id customProps added (run_id or runId) when it is a valid id, and flags one that is not', () => {
    expect(read(classifyLine(pinoLine({ runId: 'load-7' }))).line[F.runId]).toBe('load-7');
    expect(read(classifyLine(pinoLine({ run_id: 'load-8' }))).line[F.runId]).toBe('load-8');
    const bad = read(classifyLine(pinoLine({ runId: 'load 7\n{"x":1}' }))).line;
    expect(bad[F.runId]).toBeUndefined();
    expect(bad[F.runIdRejected]).toBe(true);
  });
});
