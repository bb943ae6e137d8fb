/** createLogger / closeLogger: schema fields, level labels, file sink, environment, the transport path. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeLogger, createLogger } from '../../../middleware/index.js';
import { cloudWatchTransportPath } from '../../../middleware/transport-path.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-logger-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

async function readLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('refuses a log file it cannot open at once, naming the file and the reason', async () => {
    const { writeFile } = await import('node:fs/promises');
    const notADir = join(dir, 'plain-file');
    await writeFile(notADir, '');
    expect(() => createLogger({ stdout: false, cloudwatch: false, file: join(notADir, 'app.ndjson') })).toThrow(
      /logjam: cannot open the log file ".*plain-file.app\.ndjson" for appending \((ENOTDIR|EEXIST)\)/,
    );
  });

  it('writes schema lines to a file (folders created), flushed and closed by closeLogger', async () => {
    const file = join(dir, 'nested', 'deeper', 'app.ndjson');
    const logger = createLogger({ service: 'todo-api', stdout: false, cloudwatch: false, file, worker: 3 });
    for (let i = 0; i < 1000; i++) logger.info({ event: 'test.line', n: i }, 'hello');
    logger.debug('not at info level');
    logger.error({ err: new RangeError('out of range') }, 'failed');
    expect(await closeLogger(logger)).toEqual({ flushed: true });
    const lines = await readLines(file);
    expect(lines.length).toBe(1001);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'hello',
      schema: 1,
      service: 'todo-api',
      host: hostname(),
      pid: process.pid,
      worker: 3,
      event: 'test.line',
      n: 0,
    });
    expect(typeof lines[0]?.time).toBe('number');
    expect(Math.abs((lines[0]?.time as number) - Date.now())).toBeLessThan(60_000);
    expect(lines.map((l) => l.n).slice(0, 1000)).toEqual([...Array(1000).keys()]);
    expect(lines[1000]).toMatchObject({ level: 'error', err: { type: 'RangeError', message: 'out of range' } });
  });

  it('appends to an existing file', async () => {
    const file = join(dir, 'app.ndjson');
    for (const msg of ['first', 'second']) {
      const logger = createLogger({ stdout: false, cloudwatch: false, file });
      logger.info(msg);
      await closeLogger(logger);
    }
    expect((await readLines(file)).map((l) => l.msg)).toEqual(['first', 'second']);
  });

  it('takes LOG_LEVEL, LOG_FILE and SERVICE_NAME from the environment; no worker field outside a cluster', async () => {
    const file = join(dir, 'env.ndjson');
    vi.stubEnv('LOG_LEVEL', 'debug');
    vi.stubEnv('LOG_FILE', file);
    vi.stubEnv('SERVICE_NAME', 'from-env');
    vi.stubEnv('LOGJAM_CLOUDWATCH_LOG_GROUP', '');
    const logger = createLogger({ stdout: false });
    logger.debug('debug line');
    logger.trace('trace line');
    await closeLogger(logger);
    const lines = await readLines(file);
    expect(lines.map((l) => l.msg)).toEqual(['debug line']);
    expect(lines[0]).toMatchObject({ level: 'debug', service: 'from-env' });
    expect('worker' in (lines[0] ?? {})).toBe(false);
  });

  it('refuses an unknown level with a message that names the setting', () => {
    vi.stubEnv('LOG_LEVEL', 'verbose');
    expect(() => createLogger({ stdout: false })).toThrow(/log level "verbose".*LOG_LEVEL/);
  });

  it.each([-1, 1.5, 2 * 1024 * 1024, Number.NaN])('refuses stdoutBufferBytes %s with a message that names the setting and its range', (bad) => {
    expect(() => createLogger({ cloudwatch: false, stdoutBufferBytes: bad })).toThrow(/stdoutBufferBytes must be a whole number of bytes from 0 to 1048576/);
  });

  it('every destination gets every line at the logger level (file + extra destination)', async () => {
    const file = join(dir, 'both.ndjson');
    const seen: string[] = [];
    const logger = createLogger({ stdout: false, cloudwatch: false, file, level: 'debug', destination: { write: (s: string) => void seen.push(s) } });
    logger.debug('d');
    logger.warn('w');
    await closeLogger(logger);
    expect((await readLines(file)).map((l) => l.level)).toEqual(['debug', 'warn']);
    expect(seen.map((s) => (JSON.parse(s) as { level: string }).level)).toEqual(['debug', 'warn']);
  });

  it('closeLogger on a logger it did not make still resolves', async () => {
    const logger = createLogger({ stdout: false, cloudwatch: false });
    expect(await closeLogger(logger.child({ a: 1 }))).toEqual({ flushed: true });
  });
});

describe('cloudWatchTransportPath', () => {
  const root = `${sep}repo`;
  it('uses the sibling built file when the logger itself runs from dist', () => {
    const url = pathToFileURL(join(root, 'dist', 'middleware', 'logger.js')).href;
    const expected = join(root, 'dist', 'middleware', 'sinks', 'cloudwatch', 'transport.js');
    expect(cloudWatchTransportPath(url, (p) => p === expected)).toBe(expected);
  });

  it('maps the source tree to dist (the worker thread needs JavaScript)', () => {
    const url = pathToFileURL(join(root, 'middleware', 'logger.ts')).href;
    const expected = join(root, 'dist', 'middleware', 'sinks', 'cloudwatch', 'transport.js');
    expect(cloudWatchTransportPath(url, (p) => p === expected)).toBe(expected);
  });

  it('says to build when the transport is not built', () => {
    const url = pathToFileURL(join(root, 'middleware', 'logger.ts')).href;
    expect(() => cloudWatchTransportPath(url, () => false)).toThrow(/npm run build/);
  });
});
