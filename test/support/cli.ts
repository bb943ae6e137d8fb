/**
 * Running the built `logjam` CLI (dist/) as a child process in tests: its exit code, stdout and stderr, with colour
 * off. Tests that use it build first (`npm test` does).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');
export const ALIAS = join(ROOT, 'dist/cli/analyze-alias.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `bin` (CLI or ALIAS) with args in `cwd`; `stdin` is written and closed (an empty stdin when absent); `env` is
 * added to this process's environment.
 */
export function runBin(bin: string, args: string[], stdin?: string, cwd?: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** `logjam <args>` (the built CLI) in `cwd` (default: this process's), with an empty stdin. */
export function runCli(args: string[], cwd?: string): Promise<CliResult> {
  return runBin(CLI, args, undefined, cwd);
}
