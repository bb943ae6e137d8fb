/**
 * Runs the sample app as a child process for the lab: its own event loop (so the load generator in this process
 * does not steal its CPU time inside one loop), its NDJSON lines to a log file, its messages to our stderr with a
 * prefix. Stopping it sends SIGTERM, which runs the app's graceful shutdown (in-flight requests finish, logs are
 * flushed, the embedded database stops) — bounded, then SIGKILL as a last resort.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LogjamError } from '../common/errors.js';
import { freePort } from '../sample-app/db/embedded.js';

// The app's own entry, not the whole CLI: it loads only what the service needs.
const APP_MAIN = fileURLToPath(new URL('../sample-app/main.js', import.meta.url));

export interface AppProcess {
  url: string;
  pid: number;
  /** Graceful stop; resolves with the exit code once the process (and its database) is gone. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

async function waitHealthy(url: string, child: ChildProcess, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new LogjamError('LJ_INTERRUPTED', 'interrupted while the sample app was starting');
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LogjamError('LJ_APP_START', `the sample app exited during start (code ${child.exitCode ?? child.signalCode})`, {
        hint: 'its messages are above; try `logjam app` alone to see the problem',
      });
    }
    try {
      const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastError = `health answered ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new LogjamError('LJ_APP_START', `the sample app did not become healthy within ${deadlineMs / 1000} s (${lastError})`);
}

export async function startAppProcess(options: {
  env: Record<string, string>;
  logFile: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  onMessage?: (line: string) => void;
  /** aborting while the app starts stops it and rejects */
  signal?: AbortSignal;
}): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [APP_MAIN], {
    // LOGJAM_STOP_WITH_PARENT + a stdin pipe: if this process dies without stopping the app (SIGKILL, a crash),
    // the pipe closes and the app shuts down by itself, taking its temporary embedded PostgreSQL with it.
    env: { ...process.env, ...options.env, PORT: String(port), LOG_FILE: options.logFile, LOGJAM_STOP_WITH_PARENT: '1' },
    // stdout carries the same NDJSON lines as LOG_FILE: not needed here.
    stdio: ['pipe', 'ignore', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches us, and we stop the app in order (load first).
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.stderr) {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => options.onMessage?.(line));
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timeout = options.stopTimeoutMs ?? 20_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  // Never leave the app (and its database) behind if this process dies unexpectedly.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  try {
    await waitHealthy(url, child, options.startTimeoutMs ?? 60_000, options.signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid ?? -1, stop, exited };
}
