/**
 * RequestLineWriter (request lines built as one string): the bytes are pino's own — logger[level](fields, msg) with
 * lines.ts's fields — for request.start, request.finish and request.abort with every optional field present, with
 * none, and on the paths that must leave the text way (a redacted custom field, a multistream logger).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger } from '../../../middleware/index.js';
import { RequestState, type RequestStateInit } from '../../../middleware/context.js';
import { MESSAGES, abortFields, finishFields, startFields, type Outcome } from '../../../middleware/lines.js';
import { RequestLineWriter } from '../../../middleware/request-lines.js';
import type { LoggerOptions } from '../../../middleware/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-request-lines-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capturingLogger(options: LoggerOptions = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const logger = createLogger({ service: 'svc', stdout: false, cloudwatch: false, destination, ...options });
  return { logger, lines };
}

const withoutTime = (line: string) => line.replace(/,"time":\d+/, ',"time":0');

const EVERY_FIELD: RequestStateInit = {
  requestId: 'req-1',
  requestIdRejected: true,
  runId: 'run.7:a',
  runIdRejected: true,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceparentRejected: true,
  inboundTraceparent: undefined,
  amznTraceId: '1-5759e988-bd862e3fe1be46a994272793',
  amznTraceSelf: '1-67891234-12456789abcdef012345678',
  amznTraceIdRejected: false,
  customFields: { tenant: 'a "quoted" ✓', plan: 3, trial: false, left_out: undefined },
};
const NO_OPTIONAL_FIELD: RequestStateInit = {
  requestId: 'req-2',
  requestIdRejected: false,
  runId: undefined,
  runIdRejected: false,
  traceId: undefined,
  spanId: undefined,
  traceparentRejected: false,
  inboundTraceparent: undefined,
  amznTraceId: undefined,
  amznTraceSelf: undefined,
  amznTraceIdRejected: true,
  customFields: undefined,
};

/** Each request line through the writer, then the same line through pino's own path, for every state given. */
function writeBothWays(logger: Logger, inits: RequestStateInit[]): void {
  const writer = new RequestLineWriter(logger);
  for (const init of inits) {
    const state = new RequestState(logger, init);
    state.dbMs = 12.3456;
    state.dbQueries = 2;
    state.poolWaitMs = 0.0004;
    const path = '/todos/\\ü\n';
    const finish: Outcome = { method: 'GET', path, route: '/todos/:id', status: 503, durationMs: 4.321, bytesOut: 17 };
    const abort = { method: 'POST', path, route: undefined, durationMs: 0.5 };
    writer.start(state, 'GET', path);
    logger.info(startFields(state, 'GET', path), MESSAGES.start);
    writer.finish(state, 'warn', finish);
    logger.warn(finishFields(state, finish), MESSAGES.finish);
    // abort reuses the text made for the request (method and path as at its start)
    const aborted = new RequestState(logger, init); // no database time: request.finish's constant for it
    writer.abort(aborted, 'warn', abort);
    logger.warn(abortFields(aborted, abort), MESSAGES.abort);
    writer.finish(aborted, 'error', { ...finish, method: 'POST', route: undefined });
    logger.error(finishFields(aborted, { ...finish, method: 'POST', route: undefined }), MESSAGES.finish);
  }
}

function expectPairsEqual(lines: string[], count: number): void {
  expect(lines).toHaveLength(count);
  for (let i = 0; i < lines.length; i += 2) expect(withoutTime(lines[i] ?? '')).toBe(withoutTime(lines[i + 1] ?? ''));
}

describe('RequestLineWriter', () => {
  it("writes pino's bytes for start, finish and abort lines, every optional field present or none", async () => {
    const { logger, lines } = capturingLogger();
    writeBothWays(logger, [EVERY_FIELD, NO_OPTIONAL_FIELD]);
    await closeLogger(logger);
    expectPairsEqual(lines, 16);
    const finish = JSON.parse(lines[2] ?? '{}') as Record<string, unknown>;
    expect(finish).toMatchObject({ event: 'request.finish', level: 'warn', tenant: 'a "quoted" ✓', amzn_trace_self: EVERY_FIELD.amznTraceSelf, db_ms: 12.346 });
    expect(JSON.parse(lines[8] ?? '{}')).toMatchObject({ event: 'request.start', amzn_trace_id_rejected: true });
  });

  it('keeps pino in charge of a custom field it redacts, and of a logger with several sinks', async () => {
    const redacted = capturingLogger({ redact: ['tenant'] });
    writeBothWays(redacted.logger, [EVERY_FIELD]);
    await closeLogger(redacted.logger);
    expectPairsEqual(redacted.lines, 8);
    expect(JSON.parse(redacted.lines[0] ?? '{}')).toMatchObject({ tenant: '[redacted]' });

    const several = capturingLogger({ file: join(dir, 'app.ndjson') });
    writeBothWays(several.logger, [EVERY_FIELD, NO_OPTIONAL_FIELD]);
    await closeLogger(several.logger);
    expectPairsEqual(several.lines, 16);
  });

  it("keeps to the logger's level", async () => {
    const { logger, lines } = capturingLogger({ level: 'warn' });
    const writer = new RequestLineWriter(logger);
    const state = new RequestState(logger, NO_OPTIONAL_FIELD);
    writer.start(state, 'GET', '/');
    writer.finish(state, 'info', { method: 'GET', path: '/', route: undefined, status: 200, durationMs: 1, bytesOut: 0 });
    writer.abort(state, 'warn', { method: 'GET', path: '/', route: undefined, durationMs: 1 });
    await closeLogger(logger);
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['request.abort']);
  });
});
