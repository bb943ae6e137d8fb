/**
 * The runner's client request log: lines land on disk one per request, with the checks run on that response;
 * when the disk falls behind past the cap, lines are dropped and counted, never queued without bound; URLs keep no
 * query string and no credentials.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientRequestId, splitUrlForLog } from '../../../common/client-log.js';
import { isValidId } from '../../../middleware/schema.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientLogWriter, IterationLog } from '../../../loadtests/runner/client-log.js';
import type { ClientRequestFacts } from '../../../loadtests/runner/client-log.js';
import { HttpClient } from '../../../loadtests/runner/http.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-client-log-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facts = (id: string, url = 'http://127.0.0.1:3000/api/v1/todos?token=secret') => ({
  id, name: 'list', method: 'GET', url, start: 1_733_000_000_000.125, durationMs: 12.34567, status: 200,
});

describe('client request log', () => {
  it("writes one line per request with that response's checks; a check on a non-response goes to the latest request", async () => {
    const path = join(dir, 'a', 'client.ndjson');
    const writer = new ClientLogWriter(path);
    const log = new IterationLog(writer, { runId: 'r1', scenario: 's', vu: 2, iteration: 5 });
    const first = { response: 1 };
    const second = { response: 2 };
    log.request(facts('lj-1'), first);
    log.request({ ...facts('lj-2'), status: 0, error: 'timeout' }, second);
    log.check(first, 'is 200', true);
    log.check(second, 'is 200', false);
    log.check({ parsed: 'body' }, 'has items', false);
    log.flush();
    const stats = await writer.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stats).toEqual({ path, lines: 2, dropped: 0 });
    expect(lines[0]).toMatchObject({ kind: 'logjam.client_request', id: 'lj-1', run_id: 'r1', vu: 2, iter: 5, path: '/api/v1/todos', origin: 'http://127.0.0.1:3000', status: 200, duration_ms: 12.346, checks_passed: ['is 200'] });
    expect(lines[1]).toMatchObject({ id: 'lj-2', status: 0, error: 'timeout', checks_failed: ['is 200', 'has items'] });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('drops and counts the lines that would push the bytes waiting for the disk past the cap', async () => {
    const path = join(dir, 'b.ndjson');
    const writer = new ClientLogWriter(path, 2_000);
    const log = new IterationLog(writer, { runId: 'r1', scenario: 's', vu: 1, iteration: 0 });
    for (let i = 0; i < 200; i++) log.request(facts(`lj-${i}`), {});
    log.flush(); // synchronously: the disk has had no chance to take any of it
    const stats = await writer.close();
    const written = (await readFile(path, 'utf8')).trim().split('\n').length;
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.lines).toBe(written);
    expect(stats.lines + stats.dropped).toBe(200);
    // after close, a late iteration's lines are counted as dropped too
    log.request(facts('late'), {});
    log.flush();
  });

  it('ids are valid under the middleware rule; URLs lose the query, fragment and user:password@', () => {
    expect(isValidId(clientRequestId('lj0123456789', 123456789))).toBe(true);
    expect(splitUrlForLog('https://user:pw@example.com:8443/a/b?x=1#f')).toEqual({ origin: 'https://example.com:8443', path: '/a/b' });
    expect(splitUrlForLog('/relative/path?token=1')).toEqual({ origin: '', path: '/relative/path' });
  });
});

describe('X-Request-Id on every request', () => {
  it("sends a fresh id the log names, and keeps the script's own valid one (one header, not two)", async () => {
    const seen: (string | string[] | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['x-request-id']);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x?q=1`;
    const done: ClientRequestFacts[] = [];
    const client = new HttpClient({ runId: 'r1', timeoutMs: 5_000, maxConnections: 1, onRequest: () => undefined, onInterrupted: () => undefined });
    const signal = new AbortController().signal;
    try {
      await client.request('GET', url, null, { onDone: (f) => done.push(f) }, signal);
      await client.request('GET', url, null, { onDone: (f) => done.push(f) }, signal);
      await client.request('GET', url, null, { headers: { 'X-Request-Id': 'mine-1' }, onDone: (f) => done.push(f) }, signal);
      await client.request('GET', url, null, { headers: { 'X-Request-Id': 'bad id' }, onDone: (f) => done.push(f) }, signal);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(seen).toEqual(done.map((f) => f.id));
    expect(new Set(seen.slice(0, 2)).size).toBe(2);
    expect(seen[2]).toBe('mine-1');
    expect(isValidId(seen[3])).toBe(true);
    expect(seen[3]).not.toBe('bad id');
  });
});
