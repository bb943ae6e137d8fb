/**
 * k6's constant-arrival-rate and ramping-arrival-rate executors: the open model. Iterations start on the schedule
 * (arrival-schedule.ts) whether or not earlier ones have finished — a slow server does not slow the arrivals down,
 * which is what keeps "coordinated omission" out of the latencies. Each start takes an idle VU; with none idle, a
 * new one is allocated up to maxVUs (k6 allocates them on demand too); with none left, the iteration is dropped
 * and counted (k6's dropped_iterations). After the schedule, running iterations get gracefulStop to finish.
 */
import { arrivalScheduleLengthMs, arrivalTimesMs } from '../arrival-schedule.js';
import type { ArrivalRatePlan } from '../types.js';
import { waitFor } from './executor.js';
import type { ExecutorEnv } from './executor.js';

export async function runArrivalRate(plan: ArrivalRatePlan, env: ExecutorEnv): Promise<void> {
  const maxVUs = Math.max(plan.preAllocatedVUs, plan.maxVUs);
  const idle: number[] = [];
  for (let id = plan.preAllocatedVUs; id >= 1; id--) idle.push(id);
  let allocated = plan.preAllocatedVUs;
  const running = new Map<AbortController, Promise<void>>();
  const interruptAll = (): void => {
    for (const controller of running.keys()) controller.abort();
  };
  env.hardStop.addEventListener('abort', interruptAll, { once: true });

  const start = (vuId: number): void => {
    const controller = new AbortController();
    env.vuStarted();
    const iteration = env.runIteration(vuId, controller.signal).finally(() => {
      running.delete(controller);
      env.vuStopped();
      idle.push(vuId);
    });
    running.set(controller, iteration);
  };

  const started = performance.now();
  try {
    for (const at of arrivalTimesMs(plan)) {
      const wait = at - (performance.now() - started);
      // A late timer (busy machine) makes several iterations due at once: they all start now, none is skipped.
      if (wait > 1) await waitFor(wait, env.hardStop);
      if (env.hardStop.aborted) break;
      const vuId = idle.pop() ?? (allocated < maxVUs ? ++allocated : undefined);
      if (vuId === undefined) env.dropped();
      else start(vuId);
    }
    if (!env.hardStop.aborted) {
      const graceLeft = arrivalScheduleLengthMs(plan) + plan.gracefulStopMs - (performance.now() - started);
      // the grace timer is cancelled as soon as the iterations are done: a pending timer would keep the process up
      const doneEarly = new AbortController();
      const allDone = Promise.all(running.values()).then(() => doneEarly.abort());
      await waitFor(Math.max(0, graceLeft), AbortSignal.any([doneEarly.signal, env.hardStop]));
      void allDone;
      interruptAll();
    }
    await Promise.all(running.values());
  } finally {
    env.hardStop.removeEventListener('abort', interruptAll);
  }
}
