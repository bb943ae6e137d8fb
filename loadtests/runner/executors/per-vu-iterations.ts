/**
 * k6's per-vu-iterations executor: each of `vus` VUs runs exactly `iterations` iterations, back to back, until
 * they are done or maxDuration has passed; iterations still running then get gracefulStop to finish.
 */
import type { PerVuIterationsPlan } from '../types.js';
import { waitFor, yieldToEventLoop } from './executor.js';
import type { ExecutorEnv } from './executor.js';

export async function runPerVuIterations(plan: PerVuIterationsPlan, env: ExecutorEnv): Promise<void> {
  const running = new Set<AbortController>();
  const interruptAll = (): void => {
    for (const controller of running) controller.abort();
  };
  let timeUp = false;
  const allDone = new AbortController();

  const loops = Array.from({ length: plan.vus }, async (_, index) => {
    env.vuStarted();
    try {
      for (let done = 0; done < plan.iterations && !timeUp && !env.hardStop.aborted; done++) {
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
