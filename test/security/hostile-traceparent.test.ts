/**
 * Hostile `traceparent` values with no OpenTelemetry SDK registered (the API is a no-op). A value valid per W3C
 * Trace Context gives the request's lines the caller's trace_id (no span_id: the caller's span is not ours) and is
 * passed on by propagationHeaders(); anything else flags every line of the request `traceparent_rejected: true`, adds
 * no trace fields, and is written nowhere (lines, response headers, outbound headers).
 */
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLogging, getLogger, propagationHeaders, requestLogging } from '../../middleware/index.js';
import { EVENTS, FIELDS } from '../../middleware/schema.js';
import { listen, rawRequest } from '../integration/middleware/helpers.js';
import type { Running } from '../integration/middleware/helpers.js';
import { reportFigure } from '../reliability/support/figure-line.js';
import { allowedKeys, encodedForms, foreignKeys, strictLogger } from './support/strict-capture.js';
import type { StrictCapture } from './support/strict-capture.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

interface Case {
  name: string;
  /** Header lines' values: one `traceparent:` line each (two for a repeated header). */
  values: Buffer[];
  /** For a valid value: the trace id logged and the traceparent passed on. */
  accept?: { traceId: string; forwarded: string };
}

const one = (name: string, value: string, accept?: Case['accept']): Case => ({
  name,
  values: [Buffer.from(value, 'latin1')],
  ...(accept ? { accept } : {}),
});

const CASES: Case[] = [
  one('valid, sampled', VALID, { traceId: TRACE, forwarded: VALID }),
  one('valid, not sampled', `00-${TRACE}-${PARENT}-00`, { traceId: TRACE, forwarded: `00-${TRACE}-${PARENT}-00` }),
  // A later version may carry more fields: its first four are read, the rest ignored, and it is passed on as 00.
  one('later version with an extra field', `cc-${TRACE}-${PARENT}-01-future`, { traceId: TRACE, forwarded: VALID }),
  one('uppercase trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`),
  one('uppercase parent id', `00-${TRACE}-${PARENT.toUpperCase()}-01`),
  one('uppercase flags', `00-${TRACE}-${PARENT}-0A`),
  one('uppercase version', `CC-${TRACE}-${PARENT}-01`),
  one('all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`),
  one('all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`),
  one('trace id 31 chars', `00-${TRACE.slice(1)}-${PARENT}-01`),
  one('trace id 33 chars', `00-${TRACE}a-${PARENT}-01`),
  one('parent id 15 chars', `00-${TRACE}-${PARENT.slice(1)}-01`),
  one('parent id 17 chars', `00-${TRACE}-${PARENT}a-01`),
  one('version 1 char', `0-${TRACE}-${PARENT}-01`),
  one('flags 3 chars', `00-${TRACE}-${PARENT}-011`),
  one('version ff', `ff-${TRACE}-${PARENT}-01`),
  one('version 00 with an extra field', `${VALID}-extra`),
  one('later version, junk after flags', `cc-${TRACE}-${PARENT}-01x`),
  one('three fields', `00-${TRACE}-${PARENT}`),
  one('non-hex', `00-${TRACE.slice(0, 31)}g-${PARENT}-01`),
  one('garbage', 'hello'),
  one('JSON fragment', '{"level":60}'),
  one('empty', ''),
  one('10 KB', `00-${'a'.repeat(10 * 1024)}-${PARENT}-01`),
  one('tab inside', `00-${TRACE}\t-${PARENT}-01`),
  { name: 'latin-1 byte', values: [Buffer.concat([Buffer.from(`00-${TRACE.slice(0, 31)}`), Buffer.from([0xe9]), Buffer.from(`-${PARENT}-01`)])] },
  { name: 'bidi U+202E as UTF-8', values: [Buffer.from(`00-${TRACE}-\u202e${PARENT}-01`, 'utf8')] },
  // W3C: several traceparent headers make the trace context invalid (Node joins them with ", ").
  { name: 'repeated header', values: [Buffer.from(VALID), Buffer.from(`00-${'1'.repeat(32)}-${PARENT}-01`)] },
];

let running: Running;
let capture: StrictCapture;
const APP_FIELD = 'probe';

beforeAll(async () => {
  const made = strictLogger();
  capture = made.capture;
  const logger = made.logger;
  const app = express();
  app.use(requestLogging({ logger }));
  app.get('/probe', (_req, res) => {
    getLogger().info({ [APP_FIELD]: true }, 'in handler');
    res.json(propagationHeaders());
  });
  app.use(errorLogging());
  running = await listen(app);
});

afterAll(async () => {
  await running?.close();
});

function forbiddenOf(c: Case): string[] {
  if (c.accept) return [];
  return c.values.flatMap((v) => [...encodedForms(v.toString('latin1')), ...encodedForms(v.toString('utf8'))]).filter((f) => f !== '');
}

describe('hostile traceparent (no OpenTelemetry SDK)', () => {
  it('keeps the trace id of a valid traceparent only, flags every invalid one, and never writes the raw value', async () => {
    const allowed = allowedKeys([APP_FIELD]);
    const outcomes: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (const [i, c] of CASES.entries()) {
      const requestId = `tp-${i}`;
      const head = Buffer.concat([
        Buffer.from(`X-Request-Id: ${requestId}\r\n`),
        ...c.values.flatMap((v) => [Buffer.from('traceparent: '), v, Buffer.from('\r\n')]),
      ]);
      const res = await rawRequest(running.port, '/probe', head);
      expect(res.status, c.name).toBe(200);
      await capture.waitFor((l) => l[FIELDS.event] === EVENTS.requestFinish && l[FIELDS.requestId] === requestId);
      const lines = capture.forRequest(requestId);
      expect(lines.length, c.name).toBe(3);
      const outbound = JSON.parse(res.body) as Record<string, string>;
      for (const l of lines) {
        expect(foreignKeys(l, allowed), c.name).toEqual([]);
        expect(l[FIELDS.spanId], `${c.name}: the caller's span id is not ours`).toBeUndefined();
        if (c.accept) {
          expect(l[FIELDS.traceId], c.name).toBe(c.accept.traceId);
          expect(l[FIELDS.traceparentRejected], c.name).toBeUndefined();
        } else {
          expect(l[FIELDS.traceId], c.name).toBeUndefined();
          expect(l[FIELDS.traceparentRejected], c.name).toBe(true);
        }
      }
      expect(outbound.traceparent, `${c.name}: passed on`).toBe(c.accept?.forwarded);
      const everywhere = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n${res.body}\n${Object.values(res.headers).join('\n')}`;
      for (const f of forbiddenOf(c)) expect(everywhere.includes(f), `${c.name} leaked`).toBe(false);
      if (c.accept) accepted++;
      else rejected++;
      outcomes.push(`${c.name}=${c.accept ? 'kept' : 'rejected'}`);
    }
    expect(capture.malformed).toEqual([]);
    expect(capture.physicalLineCount()).toBe(capture.lines.length);
    const leaks = CASES.flatMap(forbiddenOf).filter((f) => capture.text().includes(f)).length;
    expect(leaks).toBe(0);
    reportFigure(
      'hostile-traceparent',
      `${CASES.length} values: ${accepted} valid kept (trace_id only), ${rejected} flagged traceparent_rejected; ` +
        `${capture.lines.length} lines, ${capture.malformed.length} malformed, ${leaks} raw values leaked [${outcomes.join(', ')}]`,
    );
  });
});
