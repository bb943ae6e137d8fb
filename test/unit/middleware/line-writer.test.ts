/**
 * writeLine (the request lines' own serializer): the bytes are pino's, line for line, for every kind of field a
 * request line carries, on one sink and on several (pino.multistream); a field pino treats specially (a redaction
 * path, `err`) goes through pino, so it is still redacted / serialized; the logger's level still filters.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger } from '../../../middleware/index.js';
import { writeLine } from '../../../middleware/line-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-line-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, lines };
}

/** the time is the one field that differs between two calls */
const withoutTime = (line: string) => line.replace(/,"time":\d+/, ',"time":0');

const FIELD_SETS: Record<string, unknown>[] = [
  { event: 'request.start', request_id: 'abc-123', method: 'GET', path: '/hello' },
  {
    event: 'request.finish',
    request_id: 'r.1:2',
    run_id: 'run-1',
    path: '/a "quoted" \\ path/ünïcode/✓',
    route: '/a/:id',
    status: 200,
    duration_ms: 1.234,
    bytes_out: 0,
    db_ms: 0,
    request_id_rejected: true,
    nan: Number.NaN,
    infinite: Number.POSITIVE_INFINITY,
    left_out: undefined,
    tenant: 'acme',
  },
  { event: 'request.abort', request_id: 'x', path: '', duration_ms: 0.001 },
];

describe('writeLine', () => {
  it.each([
    ['one sink', false],
    ['several sinks (multistream)', true],
  ])('writes the bytes pino writes: %s', async (_name, withFile) => {
    const { stream, lines } = capture();
    const logger = createLogger({
      service: 'svc',
      stdout: false,
      cloudwatch: false,
      destination: stream,
      ...(withFile ? { file: join(dir, 'app.ndjson') } : {}),
    });
    for (const fields of FIELD_SETS) {
      writeLine(logger, 'info', { ...fields }, 'request finish');
      logger.info({ ...fields }, 'request finish');
      writeLine(logger, 'warn', { ...fields }, 'request aborted by the client');
      logger.warn({ ...fields }, 'request aborted by the client');
    }
    await closeLogger(logger);
    expect(lines).toHaveLength(FIELD_SETS.length * 4);
    for (let i = 0; i < lines.length; i += 2) expect(withoutTime(lines[i] ?? '')).toBe(withoutTime(lines[i + 1] ?? ''));
    expect(JSON.parse(lines[4] ?? '{}')).toMatchObject({ level: 'info', service: 'svc', path: FIELD_SETS[1]?.path, nan: null });
    if (withFile) {
      const fileLines = (await readFile(join(dir, 'app.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
      expect(fileLines.map(withoutTime)).toEqual(lines.map(withoutTime));
    }
  });

  it('leaves a field with a redaction path or a serializer to pino (redacted, serialized)', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'svc', stdout: false, cloudwatch: false, destination: stream, redact: ['tenant'] });
    writeLine(logger, 'info', { event: 'request.finish', tenant: 'secret-tenant' }, 'request finish');
    writeLine(logger, 'info', { event: 'request.finish', err: new Error('boom') }, 'request finish');
    await closeLogger(logger);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ tenant: '[redacted]' });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ err: { type: 'Error', message: 'boom' } });
  });

  it("keeps to the logger's level, also when it changes", async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'svc', stdout: false, cloudwatch: false, destination: stream, level: 'warn' });
    writeLine(logger, 'info', { event: 'request.finish' }, 'dropped: below warn');
    writeLine(logger, 'warn', { event: 'request.finish' }, 'kept');
    logger.level = 'info';
    writeLine(logger, 'info', { event: 'request.finish' }, 'kept too');
    await closeLogger(logger);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept', 'kept too']);
  });
});
