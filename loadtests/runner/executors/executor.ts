/** What an executor gets from the engine: it decides WHEN VUs run iterations; the engine runs and measures them. */
export interface ExecutorEnv {
  /** aborted when everything must stop now (Ctrl-C, the run's hard deadline) */
  readonly hardStop: AbortSignal;
  /** how often the executor re-reads its VU target (k6 adjusts about every 100 ms) */
  readonly tickMs: number;
  /** runs one iteration of VU `vuId` until it ends or `signal` interrupts it; never throws */
  runIteration(vuId: number, signal: AbortSignal): Promise<void>;
  vuStarted(): void;
  vuStopped(): void;
  /** an arrival-rate iteration that was due but found no VU (k6's dropped_iterations) */
  dropped(): void;
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Lets timers and I/O run between iterations, so an iteration that fails synchronously cannot starve the loop. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
