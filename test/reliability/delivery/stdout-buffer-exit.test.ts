/**
 * stdout, the default destination, gathers lines before writing (stdoutBufferBytes, default 4096). None of them may
 * be lost when the process ends any way but SIGKILL — a normal exit, process.exit(), an uncaught exception, SIGTERM /
 * SIGINT with no handler of the application's (the process still dies by that signal) — whether stdout is a file
 * (a redirect) or a pipe (a container's log driver, a supervisor). A child process runs the BUILT createLogger with
 * its defaults, writes a few lines (far less than the buffer) and ends; the lines on its stdout are counted.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MIDDLEWARE } from '../support/logger-child.js';
import { requireBuild } from './build.js';

const LINES = 20;

/**
 * The child: LJ_LINES lines, then the ending under test; 'ready' on stderr once the lines are in the logger (stdout
 * is the log). LJ_OPTIONS: extra createLogger options as JSON. LJ_TOUCH_STDOUT: make Node open process.stdout first
 * (libuv then puts a pipe in non-blocking mode: a full pipe answers EAGAIN).
 */
const CHILD = `
const { createLogger } = await import(process.env.LJ_MIDDLEWARE_URL);
if (process.env.LJ_TOUCH_STDOUT) void process.stdout;
const logger = createLogger({ service: 'stdout-exit-test', cloudwatch: false, ...JSON.parse(process.env.LJ_OPTIONS ?? '{}') });
const lines = Number(process.env.LJ_LINES);
for (let i = 0; i < lines; i++) logger.info({ event: 'test.line', seq: i }, 'line');
const how = process.env.LJ_END;
if (how === 'throw') setTimeout(() => { throw new Error('uncaught on purpose'); }, 10);
else if (how === 'exit') setTimeout(() => process.exit(3), 10);
else if (how === 'signal' || how === 'wait') { setInterval(() => undefined, 1000); process.stderr.write('ready\\n'); }
`;

type Ending = 'return' | 'exit' | 'throw' | 'wait' | NodeJS.Signals;

interface Run {
  code: number | null;
  signal: string | null;
  seqs: number[];
  stderr: string;
}

let dir: string;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'logjam-stdout-buffer-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const seqsOf = (text: string): number[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

interface RunOptions {
  lines?: number;
  options?: Record<string, unknown>;
  touchStdout?: boolean;
  /** 'pipe': read by this process; 'file': a regular file; 'readonly': a file the child cannot write (EBADF). */
  stdout: 'pipe' | 'file' | 'readonly';
  /** Pipe only: do not read it until the child has written everything it will (the pipe fills up). */
  readLate?: boolean;
  /** While the child waits (ending 'wait' or a signal): what its stdout holds once it said 'ready'. */
  onReady?: (stdoutSoFar: () => Promise<string>) => Promise<void>;
}

let runs = 0;
async function run(end: Ending, how: RunOptions): Promise<Run> {
  const file = join(dir, `run-${++runs}.ndjson`);
  if (how.stdout === 'readonly') writeFileSync(file, '');
  const fd = how.stdout === 'pipe' ? undefined : openSync(file, how.stdout === 'file' ? 'a' : 'r');
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      LJ_MIDDLEWARE_URL: new URL(`file://${BUILT_MIDDLEWARE}`).href,
      LJ_LINES: String(how.lines ?? LINES),
      LJ_OPTIONS: JSON.stringify(how.options ?? {}),
      LJ_END: end.startsWith('SIG') ? 'signal' : end,
      ...(how.touchStdout ? { LJ_TOUCH_STDOUT: '1' } : {}),
    },
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
  });
  if (fd !== undefined) closeSync(fd);
  let piped = '';
  const readPipe = (): void => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (piped += chunk));
  };
  if (!how.readLate) readPipe();
  let stderr = '';
  const errors = child.stderr!;
  errors.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stdoutSoFar = async (): Promise<string> => (fd === undefined ? piped : readFile(file, 'utf8'));
  if (end === 'wait' || end.startsWith('SIG')) {
    while (!stderr.includes('ready\n')) await once(errors, 'data');
    await how.onReady?.(stdoutSoFar);
    child.kill(end === 'wait' ? 'SIGTERM' : (end as NodeJS.Signals));
  }
  if (how.readLate) {
    // the child blocks on the full pipe until read: read only after a while, then everything must still come
    await new Promise((resolve) => setTimeout(resolve, 300));
    readPipe();
  }
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const closed = fd === undefined ? once(child.stdout!, 'end') : Promise.resolve();
  const [[code, signal]] = await Promise.all([exited, closed]);
  const text = fd === undefined ? piped : how.stdout === 'file' ? await readFile(file, 'utf8') : '';
  return { code, signal, seqs: seqsOf(text), stderr };
}

const ALL = Array.from({ length: LINES }, (_, i) => i);

describe.each(['file', 'pipe'] as const)('buffered stdout (a %s) at process end', (stdout) => {
  it('a normal exit (the event loop ran dry): every line', async () => {
    expect(await run('return', { stdout })).toMatchObject({ code: 0, signal: null, seqs: ALL });
  });
  it('process.exit(3): every line, the exit code kept', async () => {
    expect(await run('exit', { stdout })).toMatchObject({ code: 3, signal: null, seqs: ALL });
  });
  it('an uncaught exception: every line, exit code 1', async () => {
    expect(await run('throw', { stdout })).toMatchObject({ code: 1, signal: null, seqs: ALL });
  });
  it.each(['SIGTERM', 'SIGINT'] as const)('%s with no handler of the app: every line, and the process dies by that signal', async (sig) => {
    expect(await run(sig, { stdout })).toMatchObject({ code: null, signal: sig, seqs: ALL });
  });
});

describe('buffered stdout', () => {
  it('stdoutBufferBytes: 0 writes each line at once: all of them are on stdout while the process still runs', async () => {
    let seen: number[] = [];
    const result = await run('wait', {
      stdout: 'file',
      options: { stdoutBufferBytes: 0 },
      onReady: async (soFar) => {
        seen = seqsOf(await soFar());
      },
    });
    expect(seen).toEqual(ALL);
    expect(result.seqs).toEqual(ALL);
  });

  it('a reader that falls behind (a full non-blocking pipe) slows the writer and loses nothing', async () => {
    // ~6 MB of lines against a 64 KiB pipe nobody reads for a while: the writes meet EAGAIN and must wait it out
    const lines = 40_000;
    const result = await run('return', { stdout: 'pipe', lines, touchStdout: true, readLate: true });
    expect(result.code).toBe(0);
    expect(result.seqs).toEqual(Array.from({ length: lines }, (_, i) => i));
    expect(result.stderr).not.toMatch(/lost/);
  });

  it('lines whose write fails are counted and reported on stderr, never thrown into the app', async () => {
    const result = await run('return', { stdout: 'readonly' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/logjam: the stdout sink lost \d+ line\(s\) \(EBADF\)/);
    // every line is accounted for: the first report at once, the total at exit
    expect(result.stderr).toMatch(new RegExp(`logjam: the stdout sink lost ${LINES} line\\(s\\)( in all|.*${LINES} lost so far)`));
  });
});
