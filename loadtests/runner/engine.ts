/**
 * Runs scenario plans side by side (like k6's scenarios), each under its executor, until all are over or the
 * run's hard stop fires. Closed model: every VU is an async loop that waits for its response and its think time
 * before the next request, so thousands of VUs are thousands of pending promises, not threads.
 */
import { runRampingVus } from './executors/ramping-vus.js';
import { runSharedIterations } from './executors/shared-iterations.js';
import type { ExecutorEnv } from './executors/executor.js';
import { HttpClient } from './http.js';
import { Metrics } from './metrics.js';
import { executorMaxDurationMs, executorMaxVus } from './scale.js';
import type { ProgressSnapshot, ScenarioPlan } from './types.js';
import { createVu } from './vu.js';

export interface EngineOptions {
  runId: string;
  timeScale: number;
  timeoutMs: number;
  /** Ctrl-C, or the caller's own stop: everything stops now, the summary still comes */
  signal?: AbortSignal;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  progressIntervalMs?: number;
  tickMs?: number;
}

export interface EngineResult {
  metrics: Metrics;
  durationMs: number;
  /** why the run stopped early, if it did */
  stoppedBy?: 'signal' | 'deadline';
}

/** Extra time past the hard deadline for interrupted VUs to unwind before the engine returns regardless. */
const UNWIND_MS = 2_000;

/** The longest a run of these plans can take: scenario length + graceful stop + one request timeout. */
export function hardDeadlineMs(plans: readonly ScenarioPlan[], timeoutMs: number): number {
  return Math.max(0, ...plans.map((p) => executorMaxDurationMs(p.executor))) + timeoutMs;
}

export async function runEngine(plans: readonly ScenarioPlan[], options: EngineOptions): Promise<EngineResult> {
  const metrics = new Metrics();
  const scenarioMetrics = plans.map((p) =>
    metrics.addScenario(p.name, p.executor.executor, executorMaxVus(p.executor), p.thinkTimeS),
  );
  const http = new HttpClient({
    runId: options.runId,
    timeoutMs: options.timeoutMs,
    maxConnections: scenarioMetrics.reduce((sum, s) => sum + s.vusMax, 0),
    onRequest: (outcome) => metrics.request(outcome),
    onInterrupted: () => metrics.interruptedRequests++,
  });

  const hardStop = new AbortController();
  let stoppedBy: EngineResult['stoppedBy'];
  const stop = (why: 'signal' | 'deadline'): void => {
    if (hardStop.signal.aborted) return;
    stoppedBy = why;
    hardStop.abort();
  };
  const onSignal = (): void => stop('signal');
  if (options.signal?.aborted) stop('signal');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const deadline = setTimeout(() => stop('deadline'), hardDeadlineMs(plans, options.timeoutMs));

  const started = performance.now();
  const snapshot = (done: boolean): ProgressSnapshot => ({
    elapsedMs: performance.now() - started,
    vus: metrics.vus,
    vusByScenario: Object.fromEntries(scenarioMetrics.map((s) => [s.name, s.vus])),
    vusMax: scenarioMetrics.reduce((sum, s) => sum + s.vusMax, 0),
    requests: metrics.requests,
    iterations: metrics.iterations,
    failedChecks: metrics.checks.fails,
    noResponse: Object.values(metrics.noResponse).reduce((a, b) => a + b, 0),
    done,
  });
  const onProgress = options.onProgress;
  const progressTimer = onProgress
    ? setInterval(() => onProgress(snapshot(false)), options.progressIntervalMs ?? 100)
    : undefined;

  const runs = plans.map((plan, i) => {
    const scenario = scenarioMetrics[i]!;
    const env: ExecutorEnv = {
      hardStop: hardStop.signal,
      tickMs: options.tickMs ?? 100,
      vuStarted: () => metrics.vuStarted(scenario),
      vuStopped: () => metrics.vuStopped(scenario),
      async runIteration(vuId, signal) {
        const vu = createVu({ id: vuId, scenario, metrics, http, timeScale: options.timeScale, signal });
        const iterationStarted = performance.now();
        try {
          await plan.iteration(vu);
          metrics.iterationDone(scenario, performance.now() - iterationStarted);
        } catch (err) {
          if (signal.aborted) {
            metrics.iterationInterrupted(scenario);
          } else {
            // A script error ends the iteration; k6 logs it and still counts the iteration as complete.
            metrics.iterationError(err);
            metrics.iterationDone(scenario, performance.now() - iterationStarted);
          }
        }
      },
    };
    return plan.executor.executor === 'ramping-vus'
      ? runRampingVus(plan.executor, env)
      : runSharedIterations(plan.executor, env);
  });

  let unwindTimer: NodeJS.Timeout | undefined;
  try {
    const all = Promise.all(runs);
    await Promise.race([
      all,
      // After a hard stop, interrupted VUs unwind at once; never wait on one that does not.
      new Promise<void>((resolve) => {
        const afterStop = (): void => {
          unwindTimer = setTimeout(resolve, UNWIND_MS);
        };
        if (hardStop.signal.aborted) afterStop();
        else hardStop.signal.addEventListener('abort', afterStop, { once: true });
        void all.then(
          () => resolve(),
          () => resolve(),
        );
      }),
    ]);
  } finally {
    clearTimeout(deadline);
    clearTimeout(unwindTimer);
    if (progressTimer) clearInterval(progressTimer);
    options.signal?.removeEventListener('abort', onSignal);
    await http.close().catch(() => undefined);
  }
  const durationMs = performance.now() - started;
  onProgress?.(snapshot(true));
  return { metrics, durationMs, stoppedBy };
}
