/**
 * The executors through the engine, with iterations that only sleep (no HTTP). Real timers on a shared, noisy
 * machine: counts are asserted exactly where the executor defines them (shared-iterations), and the ramping VU
 * curve within a stated tolerance.
 */
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../../loadtests/runner/engine.js';
import { targetAt } from '../../../loadtests/runner/stages.js';
import type { ProgressSnapshot, RampingVusPlan, ScenarioPlan, SharedIterationsPlan, Vu } from '../../../loadtests/runner/types.js';

const sleeping = (seconds: number, seen?: (vu: Vu) => void) => async (vu: Vu) => {
  seen?.(vu);
  await vu.sleep(seconds);
};

function scenario(name: string, executor: RampingVusPlan | SharedIterationsPlan, iteration: ScenarioPlan['iteration']): ScenarioPlan {
  return { name, executor, iteration, thinkTimeS: 0 };
}

const engineOptions = { runId: 'exec-test', timeScale: 1, timeoutMs: 1000 };

describe('ramping-vus', () => {
  it('follows the stages: tolerance ±2 VUs of the target at some moment in the last 300 ms, for ≥ 90 % of samples', async () => {
    const plan: RampingVusPlan = {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { durationMs: 1000, target: 20 },
        { durationMs: 1000, target: 20 },
        { durationMs: 1000, target: 0 },
      ],
      gracefulRampDownMs: 500,
      gracefulStopMs: 500,
    };
    const samples: ProgressSnapshot[] = [];
    const vuIds = new Set<number>();
    const { metrics } = await runEngine([scenario('ramp', plan, sleeping(0.05, (vu) => vuIds.add(vu.id)))], {
      ...engineOptions,
      onProgress: (s) => samples.push(s),
      progressIntervalMs: 50,
    });

    const during = samples.filter((s) => !s.done && s.elapsedMs < 3000);
    expect(during.length).toBeGreaterThan(10);
    const within = during.filter((s) => {
      const targets = [0, 100, 200, 300].map((back) => targetAt(plan, Math.max(0, s.elapsedMs - back)));
      const vus = s.vusByScenario.ramp!;
      return vus >= Math.min(...targets) - 2 && vus <= Math.max(...targets) + 2;
    });
    expect(within.length / during.length).toBeGreaterThanOrEqual(0.9);

    // the curve's shape: up to 20, held, back to 0
    expect(Math.max(...samples.map((s) => s.vus))).toBe(20);
    expect(samples.at(-1)).toMatchObject({ done: true, vus: 0 });
    expect([...vuIds].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(metrics.snapshot().vusMax).toBe(20);

    // ∫VUs dt = 40 VU·s of 50 ms iterations ≈ 800; timer overhead only lowers it. Tolerance: 50 %–105 %.
    const iterations = metrics.iterations;
    expect(iterations).toBeGreaterThan(400);
    expect(iterations).toBeLessThanOrEqual(840);
    // VUs removed by the ramp-down finish their 50 ms iteration well within gracefulRampDown
    expect(metrics.interruptedIterations).toBe(0);
  });

  it('interrupts iterations that outlast gracefulRampDown / gracefulStop, and counts them as interrupted', async () => {
    const plan: RampingVusPlan = {
      executor: 'ramping-vus',
      startVUs: 5,
      stages: [
        { durationMs: 300, target: 5 },
        { durationMs: 300, target: 0 },
      ],
      gracefulRampDownMs: 100,
      gracefulStopMs: 100,
    };
    const { metrics, stoppedBy } = await runEngine([scenario('slow', plan, sleeping(60))], engineOptions);
    expect(stoppedBy).toBeUndefined(); // the executor itself stopped them, not the hard deadline
    expect(metrics.interruptedIterations).toBe(5);
    expect(metrics.iterations).toBe(0);
    expect(metrics.vus).toBe(0);
  });
});

describe('shared-iterations', () => {
  it('runs exactly `iterations` across `vus` VUs', async () => {
    const plan: SharedIterationsPlan = { executor: 'shared-iterations', vus: 4, iterations: 30, maxDurationMs: 60_000, gracefulStopMs: 1000 };
    const perVu = new Map<number, number>();
    const samples: ProgressSnapshot[] = [];
    const { metrics } = await runEngine(
      [scenario('shared', plan, sleeping(0.01, (vu) => perVu.set(vu.id, (perVu.get(vu.id) ?? 0) + 1)))],
      { ...engineOptions, onProgress: (s) => samples.push(s), progressIntervalMs: 20 },
    );
    expect(metrics.iterations).toBe(30);
    expect([...perVu.values()].reduce((a, b) => a + b, 0)).toBe(30);
    expect([...perVu.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(Math.max(...samples.map((s) => s.vus))).toBe(4);
    expect(samples.at(-1)!.vus).toBe(0);
  });

  it('never starts more VUs than iterations', async () => {
    const plan: SharedIterationsPlan = { executor: 'shared-iterations', vus: 10, iterations: 3, maxDurationMs: 60_000, gracefulStopMs: 1000 };
    const ids = new Set<number>();
    const { metrics } = await runEngine([scenario('few', plan, sleeping(0.01, (vu) => ids.add(vu.id)))], engineOptions);
    expect(metrics.iterations).toBe(3);
    expect(ids.size).toBe(3);
    expect(metrics.snapshot().vusMax).toBe(3);
  });

  it('stops starting iterations at maxDuration and lets running ones finish within gracefulStop', async () => {
    const plan: SharedIterationsPlan = { executor: 'shared-iterations', vus: 2, iterations: 100_000, maxDurationMs: 300, gracefulStopMs: 2000 };
    const { metrics } = await runEngine([scenario('capped', plan, sleeping(0.1))], engineOptions);
    expect(metrics.iterations).toBeGreaterThan(0);
    expect(metrics.iterations).toBeLessThan(100); // 2 VUs × ~300 ms / 100 ms, plus generous slack
    expect(metrics.interruptedIterations).toBe(0);
  });
});

describe('engine', () => {
  it('stops everything when the caller aborts, and reports it', async () => {
    const plan: SharedIterationsPlan = { executor: 'shared-iterations', vus: 3, iterations: 3, maxDurationMs: 600_000, gracefulStopMs: 30_000 };
    const controller = new AbortController();
    const { metrics, stoppedBy } = await runEngine([scenario('forever', plan, sleeping(600))], {
      ...engineOptions,
      signal: controller.signal,
      onProgress: (s) => {
        if (s.vus === 3) controller.abort();
      },
    });
    expect(stoppedBy).toBe('signal');
    expect(metrics.interruptedIterations).toBe(3);
  });

  it('counts an iteration that throws as complete, with its error, and keeps the VU going', async () => {
    const plan: SharedIterationsPlan = { executor: 'shared-iterations', vus: 1, iterations: 5, maxDurationMs: 60_000, gracefulStopMs: 1000 };
    const { metrics } = await runEngine(
      [
        scenario('throws', plan, async () => {
          JSON.parse('');
        }),
      ],
      engineOptions,
    );
    const snapshot = metrics.snapshot();
    expect(snapshot.iterations).toBe(5);
    expect(snapshot.iterationErrors.total).toBe(5);
    expect(Object.keys(snapshot.iterationErrors.byMessage)).toHaveLength(1);
    expect(Object.keys(snapshot.iterationErrors.byMessage)[0]).toMatch(/^SyntaxError/);
  });

  it('runs scenarios side by side and counts checks per scenario and overall', async () => {
    const a: SharedIterationsPlan = { executor: 'shared-iterations', vus: 2, iterations: 6, maxDurationMs: 60_000, gracefulStopMs: 1000 };
    const b: SharedIterationsPlan = { executor: 'shared-iterations', vus: 1, iterations: 4, maxDurationMs: 60_000, gracefulStopMs: 1000 };
    const { metrics } = await runEngine(
      [
        scenario('a', a, async (vu) => {
          vu.check(1, { 'is one': (x) => x === 1, 'is two': (x) => x === 2 });
        }),
        scenario('b', b, async (vu) => {
          vu.check(2, { 'is two': (x) => x === 2 });
        }),
      ],
      engineOptions,
    );
    const snapshot = metrics.snapshot();
    expect(snapshot.checks).toEqual([
      { name: 'is one', passes: 6, fails: 0 },
      { name: 'is two', passes: 4, fails: 6 },
    ]);
    expect(snapshot.scenarios.find((s) => s.name === 'b')!.checks).toEqual([{ name: 'is two', passes: 4, fails: 0 }]);
    expect(snapshot.vusMax).toBe(3);
  });
});
