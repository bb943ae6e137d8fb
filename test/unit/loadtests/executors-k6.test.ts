/**
 * The four executors added for scenario files, through the engine with iterations that only sleep (no HTTP):
 * counts the executor defines are asserted exactly; timing only where the schedule fixes it.
 */
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../../loadtests/runner/engine.js';
import type { ExecutorPlan, ScenarioPlan, Vu } from '../../../loadtests/runner/types.js';

const engineOptions = { runId: 'exec-k6-test', timeScale: 1, timeoutMs: 1000 };

function scenario(name: string, executor: ExecutorPlan, iteration: ScenarioPlan['iteration'], extra: Partial<ScenarioPlan> = {}): ScenarioPlan {
  return { name, executor, iteration, thinkTimeS: 0, ...extra };
}

describe('per-vu-iterations', () => {
  it('each VU runs exactly `iterations` iterations (k6: "each VU executes an exact number of iterations")', async () => {
    const byVu = new Map<number, number[]>();
    const { metrics } = await runEngine(
      [
        scenario('p', { executor: 'per-vu-iterations', vus: 4, iterations: 5, maxDurationMs: 10_000, gracefulStopMs: 1000 }, async (vu: Vu) => {
          byVu.set(vu.id, [...(byVu.get(vu.id) ?? []), vu.iteration]);
          await vu.sleep(0.005);
        }),
      ],
      engineOptions,
    );
    expect(metrics.iterations).toBe(20);
    expect([...byVu.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const iterations of byVu.values()) expect(iterations).toEqual([0, 1, 2, 3, 4]); // __ITER per VU
  });
});

describe('constant-vus', () => {
  it('keeps `vus` VUs iterating for the duration, then stops', async () => {
    const vus = new Set<number>();
    let peak = 0;
    const { metrics, durationMs } = await runEngine(
      [
        scenario('c', { executor: 'constant-vus', vus: 3, durationMs: 600, gracefulStopMs: 500 }, async (vu: Vu) => {
          vus.add(vu.id);
          await vu.sleep(0.05);
        }),
      ],
      { ...engineOptions, onProgress: (s) => (peak = Math.max(peak, s.vus)), progressIntervalMs: 20 },
    );
    expect([...vus].sort()).toEqual([1, 2, 3]);
    expect(peak).toBe(3);
    expect(metrics.snapshot().vusMax).toBe(3);
    expect(metrics.iterations).toBeGreaterThan(3);
    // the iterations running at the end finish within gracefulStop: none is cut off
    expect(metrics.interruptedIterations).toBe(0);
    expect(durationMs).toBeLessThan(600 + 500 + 2000);
  });

  it('interrupts an iteration still running gracefulStop after the duration', async () => {
    const { metrics } = await runEngine(
      [scenario('c', { executor: 'constant-vus', vus: 2, durationMs: 200, gracefulStopMs: 100 }, async (vu: Vu) => vu.sleep(5))],
      engineOptions,
    );
    expect(metrics.iterations).toBe(0);
    expect(metrics.interruptedIterations).toBe(2);
  });
});

describe('arrival rates', () => {
  it('starts every scheduled iteration while VUs are free; iterations overlap (open model)', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { metrics } = await runEngine(
      [
        scenario(
          'a',
          { executor: 'constant-arrival-rate', rate: 50, timeUnitMs: 1000, durationMs: 400, preAllocatedVUs: 30, maxVUs: 30, gracefulStopMs: 1000 },
          async (vu: Vu) => {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            await vu.sleep(0.1);
            inFlight--;
          },
        ),
      ],
      engineOptions,
    );
    expect(metrics.iterations).toBe(20); // 50/s for 0.4 s, one every 20 ms from 0
    expect(metrics.droppedIterations).toBe(0);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('drops (and counts) iterations due when every VU up to maxVUs is busy, instead of waiting for one', async () => {
    const { metrics } = await runEngine(
      [
        scenario(
          'a',
          { executor: 'constant-arrival-rate', rate: 100, timeUnitMs: 1000, durationMs: 300, preAllocatedVUs: 1, maxVUs: 3, gracefulStopMs: 2000 },
          async (vu: Vu) => vu.sleep(1),
        ),
      ],
      engineOptions,
    );
    // 30 due; 3 VUs each busy for 1 s (longer than the schedule) take exactly 3
    expect(metrics.iterations).toBe(3);
    expect(metrics.droppedIterations).toBe(27);
    const snapshot = metrics.snapshot();
    expect(snapshot.scenarios[0]).toMatchObject({ droppedIterations: 27, vusMax: 3 });
  });

  it('ramping-arrival-rate starts the integral of its rate: 0 → 100/s over 400 ms is 20 iterations', async () => {
    const { metrics } = await runEngine(
      [
        scenario(
          'r',
          {
            executor: 'ramping-arrival-rate',
            startRate: 0,
            timeUnitMs: 1000,
            stages: [{ durationMs: 400, target: 100 }],
            preAllocatedVUs: 20,
            maxVUs: 20,
            gracefulStopMs: 1000,
          },
          async (vu: Vu) => vu.sleep(0.01),
        ),
      ],
      engineOptions,
    );
    // N(0.4 s) = ½·0.4·100 = 20; the 20th falls exactly at the end, so 19 start
    expect(metrics.iterations + metrics.droppedIterations).toBe(19);
  });
});

describe('startTime', () => {
  it('starts the scenario that much later', async () => {
    const firstAt: number[] = [];
    const started = performance.now();
    await runEngine(
      [
        scenario('late', { executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 1000, gracefulStopMs: 0 }, async () => {
          firstAt.push(performance.now() - started);
        }, { startTimeMs: 300 }),
      ],
      engineOptions,
    );
    expect(firstAt).toHaveLength(1);
    expect(firstAt[0]).toBeGreaterThanOrEqual(295);
  });
});
