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

/** k6's `constant-vus`: `vus` VUs run iterations back to back for `durationS`. */
export interface ConstantVusSpec {
  executor: 'constant-vus';
  vus: number;
  durationS: number;
  gracefulStopS: number;
}

/** k6's `per-vu-iterations`: each of `vus` VUs runs exactly `iterations` iterations (within maxDuration). */
export interface PerVuIterationsSpec {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationS: number;
  gracefulStopS: number;
}

/** k6's `constant-arrival-rate` (open model): `rate` iterations start every `timeUnitS`, for `durationS`. */
export interface ConstantArrivalRateSpec {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitS: number;
  durationS: number;
  preAllocatedVUs: number;
  /** k6 default: preAllocatedVUs */
  maxVUs: number;
  gracefulStopS: number;
}

/** k6's `ramping-arrival-rate` (open model): the start rate follows straight lines between stage targets. */
export interface RampingArrivalRateSpec {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitS: number;
  stages: ReadonlyArray<{ durationS: number; target: number }>;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStopS: number;
}

export type ExecutorSpec =
  | RampingVusSpec
  | SharedIterationsSpec
  | ConstantVusSpec
  | PerVuIterationsSpec
  | ConstantArrivalRateSpec
  | RampingArrivalRateSpec;

export interface RequestParams {
  headers?: Record<string, string>;
  /** k6's tags: `name` groups URLs in the metrics (default: the URL without its query string) */
  tags?: Record<string, string>;
  /** per-request timeout, k6 style ("10s", or ms as a number); default the run's --timeout */
  timeout?: string | number;
}

/** What an iteration function gets: the k6 API it needs, bound to this VU and this iteration. */
export interface Vu {
  /** 1-based, within its scenario */
  readonly id: number;
  /** k6's __VU: 1-based and unique across the run's scenarios */
  readonly globalId: number;
  /** k6's __ITER: 0-based count of this VU's iterations in its scenario */
  readonly iteration: number;
  readonly scenario: string;
  readonly http: {
    get(url: string, params?: RequestParams): Promise<HttpResponse>;
    post(url: string, body: string | null, params?: RequestParams): Promise<HttpResponse>;
    del(url: string, body?: string | null, params?: RequestParams): Promise<HttpResponse>;
    request(method: string, url: string, body?: string | null, params?: RequestParams): Promise<HttpResponse>;
  };
  /** k6's check(): every named predicate counts one pass or one fail; true when all passed */
  check<T>(value: T, checkers: Record<string, (value: T) => boolean>, tags?: Record<string, string>): boolean;
  /** k6's group(): runs `fn` with the group's name in the tags of its requests and checks */
  group<R>(name: string, fn: () => R): R;
  /** k6's sleep(), in the lab's seconds: multiplied by --time-scale */
  sleep(seconds: number): Promise<void>;
}

export type IterationFn = (vu: Vu) => Promise<void>;

export interface ScenarioSpec {
  name: string;
  executor: ExecutorSpec;
  iteration: IterationFn;
  /** seconds of think time per iteration, in the lab's units (the capacity math's Z); undefined: measured */
  thinkTimeS: number | undefined;
  /** k6's startTime, in seconds */
  startTimeS?: number;
  tags?: Readonly<Record<string, string>>;
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

export interface ConstantVusPlan {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
  gracefulStopMs: number;
}

export interface PerVuIterationsPlan {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
  gracefulStopMs: number;
}

export interface ConstantArrivalRatePlan {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStopMs: number;
}

export interface RampingArrivalRatePlan {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: ReadonlyArray<{ durationMs: number; target: number }>;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStopMs: number;
}

export type ArrivalRatePlan = ConstantArrivalRatePlan | RampingArrivalRatePlan;

export type ExecutorPlan =
  | RampingVusPlan
  | SharedIterationsPlan
  | ConstantVusPlan
  | PerVuIterationsPlan
  | ConstantArrivalRatePlan
  | RampingArrivalRatePlan;

export interface ScenarioPlan {
  name: string;
  executor: ExecutorPlan;
  iteration: IterationFn;
  /** think time per iteration in this run's (scaled) seconds; undefined: measured from the sleeps */
  thinkTimeS: number | undefined;
  /** k6's startTime, scaled: the scenario starts this long after the run */
  startTimeMs?: number;
  /** k6's scenario tags: added to every sample of the scenario */
  tags?: Readonly<Record<string, string>>;
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
  /** arrival-rate iterations that found no free VU */
  droppedIterations: number;
  failedChecks: number;
  noResponse: number;
  done: boolean;
}
