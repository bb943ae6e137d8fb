/**
 * requestLogging + errorLogging on real Express servers (127.0.0.1, port 0), reading the NDJSON lines they write.
 */
import { once } from 'node:events';
import { ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  EVENTS,
  getLogger,
  getRequestContext,
  inFlightRequests,
  propagationHeaders,
  requestLogging,
} from '../../../middleware/index.js';
import { captureLogger, finishOf, listen, rawRequest, useLoggedApp } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A test app: logging first, a few routes (sub-router included), errorLogging last. */
const { start } = useLoggedApp((app) => {
  const api = express.Router();
  api.get('/todos/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use('/api/v1', api);
  app.get('/hello', (_req, res) => {
    res.send('hello world');
  });
});

describe('correlation IDs', () => {
  it('keeps a valid inbound X-Request-Id on every line and echoes it', async () => {
    const { capture, server } = await start({}, (app) =>
      app.get('/app-line', (_req, res) => {
        getLogger().info('from the application');
        res.send('ok');
      }),
    );
    const res = await fetch(`${server.url}/app-line`, { headers: { 'X-Request-Id': 'abc-123.def:9_Z' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123.def:9_Z');
    await finishOf(capture, 'abc-123.def:9_Z');
    const lines = capture.forRequest('abc-123.def:9_Z');
    expect(lines.map((l) => l.event ?? l.msg)).toEqual([EVENTS.requestStart, 'from the application', EVENTS.requestFinish]);
    expect(lines.every((l) => l.request_id_rejected === undefined)).toBe(true);
  });

  it('uses X-Correlation-Id when X-Request-Id is absent, and generates a UUID when neither is sent', async () => {
    const { capture, server } = await start();
    const correlated = await fetch(`${server.url}/hello`, { headers: { 'X-Correlation-Id': 'corr-1' } });
    expect(correlated.headers.get('x-request-id')).toBe('corr-1');
    const fresh = await fetch(`${server.url}/hello`);
    const generated = fresh.headers.get('x-request-id') ?? '';
    expect(generated).toMatch(UUID);
    const finish = await finishOf(capture, generated);
    expect(finish.request_id_rejected).toBeUndefined();
  });

  it('honours configured header names and can turn the echo off', async () => {
    const { capture, server } = await start({ requestIdHeaders: ['X-Trace-Token'], responseHeader: false });
    const res = await fetch(`${server.url}/hello`, { headers: { 'x-trace-token': 'tok-7', 'x-request-id': 'ignored' } });
    expect(res.headers.get('x-request-id')).toBeNull();
    await finishOf(capture, 'tok-7');
    expect(capture.forRequest('ignored')).toEqual([]);
  });

  const hostile: [string, Buffer | string][] = [
    ['10 KB long', `X-Request-Id: ${'a'.repeat(10 * 1024)}\r\n`],
    ['non-ASCII', Buffer.from('X-Request-Id: h\u00e9llo-\u2603\r\n', 'utf8')],
    ['empty', 'X-Request-Id: \r\n'],
    ['a JSON fragment', 'X-Request-Id: x","level":"fatal\r\n'],
    ['spaces and tabs', 'X-Request-Id: a b\tc\r\n'],
  ];
  for (const [name, header] of hostile) {
    it(`rejects a ${name} X-Request-Id: generates a UUID, flags the lines, never writes the value`, async () => {
      const { capture, server } = await start();
      const res = await rawRequest(server.port, '/hello', header);
      expect(res.status).toBe(200);
      const id = res.headers['x-request-id'] ?? '';
      expect(id).toMatch(UUID);
      const finish = await finishOf(capture, id);
      expect(finish.request_id_rejected).toBe(true);
      const start_ = capture.event(EVENTS.requestStart, id)[0];
      expect(start_?.request_id_rejected).toBe(true);
      const value = header.toString().slice('X-Request-Id: '.length, -2);
      if (value.length > 0) expect(capture.raw.some((l) => l.includes(value))).toBe(false);
      // The hostile value could not add or change fields: the line still parses to the expected shape.
      expect(finish.level).toBe('info');
    });
  }

  it('prefers a valid second header over an invalid first one, and still flags the rejection', async () => {
    const { capture, server } = await start();
    const res = await rawRequest(server.port, '/hello', 'X-Request-Id: bad value\r\nX-Correlation-Id: good-1\r\n');
    expect(res.headers['x-request-id']).toBe('good-1');
    const finish = await finishOf(capture, 'good-1');
    expect(finish.request_id_rejected).toBe(true);
  });
});

describe('run tagging', () => {
  it('logs a valid X-Run-Id as run_id on every line of the request', async () => {
    const { capture, server } = await start();
    const res = await fetch(`${server.url}/hello`, { headers: { 'X-Run-Id': 'run-2024.01:a' } });
    const id = res.headers.get('x-request-id') ?? '';
    await finishOf(capture, id);
    const lines = capture.forRequest(id);
    expect(lines.length).toBe(2);
    expect(lines.every((l) => l.run_id === 'run-2024.01:a')).toBe(true);
  });

  it('drops an invalid run id (no run_id) and flags run_id_rejected; a configured header name works', async () => {
    const { capture, server } = await start({ runIdHeader: 'X-Load-Run' });
    const res = await rawRequest(server.port, '/hello', 'X-Load-Run: run "1"; drop\r\n');
    const id = res.headers['x-request-id'] ?? '';
    const finish = await finishOf(capture, id);
    expect(finish.run_id).toBeUndefined();
    expect(finish.run_id_rejected).toBe(true);
    expect(capture.raw.some((l) => l.includes('drop'))).toBe(false);

    const ok = await fetch(`${server.url}/hello`, { headers: { 'x-load-run': 'r9' } });
    expect((await finishOf(capture, ok.headers.get('x-request-id') ?? '')).run_id).toBe('r9');
  });

  it('absent run id: no run_id and no flag', async () => {
    const { capture, server } = await start();
    const res = await fetch(`${server.url}/hello`);
    const finish = await finishOf(capture, res.headers.get('x-request-id') ?? '');
    expect('run_id' in finish).toBe(false);
    expect('run_id_rejected' in finish).toBe(false);
  });
});

describe('request lines', () => {
  it('request.finish: route template joined with the mount path, path without query, status, duration, bytes', async () => {
    const { capture, server } = await start();
    const res = await fetch(`${server.url}/api/v1/todos/42?token=s3cr3t&q=x`, { headers: { 'x-request-id': 'r-finish' } });
    const body = await res.text();
    const finish = await finishOf(capture, 'r-finish');
    expect(finish).toMatchObject({
      level: 'info',
      event: EVENTS.requestFinish,
      method: 'GET',
      path: '/api/v1/todos/42',
      route: '/api/v1/todos/:id',
      status: 200,
      bytes_out: Buffer.byteLength(body),
      db_ms: 0,
      db_queries: 0,
      pool_wait_ms: 0,
      schema: 1,
      service: 'app',
    });
    expect(typeof finish.duration_ms).toBe('number');
    expect(finish.duration_ms as number).toBeGreaterThan(0);
    expect(typeof finish.time).toBe('number');
    expect(typeof finish.host).toBe('string');
    expect(finish.pid).toBe(process.pid);
    // Query strings are never logged, on any line.
    expect(capture.raw.some((l) => l.includes('s3cr3t') || l.includes('token'))).toBe(false);
  });

  it('no route matched (404): no route field; start line carries method and path', async () => {
    const { capture, server } = await start();
    await fetch(`${server.url}/nowhere?x=1`, { headers: { 'x-request-id': 'r-404' } });
    const finish = await finishOf(capture, 'r-404');
    expect(finish.status).toBe(404);
    expect('route' in finish).toBe(false);
    expect(capture.event(EVENTS.requestStart, 'r-404')[0]).toMatchObject({ method: 'GET', path: '/nowhere' });
  });

  it('counts streamed (chunked) bytes and gives zero bytes for HEAD', async () => {
    const { capture, server } = await start({}, (app) =>
      app.get('/stream', (_req, res) => {
        res.write('abc');
        res.write(Buffer.from('défg'));
        res.end('hij');
      }),
    );
    const res = await fetch(`${server.url}/stream`, { headers: { 'x-request-id': 'r-stream' } });
    expect(await res.text()).toBe('abcdéfghij');
    expect((await finishOf(capture, 'r-stream')).bytes_out).toBe(Buffer.byteLength('abcdéfghij'));
    await fetch(`${server.url}/hello`, { method: 'HEAD', headers: { 'x-request-id': 'r-head' } });
    expect((await finishOf(capture, 'r-head')).bytes_out).toBe(0);
  });

  it('bytes_out counts each byte once: a sub-app logging too, a write wrapper before the logger, a plain http server', async () => {
    // the sub-app's responses inherit the parent app's response prototype: both count through it, never twice
    const { logger, capture } = captureLogger();
    const sub = express();
    sub.use(requestLogging({ logger }));
    sub.get('/inner', (_req, res) => {
      res.write('12345');
      res.end('678');
    });
    const outer = express();
    // a compression-like wrapper mounted before the logger: what it hands on (upper-cased, doubled) is what is sent
    outer.use((_req, res, next) => {
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) =>
        write(typeof chunk === 'string' ? chunk.toUpperCase().repeat(2) : chunk, ...rest)) as typeof res.write;
      next();
    });
    outer.use(requestLogging({ logger }));
    outer.use('/sub', sub);
    outer.get('/wrapped', (_req, res) => {
      res.write('abc');
      res.end();
    });
    const running = await listen(outer);
    try {
      // the app's first response is wrapped on its own (the wrapper before us held write before logjam first saw the
      // app: it counts what the app wrote); from the second on, what the wrapper hands on is what is counted
      await (await fetch(`${running.url}/wrapped`)).text();
      // the wrapper doubles the written chunk, not end's: 10 + 3 bytes sent, counted by both loggers, once each
      const body = await (await fetch(`${running.url}/sub/inner`, { headers: { 'x-request-id': 'r-sub' } })).text();
      expect(body).toBe('1234512345678');
      await finishOf(capture, 'r-sub');
      const subFinishes = capture.event(EVENTS.requestFinish, 'r-sub');
      expect(subFinishes.map((l) => l.bytes_out)).toEqual([13, 13]);
      expect(await (await fetch(`${running.url}/wrapped`, { headers: { 'x-request-id': 'r-wrapped' } })).text()).toBe('ABCABC');
      expect((await finishOf(capture, 'r-wrapped')).bytes_out).toBe(6);
    } finally {
      await running.close();
    }

    // no Express app between Node and the middleware: Node's own prototype is left alone, the response is counted
    const plain = captureLogger();
    const handler = requestLogging({ logger: plain.logger });
    const server = createServer((req, res) => {
      // what Express would have set (the middleware reads the path from it)
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      handler(req as never, res as never, () => res.end('plain body'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': 'r-plain' } })).text()).toBe('plain body');
      expect((await finishOf(plain.capture, 'r-plain')).bytes_out).toBe(10);
      expect(Object.prototype.hasOwnProperty.call(ServerResponse.prototype, 'end')).toBe(false);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('startLine: false writes only the finish line', async () => {
    const { capture, server } = await start({ startLine: false });
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'r-nostart' } });
    await finishOf(capture, 'r-nostart');
    expect(capture.forRequest('r-nostart').map((l) => l.event)).toEqual([EVENTS.requestFinish]);
  });

  it('an aborted request (client destroys the socket mid-response) gives request.abort, not a finish', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { capture, server } = await start({}, (app) =>
      app.get('/slow', async (_req, res) => {
        res.status(200).write('first chunk');
        await released;
        res.end('never seen');
      }),
    );
    const req = httpRequest(`${server.url}/slow`, { headers: { 'x-request-id': 'r-abort', 'x-run-id': 'run-a' } });
    req.on('error', () => undefined); // the destroy below surfaces as an error here: expected
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    await once(res, 'data');
    req.destroy();
    const abort = await capture.waitFor((l) => l.event === EVENTS.requestAbort && l.request_id === 'r-abort');
    release();
    expect(abort).toMatchObject({ level: 'warn', method: 'GET', path: '/slow', route: '/slow', run_id: 'run-a' });
    expect(typeof abort.duration_ms).toBe('number');
    expect(abort.status).toBeUndefined();
    // Give the handler its chance to end the response: still no finish line for this request.
    await new Promise((resolve) => setImmediate(resolve));
    expect(capture.event(EVENTS.requestFinish, 'r-abort')).toEqual([]);
  });
});

describe('errors', () => {
  it('an unhandled error gives one request.error line, a 500 JSON answer with the request id, and a 500 finish', async () => {
    const { capture, server } = await start({}, (app) => {
      app.get('/boom', () => {
        throw new TypeError('kaput');
      });
      app.get('/async-boom', async () => {
        await Promise.resolve();
        throw new Error('async kaput');
      });
    });
    for (const [path, id, message] of [
      ['/boom', 'r-boom', 'kaput'],
      ['/async-boom', 'r-async', 'async kaput'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error', request_id: id });
      const finish = await finishOf(capture, id);
      expect(finish.status).toBe(500);
      const errors = capture.event(EVENTS.requestError, id);
      expect(errors.length).toBe(1);
      expect(errors[0]).toMatchObject({ level: 'error', status: 500, route: path, err: { message } });
      expect((errors[0]?.err as { stack?: string }).stack).toContain(message);
    }
    expect(capture.event(EVENTS.requestError, 'r-boom')[0]?.err).toMatchObject({ type: 'TypeError' });
  });

  it('a router mounted at a path with a parameter: the same route template on the success and the error path', async () => {
    const { capture, server } = await start({}, (app) => {
      const tenant = express.Router({ mergeParams: true });
      tenant.get('/ok', (_req, res) => void res.send('ok'));
      tenant.get('/boom', () => {
        throw new Error('kaput');
      });
      const nested = express.Router();
      nested.get('/:id', (_req, res) => void res.send('deep'));
      tenant.use('/items', nested);
      app.use('/t/:tenant', tenant);
    });
    for (const [path, id, status] of [
      ['/t/acme/ok', 'm-ok', 200],
      ['/t/acme/boom', 'm-boom', 500],
      ['/t/other/items/7', 'm-deep', 200],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(status);
      await finishOf(capture, id);
    }
    expect((await finishOf(capture, 'm-ok')).route).toBe('/t/:tenant/ok');
    expect((await finishOf(capture, 'm-boom')).route).toBe('/t/:tenant/boom');
    expect(capture.event(EVENTS.requestError, 'm-boom')[0]?.route).toBe('/t/:tenant/boom');
    expect((await finishOf(capture, 'm-deep')).route).toBe('/t/:tenant/items/:id');
    // tenant values are data, not route templates: they must never become distinct routes
    expect(capture.raw.filter((l) => l.includes('"route":"/t/acme'))).toEqual([]);
  });

  it("keeps an error's 4xx status, answers its exposable message, and never logs the body it quotes", async () => {
    const { capture, server } = await start({}, (app) =>
      app.post('/json', express.json(), (_req, res) => {
        res.json({ ok: true });
      }),
    );
    const res = await fetch(`${server.url}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-400' },
      body: '{"password": "hunter2-secret',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; request_id: string };
    expect(body.request_id).toBe('r-400');
    await finishOf(capture, 'r-400');
    const error = capture.event(EVENTS.requestError, 'r-400')[0];
    expect(error).toMatchObject({ level: 'warn', status: 400, err: { code: 'entity.parse.failed' } });
    expect(capture.raw.some((l) => l.includes('hunter2'))).toBe(false);
  });
});

describe('context', () => {
  /** A route that logs through getLogger() after a timer, a promise chain and inside a stream transform. */
  function asyncRoutes(app: express.Express) {
    app.get('/timer', (_req, res) => {
      setTimeout(() => {
        getLogger().info('after timer');
        res.send('ok');
      }, 5);
    });
    app.get('/promises', async (_req, res) => {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.resolve()
        .then(() => new Promise((resolve) => setTimeout(resolve, 1)))
        .then(() => getLogger().info('after promise chain'));
      res.send('ok');
    });
    app.get('/stream', async (_req, res) => {
      const upper = new Transform({
        transform(chunk: Buffer, _enc, callback) {
          getLogger().info({ chunk_bytes: chunk.length }, 'in stream');
          callback(null, chunk.toString().toUpperCase());
        },
      });
      await pipeline(Readable.from(['a', 'b', 'c']), upper, res);
    });
  }

  it('survives setTimeout, promise chains and streams, with concurrent requests kept apart', async () => {
    const { capture, server } = await start({}, asyncRoutes);
    const ids = ['t1', 't2', 'p1', 'p2', 's1', 's2'];
    const paths: Record<string, string> = { t: '/timer', p: '/promises', s: '/stream' };
    await Promise.all(
      ids.map(async (id) => {
        const res = await fetch(`${server.url}${paths[id[0] as string]}`, { headers: { 'x-request-id': id, 'x-run-id': `run-${id}` } });
        await res.text();
      }),
    );
    for (const id of ids) await finishOf(capture, id);
    const byMsg = (msg: string) => capture.lines.filter((l) => l.msg === msg);
    expect(byMsg('after timer').map((l) => l.request_id).sort()).toEqual(['t1', 't2']);
    expect(byMsg('after promise chain').map((l) => l.request_id).sort()).toEqual(['p1', 'p2']);
    const streamLines = byMsg('in stream');
    expect(streamLines.length).toBe(6);
    expect(streamLines.every((l) => l.run_id === `run-${l.request_id as string}`)).toBe(true);
  });

  it('getRequestContext, propagationHeaders and inFlightRequests inside and outside a request', async () => {
    let inside: unknown;
    const { capture, server } = await start({}, (app) =>
      app.get('/ctx', (_req, res) => {
        const ctx = getRequestContext();
        inside = {
          ctx: { requestId: ctx?.requestId, runId: ctx?.runId, dbQueries: ctx?.dbQueries },
          headers: propagationHeaders(),
          inFlight: inFlightRequests(),
        };
        res.send('ok');
      }),
    );
    expect(getRequestContext()).toBeUndefined();
    expect(propagationHeaders()).toEqual({});
    const before = inFlightRequests();
    await (await fetch(`${server.url}/ctx`, { headers: { 'x-request-id': 'r-ctx', 'x-run-id': 'run-c' } })).text();
    await finishOf(capture, 'r-ctx');
    expect(inside).toEqual({
      ctx: { requestId: 'r-ctx', runId: 'run-c', dbQueries: 0 },
      headers: { 'x-request-id': 'r-ctx', 'x-run-id': 'run-c' },
      inFlight: before + 1,
    });
    expect(inFlightRequests()).toBe(before);
  });
});

describe('redaction', () => {
  it('redacts Authorization, Cookie, Set-Cookie and configured paths in what the application logs', async () => {
    const { capture, server } = await start(
      {},
      (app) =>
        app.get('/headers', (req, res) => {
          res.setHeader('set-cookie', 'sid=server-secret');
          getLogger().info({ headers: req.headers, req: { headers: req.headers }, res: { headers: res.getHeaders() }, user: { ssn: '123-45-6789' } }, 'headers');
          res.send('ok');
        }),
      { redact: ['user.ssn'] },
    );
    await fetch(`${server.url}/headers`, {
      headers: { authorization: 'Bearer top-secret', cookie: 'sid=client-secret', 'x-request-id': 'r-redact' },
    });
    const line = await capture.waitFor((l) => l.msg === 'headers');
    const text = capture.raw.find((l) => l.includes('"msg":"headers"')) ?? '';
    for (const secret of ['top-secret', 'client-secret', 'server-secret', '123-45-6789']) expect(text).not.toContain(secret);
    expect(line).toMatchObject({
      request_id: 'r-redact',
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      res: { headers: { 'set-cookie': '[redacted]' } },
      user: { ssn: '[redacted]' },
    });
  });
});
