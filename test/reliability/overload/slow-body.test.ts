/**
 * Slow and oversized request bodies against the real TaskOverflow server (startApp: the HTTP server, timeouts and
 * body limits of `logjam app`), with a short REQUEST_TIMEOUT_MS so the test is quick:
 *  - a client that trickles its body past the request timeout gets Node's 408, and the log says what the client got
 *    (request.finish 408, never the 400/413 the app tried to send on the dead connection);
 *  - a body whose declared Content-Length is over the limit is answered 413 at once (before any body byte is sent),
 *    not held until the request timeout.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../sample-app/server.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';

const REQUEST_TIMEOUT_MS = 1500;

let pg: TestPostgres;
let app: RunningApp;
let dir: string;
let logFile: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'logjam-slow-body-'));
  logFile = join(dir, 'app.ndjson');
  app = await startApp(
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: pg.url,
      headersTimeoutMs: 1000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      logFile,
      serviceName: 'taskoverflow-slow-body',
    },
    { env: {}, logStdout: false, say: () => {} },
  );
});

afterAll(async () => {
  await app?.stop();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Send the head (and optionally the first body bytes), then nothing: resolves with what the server answered. */
function rawPost(head: Record<string, string>, firstBody = '', keepTrickling = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(app.port, '127.0.0.1');
    let answer = '';
    let trickle: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      const headers = Object.entries(head).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST /api/v1/todos HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${headers}\r\n${firstBody}`);
      if (keepTrickling) trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    });
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset after the answer is how the server cuts it
    socket.on('close', () => {
      clearInterval(trickle);
      resolve(answer);
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 20 s; got: ${answer}`));
    }, 20_000);
  });
}

async function linesOf(requestId: string): Promise<Record<string, unknown>[]> {
  // the finish line is written on 'close'; give the file a moment to catch up
  for (let i = 0; i < 50; i++) {
    const lines = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter((l) => l.includes(requestId))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    if (lines.some((l) => l.event === 'request.finish' || l.event === 'request.abort')) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no finish or abort line for ${requestId}`);
}

it('a body trickled past the request timeout: the client gets 408 and the log says 408', async () => {
  const answer = await rawPost({ 'content-length': '1000', 'x-request-id': 'slow-body-1' }, '{"title":', true);
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  const lines = await linesOf('slow-body-1');
  const end = lines.find((l) => l.event === 'request.finish' || l.event === 'request.abort');
  expect(end).toMatchObject({ event: 'request.finish', status: 408 });
}, 30_000);

it('a declared Content-Length over the limit is answered 413 at once, before any body byte', async () => {
  const answer = await rawPost({ 'content-length': String(10 * 1024 * 1024), 'x-request-id': 'big-declared-1' });
  expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  expect(answer).toContain('{"error":"body too large"}');
  const end = (await linesOf('big-declared-1')).find((l) => l.event === 'request.finish');
  expect(end).toMatchObject({ status: 413 });
}, 30_000);
