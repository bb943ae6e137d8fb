/**
 * k6's ramping-vus executor. Every tick (~100 ms) the target VU count is read off the stages' straight lines:
 * VU slots below the target run iterations back to back; a slot above it (ramp-down) finishes its current
 * iteration and stops — or is interrupted once gracefulRampDown has passed. When the stages are over, VUs still
 * in an iteration get gracefulStop to finish it. k6 removes the highest-numbered VUs first; so does this.
 */
import { maxTarget, stagesDurationMs, targetAt } from '../stages.js';
import type { RampingVusPlan } from '../types.js';
import { waitFor, yieldToEventLoop } from './executor.js';
import type { ExecutorEnv } from './executor.js';

interface Slot {
  running: boolean;
  controller?: AbortController;
  /** when the current iteration will be interrupted (set while the slot is above the target) */
  interruptAt?: number;
}

export async function runRampingVus(plan: RampingVusPlan, env: ExecutorEnv): Promise<void> {
  const totalMs = stagesDurationMs(plan);
  const slots: Slot[] = Array.from({ length: maxTarget(plan) }, () => ({ running: false }));
  const loops = new Set<Promise<void>>();
  const started = performance.now();
  let target = Math.min(plan.startVUs, slots.length);
  let stagesOver = false;

  const interruptAll = (): void => {
    for (const slot of slots) slot.controller?.abort();
  };
  env.hardStop.addEventListener('abort', interruptAll, { once: true });

  const startLoop = (index: number): void => {
    const slot = slots[index]!;
    slot.running = true;
    env.vuStarted();
    const loop = (async () => {
      try {
        while (!stagesOver && !env.hardStop.aborted && index < target) {
          slot.controller = new AbortController();
          slot.interruptAt = undefined;
          await env.runIteration(index + 1, slot.controller.signal);
          await yieldToEventLoop();
        }
      } finally {
        slot.running = false;
        slot.controller = undefined;
        slot.interruptAt = undefined;
        env.vuStopped();
      }
    })();
    loops.add(loop);
    void loop.finally(() => loops.delete(loop));
  };

  const tick = (): void => {
    const now = performance.now() - started;
    if (now >= totalMs) {
      stagesOver = true;
      target = 0;
    } else {
      target = targetAt(plan, now);
    }
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (i < target) {
        slot.interruptAt = undefined;
        if (!slot.running) startLoop(i);
        continue;
      }
      if (!slot.running) continue;
      if (slot.interruptAt === undefined) slot.interruptAt = now + plan.gracefulRampDownMs;
      if (stagesOver) slot.interruptAt = Math.min(slot.interruptAt, totalMs + plan.gracefulStopMs);
      if (now >= slot.interruptAt) slot.controller?.abort();
    }
  };

  try {
    for (;;) {
      tick();
      if ((stagesOver && loops.size === 0) || env.hardStop.aborted) break;
      await waitFor(env.tickMs, env.hardStop);
    }
    if (env.hardStop.aborted) interruptAll();
    await Promise.all(loops);
  } finally {
    env.hardStop.removeEventListener('abort', interruptAll);
  }
}
