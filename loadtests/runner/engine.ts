/**
 * Runs scenario plans side by side (like k6's scenarios), each under its executor, until all are over or the
 * run's hard stop fires. Closed model: every VU is an async loop that waits for its response and its think time
 * before the next request, so thousands of VUs are thousands of pending promises, not threads.
 */
import { runArrivalRate } from './executors/arrival-rate.js';
import { runPerVuIterations } from './executors/per-vu-iterations.js';
import { runRampingVus } from './executors/ramping-vus.js';
import { runSharedIterations } from './executors/shared-iterations.js';
import { waitFor } from './executors/executor.js';
import type { ExecutorEnv } from './executors/executor.js';
import { IterationLog } from './client-log.js';
import type { ClientLogWriter } from './client-log.js';
import { HttpClient } from './http.js';
import { Metrics } from './metrics.js';
import type { SampleSink } from './metrics.js';
import { executorMaxDurationMs, executorMaxVus } from './scale.js';
import type { ExecutorPlan, ProgressSnapshot, ScenarioPlan } from './types.js';
import { createVu } from './vu.js';
import type { VuIterationState } from './vu.js';

export interface EngineOptions {
  runId: string;
  timeScale: number;
  timeoutMs: number;
  /** Ctrl-C, or the caller's own stop: everything stops now, the summary still comes */
  signal?: AbortSignal;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  progressIntervalMs?: number;
  tickMs?: number;
  /** see every sample with its tags (thresholds, guard rails) */
  sinks?: readonly SampleSink[];
  /** where a script error came from ("file.ts:12"), for its count in the summary */
  locateError?: (err: unknown) => string | undefined;
  /** told once per distinct script error, when it first happens */
  onScriptError?: (message: string) => void;
  /** asked about every second: a reason to stop the run now (an abortOnFail threshold that failed) */
  shouldAbort?: (elapsedMs: number) => string | undefined;
  abortCheckIntervalMs?: number;
  /** the client request log: one line per request (common/client-log.ts) */
  clientLog?: ClientLogWriter;
}

export interface EngineResult {
  metrics: Metrics;
  durationMs: number;
  /** why the run stopped early, if it did */
  stoppedBy?: 'signal' | 'deadline' | 'threshold';
  /** the reason shouldAbort gave */
  abortReason?: string;
}

/** constant-vus is ramping-vus with one flat stage: the same VU loop, k6's same semantics. */
function runExecutor(plan: ExecutorPlan, env: ExecutorEnv): Promise<void> {
  switch (plan.executor) {
    case 'ramping-vus':
      return runRampingVus(plan, env);
    case 'constant-vus':
      return runRampingVus(
        {
          executor: 'ramping-vus',
          startVUs: plan.vus,
          stages: [{ durationMs: plan.durationMs, target: plan.vus }],
          // no ramp-down happens; at the end, running iterations get gracefulStop (the ramp-down bound is min'ed in)
          gracefulRampDownMs: plan.gracefulStopMs,
          gracefulStopMs: plan.gracefulStopMs,
        },
        env,
      );
    case 'shared-iterations':
      return runSharedIterations(plan, env);
    case 'per-vu-iterations':
      return runPerVuIterations(plan, env);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return runArrivalRate(plan, env);
  }
}

/** Extra time past the hard deadline for interrupted VUs to unwind before the engine returns regardless. */
const UNWIND_MS = 2_000;

/** The longest a run of these plans can take: scenario length + graceful stop + one request timeout. */
export function hardDeadlineMs(plans: readonly ScenarioPlan[], timeoutMs: number): number {
  return Math.max(0, ...plans.map((p) => (p.startTimeMs ?? 0) + executorMaxDurationMs(p.executor))) + timeoutMs;
}

export async function runEngine(plans: readonly ScenarioPlan[], options: EngineOptions): Promise<EngineResult> {
  const metrics = new Metrics();
  for (const sink of options.sinks ?? []) metrics.addSink(sink);
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
  let abortReason: string | undefined;
  const stop = (why: NonNullable<EngineResult['stoppedBy']>): void => {
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
    droppedIterations: metrics.droppedIterations,
    failedChecks: metrics.checks.fails,
    noResponse: Object.values(metrics.noResponse).reduce((a, b) => a + b, 0),
    done,
  });
  const onProgress = options.onProgress;
  const progressTimer = onProgress
    ? setInterval(() => onProgress(snapshot(false)), options.progressIntervalMs ?? 100)
    : undefined;

  const shouldAbort = options.shouldAbort;
  const abortTimer = shouldAbort
    ? setInterval(() => {
        const reason = shouldAbort(performance.now() - started);
        if (reason !== undefined) {
          abortReason = reason;
          stop('threshold');
        }
      }, options.abortCheckIntervalMs ?? 1000)
    : undefined;

  const reportedErrors = new Set<string>();
  // k6's __VU is unique across scenarios: each scenario's VUs are numbered after the previous scenarios' ones
  let vuOffset = 0;
  const runs = plans.map(async (plan, i) => {
    const scenario = scenarioMetrics[i]!;
    const firstVu = vuOffset;
    vuOffset += scenario.vusMax;
    const iterationsOfVu = new Map<number, number>();
    const iterationTags = { scenario: plan.name, ...plan.tags };
    const env: ExecutorEnv = {
      hardStop: hardStop.signal,
      tickMs: options.tickMs ?? 100,
      vuStarted: () => metrics.vuStarted(scenario),
      vuStopped: () => metrics.vuStopped(scenario),
      dropped: () => metrics.iterationDropped(scenario, iterationTags),
      async runIteration(vuId, signal) {
        const iteration = iterationsOfVu.get(vuId) ?? 0;
        iterationsOfVu.set(vuId, iteration + 1);
        const state: VuIterationState = { sleptMs: 0 };
        const log = options.clientLog
          ? new IterationLog(options.clientLog, { runId: options.runId, scenario: plan.name, vu: firstVu + vuId, iteration })
          : undefined;
        const vu = createVu({
          id: vuId,
          globalId: firstVu + vuId,
          iteration,
          scenario,
          metrics,
          http,
          timeScale: options.timeScale,
          signal,
          tags: plan.tags,
          state,
          log,
        });
        const iterationStarted = performance.now();
        try {
          await plan.iteration(vu);
          metrics.iterationDone(scenario, performance.now() - iterationStarted, state.sleptMs, iterationTags);
        } catch (err) {
          if (signal.aborted) {
            metrics.iterationInterrupted(scenario);
          } else {
            // A script error ends the iteration; k6 logs it and still counts the iteration as complete.
            const where = options.locateError?.(err);
            metrics.iterationError(err, where);
            const text = `${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 200);
            const key = `${text}@${where ?? ''}`;
            if (options.onScriptError && !reportedErrors.has(key) && reportedErrors.size < 20) {
              reportedErrors.add(key);
              options.onScriptError(`${where ? `${where}: ` : ''}${text} (scenario ${plan.name}, VU ${firstVu + vuId}, iteration ${iteration})`);
            }
            metrics.iterationDone(scenario, performance.now() - iterationStarted, state.sleptMs, iterationTags);
          }
        } finally {
          log?.flush();
        }
      },
    };
    if (plan.startTimeMs) await waitFor(plan.startTimeMs, hardStop.signal);
    if (hardStop.signal.aborted) return;
    await runExecutor(plan.executor, env);
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
    if (abortTimer) clearInterval(abortTimer);
    options.signal?.removeEventListener('abort', onSignal);
    await http.close().catch(() => undefined);
  }
  const durationMs = performance.now() - started;
  onProgress?.(snapshot(true));
  return { metrics, durationMs, stoppedBy, ...(abortReason !== undefined ? { abortReason } : {}) };
}
