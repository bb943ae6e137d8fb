/**
 * The runner's vocabulary: scenarios are data (an executor spec in the lab's units — seconds and VUs — and an
 * iteration function); plans are the same specs after --time-scale/--vu-scale, in milliseconds.
 */
import type { HttpResponse } from './http-response.js';

/** k6's `ramping-vus`: the VU count follows straight lines between stage targets. */
export interface RampingVusSpec {
  executor: 'ramping-vus';
  startVUs: number;
  stages: ReadonlyArray<{ durationS: number; target: number }>;
  /** how long a VU removed by a ramp-down may take to finish its current iteration (k6 default 30 s) */
  gracefulRampDownS: number;
  /** how long running iterations may take to finish once the stages are over (k6 default 30 s) */
  gracefulStopS: number;
}

/** k6's `shared-iterations`: `vus` VUs take iterations from one shared pool of `iterations`. */
export interface SharedIterationsSpec {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  /** k6 default 10 min */
  maxDurationS: number;
  gracefulStopS: number;
}

export type ExecutorSpec = RampingVusSpec | SharedIterationsSpec;

export interface RequestParams {
  headers?: Record<string, string>;
}

/** What an iteration function gets: the k6 API it needs, bound to this VU and this iteration. */
export interface Vu {
  /** 1-based, within its scenario (k6's __VU is global; nothing here depends on the difference) */
  readonly id: number;
  readonly scenario: string;
  readonly http: {
    get(url: string, params?: RequestParams): Promise<HttpResponse>;
    post(url: string, body: string | null, params?: RequestParams): Promise<HttpResponse>;
    del(url: string, body?: string | null, params?: RequestParams): Promise<HttpResponse>;
  };
  /** k6's check(): every named predicate counts one pass or one fail; true when all passed */
  check<T>(value: T, checkers: Record<string, (value: T) => boolean>): boolean;
  /** k6's sleep(), in the lab's seconds: multiplied by --time-scale */
  sleep(seconds: number): Promise<void>;
}

export type IterationFn = (vu: Vu) => Promise<void>;

export interface ScenarioSpec {
  name: string;
  executor: ExecutorSpec;
  iteration: IterationFn;
  /** seconds of think time per iteration, in the lab's units (the capacity math's Z) */
  thinkTimeS: number;
}

// ---- after scaling -----------------------------------------------------------------------------------------------

export interface RampingVusPlan {
  executor: 'ramping-vus';
  startVUs: number;
  stages: ReadonlyArray<{ durationMs: number; target: number }>;
  gracefulRampDownMs: number;
  gracefulStopMs: number;
}

export interface SharedIterationsPlan {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
  gracefulStopMs: number;
}

export type ExecutorPlan = RampingVusPlan | SharedIterationsPlan;

export interface ScenarioPlan {
  name: string;
  executor: ExecutorPlan;
  iteration: IterationFn;
  /** think time per iteration in this run's (scaled) seconds */
  thinkTimeS: number;
}

/** Why a request got no response at all. */
export type NoResponseReason = 'timeout' | 'refused' | 'reset' | 'other';

/** One sample of the engine's state, given to onProgress about every 100 ms and once at the end. */
export interface ProgressSnapshot {
  elapsedMs: number;
  /** VUs running an iteration (or about to), all scenarios */
  vus: number;
  vusByScenario: Record<string, number>;
  vusMax: number;
  requests: number;
  iterations: number;
  failedChecks: number;
  noResponse: number;
  done: boolean;
}
