/** Shared helpers of the sample-app integration tests: capture log lines, spawn the built app, wait for events. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'pg';
import { closeLogger, createLogger } from '../../../middleware/index.js';
import { createApp } from '../../../sample-app/app.js';
import type { Knobs } from '../../../sample-app/config.js';
import { createPool } from '../../../sample-app/db/pool.js';

export type Line = Record<string, unknown>;

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN_JS = `${ROOT}dist/sample-app/main.js`;
export const CLI_JS = `${ROOT}dist/cli/main.js`;

/** An in-process app on its own pool, listening on 127.0.0.1:0, with every log line captured (no stdout noise). */
export async function buildApp(databaseUrl: string, options: { knobs?: Partial<Knobs>; poolMax?: number; acquireTimeoutMs?: number; statementTimeoutMs?: number } = {}) {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Line);
      callback();
    },
  });
  const logger = createLogger({ service: 'taskoverflow-test', stdout: false, file: undefined, cloudwatch: false, destination });
  const pool: Pool = createPool(
    {
      databaseUrl,
      databaseSsl: 'off',
      dbPoolMax: options.poolMax ?? 5,
      dbAcquireTimeoutMs: options.acquireTimeoutMs ?? 2000,
      dbStatementTimeoutMs: options.statementTimeoutMs ?? 5000,
      serviceName: 'taskoverflow-test',
    },
    logger,
  );
  const app = createApp({ pool, logger, knobs: options.knobs });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
    await closeLogger(logger);
  };
  return { url, pool, logger, lines, close };
}

export type BuiltApp = Awaited<ReturnType<typeof buildApp>>;

/** A child process whose stdout NDJSON lines are parsed as they arrive, so tests wait for events, not for time. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  private waiters: { predicate: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(script: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Line;
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.predicate(line) ? (w.resolve(line), false) : true));
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first line (seen or to come) matching the predicate; rejects if the process exits first. */
  waitForLine(predicate: (line: Line) => boolean): Promise<Line> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ predicate, resolve });
      void this.exited.then(() => reject(new Error(`process exited before the expected line; stderr:\n${this.stderr}`)));
    });
  }

  /** The URL printed on stderr once listening (single-process mode). */
  url(): Promise<string> {
    const pattern = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(this.stderr);
        if (match?.[1]) resolve(match[1]);
        return match !== null;
      };
      if (check()) return;
      const onData = (): void => void (check() && this.child.stderr?.off('data', onData));
      this.child.stderr?.on('data', onData);
      void this.exited.then(() => reject(new Error(`process exited before listening; stderr:\n${this.stderr}`)));
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
