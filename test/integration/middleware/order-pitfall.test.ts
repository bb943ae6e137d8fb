/**
 * The middleware-order pitfall: express.json() mounted before requestLogging() answers a malformed body with
 * next(err), skipping requestLogging. logjam detects it and names it once on stderr (docs/middleware.md, "Mount
 * order"); mounted in the right order the same error carries the request id and has its finish line.
 */
import express from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENTS, errorLogging, requestLogging, setDefaultLogger } from '../../../middleware/index.js';
import { resetMisorderingNotice } from '../../../middleware/order-check.js';
import { captureLogger, listen } from './helpers.js';
import type { Running } from './helpers.js';

let running: Running | undefined;
let stderr: string[];
beforeEach(() => {
  resetMisorderingNotice();
  stderr = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    if (String(chunk).startsWith('logjam:')) {
      stderr.push(String(chunk));
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await running?.close();
  running = undefined;
});

async function serve(jsonFirst: boolean) {
  const { logger, capture } = captureLogger();
  // outside a request context errorLogging writes through the process default: make it this test's logger
  setDefaultLogger(logger);
  const app = express();
  if (jsonFirst) app.use(express.json());
  app.use(requestLogging({ logger }));
  if (!jsonFirst) app.use(express.json());
  app.post('/todos', (req, res) => {
    res.status(201).json(req.body);
  });
  app.use(errorLogging());
  running = await listen(app);
  return { capture, url: running.url };
}

const badJson = (url: string, id: string) =>
  fetch(`${url}/todos`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: '{"title": ' });

describe('express.json() mounted before requestLogging()', () => {
  it('is named once on stderr, as soon as a parsed request arrives', async () => {
    const { url } = await serve(true);
    const ok = await fetch(`${url}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(ok.status).toBe(201);
    await badJson(url, 'bad-1');
    await badJson(url, 'bad-2');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/Mount requestLogging\(\) first, before express\.json\(\)/);
  });

  it('is named when the first thing it sees is the parse error (request.error without a request id)', async () => {
    const { capture, url } = await serve(true);
    const res = await badJson(url, 'bad-3');
    expect(res.status).toBe(400);
    const error = await capture.waitFor((l) => l.event === EVENTS.requestError);
    expect(error).not.toHaveProperty('request_id');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/errorLogging\(\) from a request requestLogging\(\) never saw/);
  });

  it('in the right order: the parse error has the request id and a finish line, and nothing is named', async () => {
    const { capture, url } = await serve(false);
    const res = await badJson(url, 'bad-4');
    expect(res.status).toBe(400);
    const finish = await capture.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === 'bad-4');
    expect(finish.status).toBe(400);
    expect(capture.event(EVENTS.requestError, 'bad-4')).toHaveLength(1);
    expect(stderr).toEqual([]);
  });
});
