/**
 * The loop shared by the iteration-count executors (per-vu-iterations, shared-iterations): `vus` VUs run iterations
 * back to back while `claimIteration` grants one, until maxDuration has passed; iterations still running then get
 * gracefulStop to finish, and are interrupted after it. Everything ends early when every VU is done or on hardStop.
 */
import { waitFor, yieldToEventLoop } from './executor.js';
import type { ExecutorEnv } from './executor.js';

export interface IterationLoopTiming {
  readonly maxDurationMs: number;
  readonly gracefulStopMs: number;
}

/**
 * `claimIteration(vuIndex, doneByThisVu)` says whether the VU (0-based) may start one more iteration; it is called
 * once per iteration, so a shared counter can be claimed inside it.
 */
export async function runIterationLoops(
  vus: number,
  claimIteration: (vuIndex: number, doneByThisVu: number) => boolean,
  timing: IterationLoopTiming,
  env: ExecutorEnv,
): Promise<void> {
  const running = new Set<AbortController>();
  const interruptAll = (): void => {
    for (const controller of running) controller.abort();
  };
  let timeUp = false;
  const allDone = new AbortController();

  const loops = Array.from({ length: vus }, async (_, index) => {
    env.vuStarted();
    try {
      for (let done = 0; !timeUp && !env.hardStop.aborted && claimIteration(index, done); done++) {
        const controller = new AbortController();
        running.add(controller);
        try {
          await env.runIteration(index + 1, controller.signal);
        } finally {
          running.delete(controller);
        }
        await yieldToEventLoop();
      }
    } finally {
      env.vuStopped();
    }
  });

  env.hardStop.addEventListener('abort', interruptAll, { once: true });
  const deadlines = (async () => {
    await waitFor(timing.maxDurationMs, AbortSignal.any([allDone.signal, env.hardStop]));
    timeUp = true;
    await waitFor(timing.gracefulStopMs, AbortSignal.any([allDone.signal, env.hardStop]));
    interruptAll();
  })();
  try {
    await Promise.all(loops);
  } finally {
    allDone.abort();
    await deadlines;
    env.hardStop.removeEventListener('abort', interruptAll);
  }
}
