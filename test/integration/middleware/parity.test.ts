/**
 * pino-http parity on real servers: req.log, ignore, customProps, genReqId, customLogLevel, and the inbound
 * X-Amzn-Trace-Id fields. Hooks that throw or return junk must never break a request, and are reported (bounded).
 */
import { describe, expect, it } from 'vitest';
import { EVENTS, getLogger, inFlightRequests, requestLogging } from '../../../middleware/index.js';
import { captureLogger, finishOf, rawRequest, useLoggedApp } from './helpers.js';
import type { LineCapture } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const app = useLoggedApp((app) => {
  app.get('/hello', (_req, res) => {
    res.send('hello');
  });
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.get('/fail', () => {
    throw new Error('boom');
  });
});
const start = app.start;
const hookErrors = (capture: LineCapture, hook: string) =>
  capture.event(EVENTS.middlewareHookError).filter((l) => l.hook === hook);

describe('req.log', () => {
  it('is the request child logger getLogger() returns, carrying the request fields', async () => {
    let same: boolean | undefined;
    const { capture, server } = await start({}, (app) =>
      app.get('/via-req-log', (req, res) => {
        same = req.log === getLogger();
        req.log.info({ todo_id: 3 }, 'from req.log');
        res.send('ok');
      }),
    );
    await fetch(`${server.url}/via-req-log`, { headers: { 'x-request-id': 'rl-1', 'x-run-id': 'run-7' } });
    await finishOf(capture, 'rl-1');
    expect(same).toBe(true);
    const line = capture.lines.find((l) => l.msg === 'from req.log');
    expect(line).toMatchObject({ request_id: 'rl-1', run_id: 'run-7', todo_id: 3 });
  });

  it('can be replaced for one request (pino-http-style code assigning req.log)', async () => {
    const { logger: other, capture: otherCapture } = captureLogger({ service: 'other' });
    const { capture, server } = await start({}, (app) =>
      app.get('/assign', (req, res) => {
        req.log = other;
        req.log.info('assigned');
        res.send('ok');
      }),
    );
    await fetch(`${server.url}/assign`, { headers: { 'x-request-id': 'as-1' } });
    await finishOf(capture, 'as-1');
    expect(otherCapture.lines.some((l) => l.msg === 'assigned' && l.service === 'other')).toBe(true);
    // only that request: the next one's req.log is its own child again
    let next: unknown;
    app.running().server.once('request', (req: { log?: unknown }) => setImmediate(() => (next = req.log)));
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'as-2' } });
    await finishOf(capture, 'as-2');
    expect(next).not.toBe(other);
  });
});

describe('ignore', () => {
  it('writes no line, echoes no id and counts nothing in flight for an ignored path; others are logged', async () => {
    let inFlightInside = -1;
    let inFlightIgnored = -1;
    const { capture, server } = await start({ ignore: ['/health', '/quiet'] }, (app) => {
      app.get('/busy', (_req, res) => {
        inFlightInside = inFlightRequests();
        res.send('x');
      });
      app.get('/quiet', (_req, res) => {
        inFlightIgnored = inFlightRequests();
        res.send('x');
      });
    });
    const health = await fetch(`${server.url}/health?probe=1`, { headers: { 'x-request-id': 'ig-1' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeNull();
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'ig-2' } });
    await finishOf(capture, 'ig-2');
    expect(capture.forRequest('ig-1')).toEqual([]);
    expect(capture.lines.filter((l) => l.path === '/health')).toEqual([]);
    await fetch(`${server.url}/busy`);
    await fetch(`${server.url}/quiet`);
    expect(inFlightInside).toBe(1);
    expect(inFlightIgnored).toBe(0);
  });

  it('takes a predicate; a throwing predicate means "not ignored" and is reported once', async () => {
    const { capture, server } = await start({
      ignore: (req) => {
        if (req.path === '/hello') throw new Error('predicate bug');
        return req.path === '/health';
      },
    });
    await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'ip-1' } });
    for (const id of ['ip-2', 'ip-3', 'ip-4']) {
      const res = await fetch(`${server.url}/hello`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(200);
      await finishOf(capture, id);
    }
    expect(capture.forRequest('ip-1')).toEqual([]);
    const reports = hookErrors(capture, 'ignore');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ level: 'warn', failures: 1, err: { type: 'Error', message: 'predicate bug' } });
  });

  it('refuses a path list that is not paths', () => {
    expect(() => requestLogging({ ignore: ['health'] })).toThrow(/starting with "\/"/);
  });
});

describe('customProps', () => {
  it('puts its entry fields on every line of the request and re-reads them for the finish line', async () => {
    const { capture, server } = await start(
      {
        customProps: (req, res) => ({
          tenant: req.headers['x-tenant'] === 'acme' ? 'acme' : 'other',
          user: (res.locals as { user?: string }).user,
        }),
      },
      (app) =>
        app.get('/authed', (req, res) => {
          res.locals.user = 'u-42';
          getLogger().info('inside');
          res.send('ok');
        }),
    );
    await fetch(`${server.url}/authed`, { headers: { 'x-request-id': 'cp-1', 'x-tenant': 'acme' } });
    const finish = await finishOf(capture, 'cp-1');
    const [startLine, appLine] = capture.forRequest('cp-1');
    expect(startLine).toMatchObject({ event: EVENTS.requestStart, tenant: 'acme' });
    expect(startLine).not.toHaveProperty('user');
    expect(appLine).toMatchObject({ msg: 'inside', tenant: 'acme' });
    expect(finish).toMatchObject({ tenant: 'acme', user: 'u-42', status: 200 });
    // each key once in the raw line (a duplicate key would be two values for one field in Logs Insights)
    const raw = capture.raw.find((r) => r.includes('"cp-1"') && r.includes(EVENTS.requestFinish))!;
    expect(raw.match(/"tenant":/g)).toHaveLength(1);
  });

  it('refuses schema field names and nested values; a throwing hook never breaks a request and is reported once', async () => {
    let calls = 0;
    const { capture, server } = await start({
      customProps: (req) => {
        calls++;
        if (req.headers['x-throw'] === '1') throw new Error('props bug');
        return { request_id: 'forged', status: 1, nested: { a: 1 }, ok: true };
      },
    });
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'cr-1' } });
    const finish = await finishOf(capture, 'cr-1');
    expect(finish).toMatchObject({ request_id: 'cr-1', status: 200, ok: true });
    expect(finish).not.toHaveProperty('nested');
    for (const id of ['ct-1', 'ct-2', 'ct-3']) {
      const res = await fetch(`${server.url}/hello`, { headers: { 'x-request-id': id, 'x-throw': '1' } });
      expect(res.status).toBe(200);
      await finishOf(capture, id);
    }
    expect(calls).toBe(8);
    const reports = hookErrors(capture, 'customProps');
    // 1st failure and the 10th (6 refused fields from the first request + 6 throws = 12): bounded, counted
    expect(reports.map((r) => r.failures)).toEqual([1, 10]);
    expect(reports[0]).toMatchObject({ reason: expect.stringContaining('"request_id" is a log schema field name') });
  });
});

describe('genReqId', () => {
  it('makes the id when no valid header came; a valid header still wins', async () => {
    let n = 0;
    const { capture, server } = await start({ genReqId: () => `gen-${++n}` });
    const generated = await fetch(`${server.url}/hello`);
    expect(generated.headers.get('x-request-id')).toBe('gen-1');
    const inbound = await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'from-client' } });
    expect(inbound.headers.get('x-request-id')).toBe('from-client');
    await finishOf(capture, 'gen-1');
    await finishOf(capture, 'from-client');
    expect(n).toBe(1);
  });

  it('decides every id with requestIdHeaders: [] (as in pino-http); a number is taken as its decimal text', async () => {
    let n = 41;
    const { capture, server } = await start({ requestIdHeaders: [], genReqId: () => ++n });
    const res = await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'ignored-header' } });
    expect(res.headers.get('x-request-id')).toBe('42');
    expect(await finishOf(capture, '42')).not.toHaveProperty('request_id_rejected');
  });

  it('replaces an invalid or throwing generator by a UUID, flags the lines, reports the hook', async () => {
    const { capture, server } = await start({
      genReqId: (req) => {
        if (req.path === '/health') throw new Error('gen bug');
        return 'bad id\r\nwith: "quotes"';
      },
    });
    const res = await fetch(`${server.url}/hello`);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    const finish = await finishOf(capture, id);
    expect(finish.request_id_rejected).toBe(true);
    await fetch(`${server.url}/health`);
    const reports = hookErrors(capture, 'genReqId');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.reason).toMatch(/invalid id/);
    expect(capture.raw.join('\n')).not.toContain('bad id');
  });
});

describe('customLogLevel', () => {
  it('sets the finish level per status and error, "silent" drops the line, junk falls back to the default', async () => {
    const seen: unknown[] = [];
    const { capture, server } = await start({
      customLogLevel: (req, res, err) => {
        seen.push(err);
        if (req.path === '/health') return 'silent';
        if (req.path === '/junk') return 'loud' as never;
        if (err !== undefined || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'debug';
        return 'info';
      },
    });
    await fetch(`${server.url}/fail`, { headers: { 'x-request-id': 'll-1' } });
    await fetch(`${server.url}/nope`, { headers: { 'x-request-id': 'll-2' } });
    await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'll-3' } });
    await fetch(`${server.url}/junk`, { headers: { 'x-request-id': 'll-4' } });
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'll-5' } });
    expect((await finishOf(capture, 'll-1')).level).toBe('error');
    expect((await finishOf(capture, 'll-4')).level).toBe('info');
    expect((await finishOf(capture, 'll-5')).level).toBe('info');
    // debug is below the logger's level: not written; silent: never written
    expect(capture.event(EVENTS.requestFinish, 'll-2')).toEqual([]);
    expect(capture.event(EVENTS.requestFinish, 'll-3')).toEqual([]);
    expect((seen[0] as Error).message).toBe('boom');
    expect(hookErrors(capture, 'customLogLevel')).toHaveLength(1);
  });
});

describe('X-Amzn-Trace-Id', () => {
  const ROOT = '1-67891233-abcdef012345678912345678';
  const SELF = '1-67891234-12456789abcdef0123456789';

  it('logs the Root (and the Self an ALB added) on request.start and request.finish only', async () => {
    const { capture, server } = await start({}, (app) =>
      app.get('/line', (_req, res) => {
        getLogger().info('app line');
        res.send('ok');
      }),
    );
    await fetch(`${server.url}/line`, {
      headers: { 'x-request-id': 'az-1', 'x-amzn-trace-id': `Self=${SELF};Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1` },
    });
    const finish = await finishOf(capture, 'az-1');
    const [startLine, appLine] = capture.forRequest('az-1');
    expect(startLine).toMatchObject({ amzn_trace_id: ROOT, amzn_trace_self: SELF });
    expect(finish).toMatchObject({ amzn_trace_id: ROOT, amzn_trace_self: SELF });
    expect(appLine).not.toHaveProperty('amzn_trace_id');
  });

  it('never writes an invalid value: the request lines are flagged instead', async () => {
    const { capture, server } = await start();
    const hostile = `Root=1-67891233-abcdef01234567891234567";"injected":"x`;
    await rawRequest(server.port, '/hello', `X-Request-Id: az-2\r\nX-Amzn-Trace-Id: ${hostile}\r\n`);
    await fetch(`${server.url}/hello`, { headers: { 'x-request-id': 'az-3', 'x-amzn-trace-id': 'Root=1-6789123-abcdef012345678912345678' } });
    for (const id of ['az-2', 'az-3']) {
      const finish = await finishOf(capture, id);
      expect(finish.amzn_trace_id_rejected).toBe(true);
      expect(finish).not.toHaveProperty('amzn_trace_id');
    }
    expect(capture.raw.join('\n')).not.toContain('injected');
    expect(capture.raw.join('\n')).not.toContain('6789123-');
  });
});
