/**
 * The file sink gathers lines before writing (fileBufferBytes, default 8 KiB). None of them may be lost when the
 * process ends any way but SIGKILL: a normal exit, process.exit(), an uncaught exception, and SIGTERM / SIGINT
 * with no handler of the application's (the process must still die by that signal, as it would without logjam).
 * A child process runs the BUILT createLogger, writes a few lines (far less than the buffer) and ends.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MIDDLEWARE } from '../support/logger-child.js';
import { requireBuild } from './build.js';

const LINES = 20;

/** The child: lines written, then the ending under test; 'ready' on stdout once the lines are in the logger. */
const CHILD = `
const { createLogger } = await import(process.env.LJ_MIDDLEWARE_URL);
const logger = createLogger({ service: 'exit-test', stdout: false, cloudwatch: false, file: process.env.LJ_FILE });
for (let i = 0; i < ${LINES}; i++) logger.info({ event: 'test.line', seq: i }, 'line');
const how = process.env.LJ_END;
if (how === 'throw') setTimeout(() => { throw new Error('uncaught on purpose'); }, 10);
else if (how === 'exit') setTimeout(() => process.exit(3), 10);
else if (how === 'signal') { setInterval(() => undefined, 1000); process.stdout.write('ready\\n'); }
`;

let dir: string;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'logjam-file-buffer-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(end: 'return' | 'exit' | 'throw' | NodeJS.Signals): Promise<{ code: number | null; signal: string | null; seqs: number[] }> {
  const file = join(dir, `${end}.ndjson`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      LJ_MIDDLEWARE_URL: new URL(`file://${BUILT_MIDDLEWARE}`).href,
      LJ_FILE: file,
      LJ_END: end.startsWith('SIG') ? 'signal' : end,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (end.startsWith('SIG')) {
    await once(child.stdout, 'data');
    child.kill(end as NodeJS.Signals);
  }
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  const text = await readFile(file, 'utf8').catch(() => '');
  const seqs = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);
  return { code, signal, seqs };
}

const ALL = Array.from({ length: LINES }, (_, i) => i);

describe('the buffered file sink at process end', () => {
  it('a normal exit (the event loop ran dry): every line', async () => {
    expect(await run('return')).toEqual({ code: 0, signal: null, seqs: ALL });
  });
  it('process.exit(3): every line, the exit code kept', async () => {
    expect(await run('exit')).toEqual({ code: 3, signal: null, seqs: ALL });
  });
  it('an uncaught exception: every line, exit code 1', async () => {
    expect(await run('throw')).toEqual({ code: 1, signal: null, seqs: ALL });
  });
  it.each(['SIGTERM', 'SIGINT'] as const)('%s with no handler of the app: every line, and the process dies by that signal', async (sig) => {
    expect(await run(sig)).toEqual({ code: null, signal: sig, seqs: ALL });
  });
});
