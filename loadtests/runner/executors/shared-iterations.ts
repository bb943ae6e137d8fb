/**
 * k6's shared-iterations executor: `vus` VUs take iterations from one shared counter until `iterations` have been
 * started or maxDuration has passed; iterations still running then get gracefulStop to finish.
 */
import type { SharedIterationsPlan } from '../types.js';
import { waitFor, yieldToEventLoop } from './executor.js';
import type { ExecutorEnv } from './executor.js';

export async function runSharedIterations(plan: SharedIterationsPlan, env: ExecutorEnv): Promise<void> {
  const vus = Math.min(plan.vus, plan.iterations);
  const running = new Set<AbortController>();
  const interruptAll = (): void => {
    for (const controller of running) controller.abort();
  };
  let claimed = 0;
  let timeUp = false;
  const allDone = new AbortController();

  const loops = Array.from({ length: vus }, async (_, index) => {
    env.vuStarted();
    try {
      while (!timeUp && !env.hardStop.aborted && claimed < plan.iterations) {
        claimed++;
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
  // maxDuration, then gracefulStop: both end early when every VU is done.
  const deadlines = (async () => {
    await waitFor(plan.maxDurationMs, AbortSignal.any([allDone.signal, env.hardStop]));
    timeUp = true;
    await waitFor(plan.gracefulStopMs, AbortSignal.any([allDone.signal, env.hardStop]));
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
