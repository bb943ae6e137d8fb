/**
 * A canary secret sent everywhere a client can put one — Authorization, Proxy-Authorization, Cookie, X-Api-Key,
 * `?token=`, a JSON body, a malformed JSON body (the parser's error message quotes it), a charset parameter (415) and
 * an oversized body (413) — never appears in any captured output of the app: its stdout sink, its file sink, or its
 * stderr. The app runs as a child process on the built middleware (dist/), so stdout is the real one.
 * Only what the middleware controls is tested: errors thrown by application code may carry what the app put in them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, FIELDS } from '../../middleware/schema.js';
import { reportFigure } from '../reliability/support/figure-line.js';
import { allowedKeys, foreignKeys, parseObjectLine } from './support/strict-capture.js';
import type { Line } from './support/strict-capture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIDDLEWARE_JS = join(ROOT, 'dist/middleware/index.js');
const CANARY = `ljcanary${randomBytes(12).toString('hex')}`;
/** Every form the canary could take in output: as is, base64 in Basic auth, URL- and JSON-encoded are the same. */
const CANARY_FORMS = [CANARY, Buffer.from(`user:${CANARY}`).toString('base64')];
const APP_FIELDS = ['results', 'fields'];

/** The child app: the middleware with stdout + file sinks, a route reading the query, one reading a JSON body. */
const CHILD_APP = `
import express from 'express';
const { createLogger, closeLogger, requestLogging, errorLogging, getLogger } = await import(process.env.LJ_MIDDLEWARE_URL);
const logger = createLogger({ service: 'canary-app', file: process.env.LJ_LOG_FILE, cloudwatch: false });
const app = express();
app.use(requestLogging({ logger }));
app.get('/search', (req, res) => {
  getLogger().info({ results: 0 }, 'searched');
  res.json({ results: [] });
});
app.post('/notes', express.json(), (req, res) => {
  getLogger().info({ fields: Object.keys(req.body ?? {}).length }, 'note received');
  res.status(201).json({ ok: true });
});
app.use(errorLogging());
const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message !== 'stop') return;
  server.close(async () => {
    await closeLogger(logger);
    process.exit(0);
  });
  server.closeAllConnections();
});
`;

interface Probe {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
}

const SECRET_HEADERS = {
  authorization: `Bearer ${CANARY}`,
  'proxy-authorization': `Basic ${Buffer.from(`user:${CANARY}`).toString('base64')}`,
  cookie: `session=${CANARY}; theme=dark`,
  'x-api-key': CANARY,
};
const JSON_TYPE = { 'content-type': 'application/json' };

const PROBES: Probe[] = [
  { name: 'headers + ?token=', method: 'GET', path: `/search?q=cats&token=${CANARY}`, headers: SECRET_HEADERS, status: 200 },
  { name: 'JSON body', method: 'POST', path: '/notes', headers: { ...SECRET_HEADERS, ...JSON_TYPE }, body: JSON.stringify({ title: 'hello', token: CANARY }), status: 201 },
  // The JSON parser's message quotes the start of the body: `Unexpected token …, "{"token": ljcanary…" is not valid JSON`.
  { name: 'malformed JSON', method: 'POST', path: '/notes', headers: JSON_TYPE, body: `{"token": ${CANARY}}`, status: 400 },
  { name: 'bare canary as JSON', method: 'POST', path: '/notes', headers: JSON_TYPE, body: CANARY, status: 400 },
  { name: 'truncated JSON', method: 'POST', path: `/notes?token=${CANARY}`, headers: JSON_TYPE, body: `{"token":"${CANARY}`, status: 400 },
  { name: 'charset parameter', method: 'POST', path: '/notes', headers: { 'content-type': `application/json; charset=${CANARY}` }, body: '{}', status: 415 },
  { name: 'oversized body', method: 'POST', path: '/notes', headers: JSON_TYPE, body: JSON.stringify({ token: CANARY, pad: 'x'.repeat(200 * 1024) }), status: 413 },
  { name: 'no route + ?token=', method: 'GET', path: `/nope?token=${CANARY}`, headers: SECRET_HEADERS, status: 404 },
];

let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(MIDDLEWARE_JS)) throw new Error(`${MIDDLEWARE_JS} is missing: build first (npx tsc -p tsconfig.build.json)`);
  dir = await mkdtemp(join(tmpdir(), 'logjam-canary-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL'); // only when the test failed half-way
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Every 8-character piece of every form: V8's JSON.parse messages quote only about ten characters around the error
 * (`"{"token": ljcanaryab"...`), and a piece of a secret is a leak too.
 */
const PIECE = 8;
const CANARY_PIECES = CANARY_FORMS.flatMap((form) =>
  Array.from({ length: form.length - PIECE + 1 }, (_, i) => form.slice(i, i + PIECE).toLowerCase()),
);
/** Case-insensitive: body-parser upper-cases the charset it quotes (`unsupported charset "LJCANARY…"`). */
const containsCanary = (text: string) => {
  const lower = text.toLowerCase();
  return CANARY_PIECES.some((piece) => lower.includes(piece));
};

function parseAll(label: string, text: string): Line[] {
  const rows = text.split('\n').filter((t) => t !== '');
  return rows.map((row) => {
    const line = parseObjectLine(row);
    expect(line, `${label}: not one JSON object: ${row.slice(0, 200)}`).toBeDefined();
    return line as Line;
  });
}

describe('a canary secret in headers, query and body', () => {
  it('never reaches stdout, stderr or the file sink, including request.error lines of body-parser errors', async () => {
    const logFile = join(dir, 'app.ndjson');
    child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_APP], {
      cwd: ROOT,
      env: { ...process.env, LJ_MIDDLEWARE_URL: new URL(`file://${MIDDLEWARE_JS}`).href, LJ_LOG_FILE: logFile, LOG_LEVEL: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const running = child;
    let stdout = '';
    let stderr = '';
    running.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    running.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = once(running, 'exit');
    const [ready] = (await Promise.race([
      once(running, 'message'),
      exited.then(([code]) => {
        throw new Error(`the app exited (${code}) before listening: ${stderr}`);
      }),
    ])) as [{ port: number }];

    const answers: { probe: Probe; status: number; body: string; requestId: string }[] = [];
    for (const probe of PROBES) {
      const res = await fetch(`http://127.0.0.1:${ready.port}${probe.path}`, { method: probe.method, headers: probe.headers, body: probe.body });
      answers.push({ probe, status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') ?? '' });
    }
    running.send('stop');
    const [code] = await exited;
    expect(code, stderr).toBe(0);

    for (const a of answers) expect(a.status, a.probe.name).toBe(a.probe.status);
    const fileText = await readFile(logFile, 'utf8');
    const stdoutLines = parseAll('stdout', stdout);
    const fileLines = parseAll('file sink', fileText);
    expect(fileLines).toEqual(stdoutLines); // the same lines in both sinks, none lost
    const allowed = allowedKeys(APP_FIELDS);
    for (const line of stdoutLines) expect(foreignKeys(line, allowed)).toEqual([]);

    // The lines exist (so "no canary" means something): one finish per request, the app's own lines, and one
    // request.error per parser error with the status text as its message.
    const finishes = stdoutLines.filter((l) => l[FIELDS.event] === EVENTS.requestFinish);
    expect(finishes.map((l) => l[FIELDS.status])).toEqual(PROBES.map((p) => p.status));
    expect(stdoutLines.filter((l) => l[FIELDS.msg] === 'searched' || l[FIELDS.msg] === 'note received').length).toBe(2);
    const errors = stdoutLines.filter((l) => l[FIELDS.event] === EVENTS.requestError);
    expect(errors.map((l) => l[FIELDS.status])).toEqual(PROBES.filter((p) => p.status !== 404 && p.status >= 400).map((p) => p.status));
    for (const e of errors) {
      const err = e[FIELDS.err] as { message: string; stack?: string };
      expect(err.message).toBe(STATUS_CODES[e[FIELDS.status] as number]);
      expect(err.stack).toBeUndefined();
    }
    for (const f of finishes) expect(String(f[FIELDS.path]).includes('?')).toBe(false);

    // The parser's messages did carry the canary: the masking of 4xx messages is what kept it out of the lines.
    const quotedBack = answers.filter((a) => a.status >= 400 && containsCanary(a.body)).map((a) => a.probe.name);
    expect(quotedBack).toContain('malformed JSON');

    const leaks = {
      stdout: stdout.split('\n').filter(containsCanary).length,
      file: fileText.split('\n').filter(containsCanary).length,
      stderr: stderr.split('\n').filter(containsCanary).length,
    };
    expect(leaks).toEqual({ stdout: 0, file: 0, stderr: 0 });
    reportFigure(
      'canary-secrets',
      `${PROBES.length} requests carrying the canary (Authorization, Proxy-Authorization, Cookie, X-Api-Key, ?token=, JSON body, ` +
        `malformed JSON x3, charset, 413 body): ${stdoutLines.length} stdout lines = ${fileLines.length} file lines, ${errors.length} request.error lines; ` +
        `canary found in stdout ${leaks.stdout}, file ${leaks.file}, stderr ${leaks.stderr}; ` +
        `the client's own error responses quoted it back in ${quotedBack.length} case(s) [${quotedBack.join(', ')}]`,
    );
  });
});
