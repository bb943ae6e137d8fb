/**
 * The built sample app (dist/sample-app/main.js) as a child process, the way the lab runs it: its own event loop
 * (so the load generator in the test process does not share its CPU time), an embedded PostgreSQL in a throw-away
 * data folder, NDJSON lines to a log file only. stop() runs the app's graceful shutdown (SIGTERM), which flushes
 * the log file and stops the database; the temp folder is removed afterwards.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APP_MAIN = join(ROOT, 'dist/sample-app/main.js');
export const CLI_JS = join(ROOT, 'dist/cli/main.js');

/** A temp folder the `postgres` system user can write into (initdb runs as that user when tests run as root). */
export async function makeWorldWritableTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o777);
  return dir;
}

export interface AppChild {
  url: string;
  pid: number;
  logFile: string;
  /** the embedded PostgreSQL's data folder (its postmaster's command line names it) */
  pgDataDir: string;
  stderr(): string;
  /** Graceful stop (SIGTERM); resolves with the exit code once the app and its database are gone. */
  stop(): Promise<number | null>;
}

export interface AppChildOptions {
  /** the app's environment on top of ours: knobs, pool size… */
  env?: Record<string, string>;
  /** folder for the log file and the database (created by the caller, removed by the caller) */
  dir: string;
  /** bound on the start (initdb + migrations on a busy machine) */
  startTimeoutMs?: number;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startAppChild(options: AppChildOptions): Promise<AppChild> {
  const logFile = join(options.dir, 'app.ndjson');
  const pgParent = await makeWorldWritableTempDir('logjam-e2e-pg-');
  const pgDataDir = join(pgParent, 'data');
  const child = spawn(process.execPath, [APP_MAIN], {
    env: {
      ...process.env,
      ...options.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FILE: logFile,
      LOG_STDOUT: '0',
      PG_DATA_DIR: pgDataDir,
      WEB_CONCURRENCY: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the sample app did not start within ${options.startTimeoutMs ?? 60_000} ms; stderr:\n${stderr}`));
    }, options.startTimeoutMs ?? 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = LISTENING.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the sample app exited during start (code ${code}); stderr:\n${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await exited;
    await rm(pgParent, { recursive: true, force: true });
    throw err;
  });

  let stopping: Promise<number | null> | undefined;
  const stop = (): Promise<number | null> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // The app drains for up to SHUTDOWN_TIMEOUT_MS (10 s) and then stops the database: SIGKILL only far beyond.
      const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const code = await exited;
      clearTimeout(killer);
      await rm(pgParent, { recursive: true, force: true });
      return code;
    })());

  return { url, pid: child.pid ?? -1, logFile, pgDataDir, stderr: () => stderr, stop };
}
