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

/** Something that sees every sample with its tags: the thresholds (per-tag sub-metrics) and the guard rails. */
export interface SampleSink {
  sample(metric: string, value: number, tags: Readonly<Record<string, string>>): void;
}

export class ScenarioMetrics {
  readonly checks = new CheckCounter();
  iterations = 0;
  interruptedIterations = 0;
  droppedIterations = 0;
  /** sleep time of the completed iterations, ms: the measured think time when the scenario declares none */
  sleptMs = 0;
  /** VU loops alive now */
  vus = 0;
  constructor(
    readonly name: string,
    readonly executor: string,
    readonly vusMax: number,
    /** declared think time, or undefined to report the measured one */
    readonly declaredThinkTimeS: number | undefined,
  ) {}

  /** the declared think time, else the mean sleep per completed iteration (seconds, this run's scale) */
  get thinkTimeS(): number {
    if (this.declaredThinkTimeS !== undefined) return this.declaredThinkTimeS;
    return this.iterations > 0 ? this.sleptMs / this.iterations / 1000 : 0;
  }
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
  droppedIterations: number;
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
    droppedIterations: number;
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
  droppedIterations = 0;
  private readonly sinks: SampleSink[] = [];
  private iterationErrorTotal = 0;
  private readonly iterationErrors = new Map<string, number>();
  vus = 0;
  vusPeak = 0;

  addSink(sink: SampleSink): void {
    this.sinks.push(sink);
  }

  private emit(metric: string, value: number, tags: Readonly<Record<string, string>>): void {
    for (const sink of this.sinks) sink.sample(metric, value, tags);
  }

  addScenario(name: string, executor: string, vusMax: number, thinkTimeS: number | undefined): ScenarioMetrics {
    const scenario = new ScenarioMetrics(name, executor, vusMax, thinkTimeS);
    this.scenarios.set(name, scenario);
    return scenario;
  }

  request(outcome: RequestOutcome): void {
    this.requests++;
    this.duration.add(outcome.durationMs);
    if (outcome.noResponse) this.noResponse[outcome.noResponse]++;
    const failed = outcome.status < 200 || outcome.status >= 400;
    if (failed) this.failedRequests++;
    if (this.sinks.length > 0) {
      this.emit('http_reqs', 1, outcome.tags);
      this.emit('http_req_duration', outcome.durationMs, outcome.tags);
      this.emit('http_req_failed', failed ? 1 : 0, outcome.tags);
    }
  }

  check(scenario: ScenarioMetrics, name: string, passed: boolean, tags: Readonly<Record<string, string>> = { check: name }): void {
    this.checks.record(name, passed);
    scenario.checks.record(name, passed);
    this.emit('checks', passed ? 1 : 0, tags);
  }

  iterationDone(scenario: ScenarioMetrics, ms: number, sleptMs = 0, tags: Readonly<Record<string, string>> = { scenario: scenario.name }): void {
    this.iterations++;
    scenario.iterations++;
    scenario.sleptMs += sleptMs;
    this.iterationDuration.add(ms);
    this.emit('iterations', 1, tags);
    this.emit('iteration_duration', ms, tags);
  }

  iterationDropped(scenario: ScenarioMetrics, tags: Readonly<Record<string, string>> = { scenario: scenario.name }): void {
    this.droppedIterations++;
    scenario.droppedIterations++;
    this.emit('dropped_iterations', 1, tags);
  }

  iterationInterrupted(scenario: ScenarioMetrics): void {
    this.interruptedIterations++;
    scenario.interruptedIterations++;
  }

  /** `where` is the scenario file and line the error came from, when known ("checkout.ts:12") */
  iterationError(err: unknown, where?: string): void {
    this.iterationErrorTotal++;
    // Messages come from the scenario's own code or JSON.parse, never from response bodies; still cap their length.
    const text = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 200);
    const message = where ? `${text} (at ${where})` : text;
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
      droppedIterations: this.droppedIterations,
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
        droppedIterations: s.droppedIterations,
        checks: s.checks.entries(),
      })),
    };
  }
}
