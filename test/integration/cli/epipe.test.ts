/** `logjam … | head`: the reader closing the pipe early ends the CLI quietly, never with an EPIPE stack trace. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

describe('a closed stdout pipe', () => {
  it('ends `logjam load --help` without a stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'load', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // like `| head -0`: the reader is gone before the help is written
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(code).toBe(0);
  });
});
