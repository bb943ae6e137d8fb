/**
 * SIGTERM/SIGINT with no handler of the application's kill the process at once: no 'exit' event, so the file sink's
 * exit hook never writes out what it has gathered. One listener per signal (for all file sinks of the process)
 * flushes them; when it is the only listener, it then re-raises the signal, so the process ends exactly as
 * it would have without us (killed by that signal). When the application listens too, its handler decides when to
 * exit (its shutdown calls closeLogger) and nothing more is done here.
 */
import { isMainThread } from 'node:worker_threads';

/** A sink that gathers lines (the file sink): flush(cb) writes them out, then calls cb. */
export interface FlushableSink {
  flush(cb?: (err?: Error) => void): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Bound on the flush before re-raising: a stuck disk must not keep a killed process alive. */
const FLUSH_BOUND_MS = 2000;

const guarded = new Set<FlushableSink>();
let installed = false;

/** Flush `dest` on SIGTERM/SIGINT; the returned function stops that (the sink was closed). */
export function flushOnSignal(dest: FlushableSink): () => void {
  // signals reach the main thread only; a worker thread's sinks end with its thread (pino's exit hook is main-only too)
  if (!isMainThread) return () => undefined;
  guarded.add(dest);
  if (!installed) {
    installed = true;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  return () => {
    guarded.delete(dest);
    if (guarded.size === 0 && installed) {
      installed = false;
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    }
  };
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  const flushed = Promise.all([...guarded].map((dest) => flushed1(dest)));
  if (!alone) return;
  const reraise = (): void => {
    for (const each of SIGNALS) process.removeListener(each, onSignal);
    installed = false;
    process.kill(process.pid, signal);
  };
  const timer = setTimeout(reraise, FLUSH_BOUND_MS);
  void flushed.then(() => {
    clearTimeout(timer);
    reraise();
  });
}

function flushed1(dest: FlushableSink): Promise<void> {
  return new Promise((resolve) => {
    try {
      dest.flush(() => resolve());
    } catch {
      resolve(); // destroyed or not open yet: nothing of ours to write
    }
  });
}
