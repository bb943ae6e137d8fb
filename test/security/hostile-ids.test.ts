/**
 * Hostile X-Request-Id / X-Run-Id values, written byte for byte on a raw socket (Node's own client refuses most of
 * them). Each value is either accepted (it matches ID_PATTERN), replaced and flagged, or refused by Node's HTTP parser
 * before the middleware sees it; whatever happens, every line written is exactly one JSON object, with only schema
 * keys, and a rejected value appears nowhere in the output (capture and file sink) nor in the response headers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLogger, errorLogging, getLogger, requestLogging } from '../../middleware/index.js';
import { EVENTS, FIELDS, ID_PATTERN } from '../../middleware/schema.js';
import { listen, rawRequest } from '../integration/middleware/helpers.js';
import type { Running } from '../integration/middleware/helpers.js';
import { reportFigure } from '../reliability/support/figure-line.js';
import { allowedKeys, encodedForms, foreignKeys, parseObjectLine, strictLogger } from './support/strict-capture.js';
import type { Line, StrictCapture } from './support/strict-capture.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const APP_FIELD = 'probe';
/** 128 characters using the whole allowed alphabet. */
const ID_128 = 'Ab0._:-'.repeat(19).slice(0, 128);

type Expect = 'accept' | 'replace' | 'refuse-or-replace';
interface Case {
  name: string;
  /** The header value's bytes exactly as sent. */
  bytes: Buffer;
  expect: Expect;
  /** For 'accept': the id the middleware must keep (what Node hands over after parsing). */
  kept?: string;
  /** Text that must appear in no line and no response header (default: a rejected value in every decoding). */
  forbidden?: string[];
}

const text = (name: string, value: string, expect: Expect, extra: Partial<Case> = {}): Case => ({
  name,
  bytes: Buffer.from(value, 'latin1'),
  expect,
  ...(expect === 'accept' ? { kept: value } : {}),
  ...extra,
});

const CASES: Case[] = [
  text('10 KB', 'a'.repeat(10 * 1024), 'replace'),
  text('19 chars', ID_128.slice(0, 19), 'accept'),
  text('20 chars', ID_128.slice(0, 20), 'accept'),
  text('128 chars', ID_128, 'accept'),
  text('129 chars', `${ID_128}Z`, 'replace'),
  text('double quote', 'run"42', 'replace'),
  text('single quotes', "'run-42'", 'replace'),
  text('tab inside', 'run\t42', 'replace'),
  text('empty', '', 'replace', { forbidden: [] }),
  { name: 'latin-1 byte 0xE9', bytes: Buffer.from([0x72, 0x75, 0x6e, 0xe9, 0x34, 0x32]), expect: 'replace' },
  text('JSON fragment', '{"level":60}', 'replace'),
  text('JSON break-out', 'x","level":60,"msg":"pwned', 'replace', { forbidden: ['pwned'] }),
  text('escaped newline as text', 'a\\nb', 'replace'),
  { name: 'bidi U+202E as UTF-8', bytes: Buffer.from('run\u202e24-nur', 'utf8'), expect: 'replace' },
  { name: 'U+2028 as UTF-8', bytes: Buffer.from('run\u202842', 'utf8'), expect: 'replace' },
  // CRLF ends the header: what follows is another header (harmless) or a broken line (Node answers 400).
  text('CRLF + header', 'ok-crlf\r\nX-Injected: yes', 'accept', { kept: 'ok-crlf', forbidden: ['X-Injected', 'x-injected'] }),
  text('CRLF + JSON line', 'ok-crlf2\r\n{"level":60}', 'refuse-or-replace', { forbidden: ['{"level":60}'] }),
  text('bare CR', 'a\rb', 'refuse-or-replace'),
  text('bare LF', 'a\nb', 'refuse-or-replace'),
  text('NUL', 'a\u0000b', 'refuse-or-replace'),
];

function forbiddenOf(c: Case): string[] {
  if (c.forbidden !== undefined) return c.forbidden;
  if (c.expect === 'accept') return []; // kept on purpose: it is the request's id
  return [...encodedForms(c.bytes.toString('latin1')), ...encodedForms(c.bytes.toString('utf8'))];
}

interface Outcome {
  status: number;
  outcome: 'accepted' | 'replaced' | 'refused';
}

let dir: string;
let running: Running;
let capture: StrictCapture;
let logger: ReturnType<typeof strictLogger>['logger'];
let logFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-hostile-ids-'));
  logFile = join(dir, 'app.ndjson');
  ({ logger, capture } = strictLogger({ file: logFile }));
  const app = express();
  app.use(requestLogging({ logger }));
  app.get('/probe', (_req, res) => {
    getLogger().info({ [APP_FIELD]: true }, 'in handler');
    res.json({ ok: true });
  });
  app.use(errorLogging());
  running = await listen(app);
});

afterAll(async () => {
  await running?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function headerLine(name: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${name}: `, 'latin1'), value, Buffer.from('\r\n', 'latin1')]);
}

/** Send one hostile value in `header`; classify what the server did and check the request's lines. */
async function probe(header: 'x-request-id' | 'x-run-id', c: Case, seq: number): Promise<Outcome> {
  const tagId = `tag-${seq}`;
  const extra = header === 'x-run-id' ? Buffer.concat([headerLine('X-Request-Id', Buffer.from(tagId)), headerLine('X-Run-Id', c.bytes)]) : headerLine('X-Request-Id', c.bytes);
  const before = capture.lines.length + capture.malformed.length;
  const res = await rawRequest(running.port, '/probe', extra);
  for (const forbidden of forbiddenOf(c)) {
    for (const value of Object.values(res.headers)) expect(value.includes(forbidden), `${c.name}: response header`).toBe(false);
  }
  if (res.status === 400 && capture.lines.length + capture.malformed.length === before) {
    // Node's parser refused the request: the middleware never ran, so no line at all.
    expect(c.expect, `${c.name}: refused by the parser`).toBe('refuse-or-replace');
    return { status: res.status, outcome: 'refused' };
  }
  expect(res.status, c.name).toBe(200);
  const requestId = header === 'x-request-id' ? res.headers['x-request-id'] ?? '' : tagId;
  await capture.waitFor((l) => l[FIELDS.event] === EVENTS.requestFinish && l[FIELDS.requestId] === requestId);
  const lines = capture.forRequest(requestId);
  expect(lines.map((l) => l[FIELDS.event] ?? l.msg), c.name).toEqual([EVENTS.requestStart, 'in handler', EVENTS.requestFinish]);

  const accepted = c.expect === 'accept';
  if (accepted) expect(ID_PATTERN.test(c.kept ?? ''), `${c.name}: kept value is valid`).toBe(true);
  if (header === 'x-request-id') {
    if (accepted) expect(requestId, c.name).toBe(c.kept);
    else expect(requestId, c.name).toMatch(UUID);
    for (const l of lines) expect(l[FIELDS.requestIdRejected], c.name).toBe(accepted ? undefined : true);
  } else {
    for (const l of lines) {
      expect(l[FIELDS.runId], c.name).toBe(accepted ? c.kept : undefined);
      expect(l[FIELDS.runIdRejected], c.name).toBe(accepted ? undefined : true);
    }
  }
  return { status: res.status, outcome: accepted ? 'accepted' : 'replaced' };
}

function checkEveryLine(label: string, rawLines: string[], allowed: Set<string>): { lines: number; foreign: number } {
  let foreign = 0;
  for (const raw of rawLines) {
    const line = parseObjectLine(raw) as Line;
    expect(line, `${label}: not one JSON object: ${raw.slice(0, 200)}`).toBeDefined();
    const extra = foreignKeys(line, allowed);
    foreign += extra.length;
    expect(extra, `${label}: injected keys`).toEqual([]);
  }
  return { lines: rawLines.length, foreign };
}

describe('hostile X-Request-Id and X-Run-Id', () => {
  it('accepts only IDs matching ID_PATTERN, replaces and flags the rest, and every line stays one clean JSON object', async () => {
    const tally = new Map<string, Record<Outcome['outcome'], number>>();
    const perCase: string[] = [];
    let seq = 0;
    for (const header of ['x-request-id', 'x-run-id'] as const) {
      const counts = { accepted: 0, replaced: 0, refused: 0 };
      for (const c of CASES) {
        const { outcome } = await probe(header, c, seq++);
        counts[outcome]++;
        if (header === 'x-request-id') perCase.push(`${c.name}=${outcome}`);
        else expect(`${c.name}=${outcome}`).toBe(perCase[CASES.indexOf(c)]); // both headers are treated alike
      }
      tally.set(header, counts);
    }
    await closeLogger(logger);

    const allowed = allowedKeys([APP_FIELD]);
    expect(capture.malformed).toEqual([]);
    // As many newline-separated lines as parsed objects: nothing split a line in two or merged two.
    expect(capture.physicalLineCount()).toBe(capture.lines.length);
    const captured = checkEveryLine('capture', capture.raw, allowed);
    const fileLines = (await readFile(logFile, 'utf8')).split('\n').filter((t) => t !== '');
    expect(fileLines.length).toBe(capture.lines.length);
    const filed = checkEveryLine('file sink', fileLines, allowed);
    const everything = `${capture.text()}\n${fileLines.join('\n')}`;
    for (const c of CASES) {
      for (const forbidden of forbiddenOf(c)) expect(everything.includes(forbidden), `${c.name} leaked`).toBe(false);
    }

    const rid = tally.get('x-request-id');
    const run = tally.get('x-run-id');
    reportFigure(
      'hostile-ids',
      `${CASES.length} values x 2 headers: x-request-id accepted ${rid?.accepted} / replaced ${rid?.replaced} / refused by Node's parser ${rid?.refused}; ` +
        `x-run-id ${run?.accepted}/${run?.replaced}/${run?.refused}; ${captured.lines} lines captured + ${filed.lines} in the file sink, ` +
        `${capture.malformed.length} malformed, ${captured.foreign + filed.foreign} injected keys, 0 rejected values leaked [${perCase.join(', ')}]`,
    );
  });
});
