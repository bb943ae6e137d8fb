/**
 * Everything a run measures, as counters and two trends: no per-request arrays, so memory does not grow with the
 * number of requests. One instance per run; the summary is built from its snapshot().
 */
import { CheckCounter } from './checks.js';
import { Trend } from './trend.js';
import type { TrendValues } from './trend.js';
import type { RequestOutcome } from './http.js';
import type { NoResponseReason } from './types.js';

/** Distinct iteration-error messages kept; beyond that they are counted under one "(other errors)" key. */
const MAX_ERROR_MESSAGES = 20;
const OTHER_ERRORS = '(other errors)';

export class ScenarioMetrics {
  readonly checks = new CheckCounter();
  iterations = 0;
  interruptedIterations = 0;
  /** VU loops alive now */
  vus = 0;
  constructor(
    readonly name: string,
    readonly executor: string,
    readonly vusMax: number,
    readonly thinkTimeS: number,
  ) {}
}

export interface MetricsSnapshot {
  requests: number;
  /** k6's http_req_failed: no response, or a status outside 200–399 */
  failedRequests: number;
  noResponse: Record<NoResponseReason, number>;
  interruptedRequests: number;
  duration: TrendValues;
  iterationDuration: TrendValues;
  iterations: number;
  interruptedIterations: number;
  iterationErrors: { total: number; byMessage: Record<string, number> };
  checks: Array<{ name: string; passes: number; fails: number }>;
  checkPasses: number;
  checkFails: number;
  vusMax: number;
  vusPeak: number;
  scenarios: Array<{
    name: string;
    executor: string;
    vusMax: number;
    thinkTimeS: number;
    iterations: number;
    interruptedIterations: number;
    checks: Array<{ name: string; passes: number; fails: number }>;
  }>;
}

export class Metrics {
  readonly scenarios = new Map<string, ScenarioMetrics>();
  readonly checks = new CheckCounter();
  requests = 0;
  failedRequests = 0;
  readonly noResponse: Record<NoResponseReason, number> = { timeout: 0, refused: 0, reset: 0, other: 0 };
  interruptedRequests = 0;
  private readonly duration = new Trend();
  private readonly iterationDuration = new Trend();
  iterations = 0;
  interruptedIterations = 0;
  private iterationErrorTotal = 0;
  private readonly iterationErrors = new Map<string, number>();
  vus = 0;
  vusPeak = 0;

  addScenario(name: string, executor: string, vusMax: number, thinkTimeS: number): ScenarioMetrics {
    const scenario = new ScenarioMetrics(name, executor, vusMax, thinkTimeS);
    this.scenarios.set(name, scenario);
    return scenario;
  }

  request(outcome: RequestOutcome): void {
    this.requests++;
    this.duration.add(outcome.durationMs);
    if (outcome.noResponse) this.noResponse[outcome.noResponse]++;
    if (outcome.status < 200 || outcome.status >= 400) this.failedRequests++;
  }

  check(scenario: ScenarioMetrics, name: string, passed: boolean): void {
    this.checks.record(name, passed);
    scenario.checks.record(name, passed);
  }

  iterationDone(scenario: ScenarioMetrics, ms: number): void {
    this.iterations++;
    scenario.iterations++;
    this.iterationDuration.add(ms);
  }

  iterationInterrupted(scenario: ScenarioMetrics): void {
    this.interruptedIterations++;
    scenario.interruptedIterations++;
  }

  iterationError(err: unknown): void {
    this.iterationErrorTotal++;
    // Messages come from our own scenario code or JSON.parse, never from response bodies; still cap their length.
    const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 200);
    const key = this.iterationErrors.has(message) || this.iterationErrors.size < MAX_ERROR_MESSAGES ? message : OTHER_ERRORS;
    this.iterationErrors.set(key, (this.iterationErrors.get(key) ?? 0) + 1);
  }

  vuStarted(scenario: ScenarioMetrics): void {
    scenario.vus++;
    this.vus++;
    if (this.vus > this.vusPeak) this.vusPeak = this.vus;
  }

  vuStopped(scenario: ScenarioMetrics): void {
    scenario.vus--;
    this.vus--;
  }

  snapshot(): MetricsSnapshot {
    const scenarios = [...this.scenarios.values()];
    return {
      requests: this.requests,
      failedRequests: this.failedRequests,
      noResponse: { ...this.noResponse },
      interruptedRequests: this.interruptedRequests,
      duration: this.duration.values(),
      iterationDuration: this.iterationDuration.values(),
      iterations: this.iterations,
      interruptedIterations: this.interruptedIterations,
      iterationErrors: { total: this.iterationErrorTotal, byMessage: Object.fromEntries(this.iterationErrors) },
      checks: this.checks.entries(),
      checkPasses: this.checks.passes,
      checkFails: this.checks.fails,
      vusMax: scenarios.reduce((sum, s) => sum + s.vusMax, 0),
      vusPeak: this.vusPeak,
      scenarios: scenarios.map((s) => ({
        name: s.name,
        executor: s.executor,
        vusMax: s.vusMax,
        thinkTimeS: s.thinkTimeS,
        iterations: s.iterations,
        interruptedIterations: s.interruptedIterations,
        checks: s.checks.entries(),
      })),
    };
  }
}
