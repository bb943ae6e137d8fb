/**
 * A scenario file's `export const options` (k6's format) -> executor specs in the runner's units (seconds), with
 * k6's defaults and a UsageError (exit 2) naming the scenario and field for anything wrong. Pure.
 *
 * Shorthands, as in k6: `stages` -> ramping-vus; `vus` + `duration` -> constant-vus; `iterations` (+ `vus`,
 * `duration` as maxDuration) -> shared-iterations; nothing -> one VU, one iteration. All in a scenario named
 * "default".
 */
import { UsageError } from '../../common/errors.js';
import { parseK6Duration } from './duration.js';
import type { ExecutorSpec } from './types.js';

const GRACEFUL_STOP_S = 30;
const GRACEFUL_RAMP_DOWN_S = 30;
const MAX_DURATION_S = 600;

export interface K6ScenarioConfig {
  name: string;
  executor: ExecutorSpec;
  /** the exported function this scenario runs (k6's `exec`; default "default") */
  exec: string;
  startTimeS: number;
  env: Record<string, string>;
  tags: Record<string, string>;
  /** logjam's extension: the think time per iteration, for the capacity math (else measured) */
  thinkTimeS?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function problem(scenario: string, text: string): UsageError {
  return new UsageError(`scenario "${scenario.slice(0, 80)}": ${text}`, 'see docs/loadtests.md for the executors and their options');
}

function seconds(scenario: string, o: Obj, field: string, fallback?: number): number {
  const v = o[field];
  if (v === undefined) {
    if (fallback === undefined) throw problem(scenario, `${field} is required (a duration like "30s")`);
    return fallback;
  }
  const ms = parseK6Duration(v);
  if (ms === undefined) throw problem(scenario, `${field} must be a duration like "30s", "1m30s" or "500ms", got ${JSON.stringify(v).slice(0, 40)}`);
  return ms / 1000;
}

function count(scenario: string, o: Obj, field: string, fallback?: number, min = 0): number {
  const v = o[field];
  if (v === undefined) {
    if (fallback === undefined) throw problem(scenario, `${field} is required (a whole number)`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw problem(scenario, `${field} must be a whole number ≥ ${min}, got ${JSON.stringify(v).slice(0, 40)}`);
  }
  return v;
}

function stages(scenario: string, o: Obj): Array<{ durationS: number; target: number }> {
  if (!Array.isArray(o.stages) || o.stages.length === 0) throw problem(scenario, 'stages must be a non-empty array of { duration, target }');
  return o.stages.map((stage: unknown, i) => {
    if (!isObj(stage)) throw problem(scenario, `stages[${i}] must be { duration, target }`);
    return { durationS: seconds(scenario, stage, 'duration'), target: count(scenario, stage, 'target') };
  });
}

function stringRecord(scenario: string, v: unknown, field: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw problem(scenario, `${field} must be an object of strings`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

const COMMON_FIELDS = ['executor', 'exec', 'startTime', 'gracefulStop', 'env', 'tags', 'thinkTime', 'options'];
const EXECUTOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};

/** k6 rejects unknown scenario fields (strict JSON); so do we: a typo must not fall back to a default silently. */
function rejectUnknownFields(name: string, o: Obj): void {
  const own = EXECUTOR_FIELDS[o.executor as string];
  if (!own) return;
  const unknown = Object.keys(o).filter((k) => !COMMON_FIELDS.includes(k) && !own.includes(k));
  if (unknown.length > 0) {
    throw problem(name, `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')} for ${String(o.executor)} (its options: ${own.join(', ')})`);
  }
}

export function executorSpec(name: string, o: Obj): ExecutorSpec {
  rejectUnknownFields(name, o);
  const gracefulStopS = seconds(name, o, 'gracefulStop', GRACEFUL_STOP_S);
  switch (o.executor) {
    case 'constant-vus':
      return { executor: 'constant-vus', vus: count(name, o, 'vus', 1, 1), durationS: seconds(name, o, 'duration'), gracefulStopS };
    case 'ramping-vus':
      return {
        executor: 'ramping-vus',
        startVUs: count(name, o, 'startVUs', 1),
        stages: stages(name, o),
        gracefulRampDownS: seconds(name, o, 'gracefulRampDown', GRACEFUL_RAMP_DOWN_S),
        gracefulStopS,
      };
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        executor: o.executor,
        vus: count(name, o, 'vus', 1, 1),
        iterations: count(name, o, 'iterations', 1, 1),
        maxDurationS: seconds(name, o, 'maxDuration', MAX_DURATION_S),
        gracefulStopS,
      };
    case 'constant-arrival-rate': {
      const preAllocatedVUs = count(name, o, 'preAllocatedVUs', undefined, 1);
      return {
        executor: 'constant-arrival-rate',
        rate: count(name, o, 'rate', undefined, 1),
        timeUnitS: seconds(name, o, 'timeUnit', 1),
        durationS: seconds(name, o, 'duration'),
        preAllocatedVUs,
        maxVUs: count(name, o, 'maxVUs', preAllocatedVUs, 1),
        gracefulStopS,
      };
    }
    case 'ramping-arrival-rate': {
      const preAllocatedVUs = count(name, o, 'preAllocatedVUs', undefined, 1);
      return {
        executor: 'ramping-arrival-rate',
        startRate: count(name, o, 'startRate', 0),
        timeUnitS: seconds(name, o, 'timeUnit', 1),
        stages: stages(name, o),
        preAllocatedVUs,
        maxVUs: count(name, o, 'maxVUs', preAllocatedVUs, 1),
        gracefulStopS,
      };
    }
    case 'externally-controlled':
      throw problem(name, 'externally-controlled is not supported by logjam load (it needs k6\'s REST API)');
    default:
      throw problem(
        name,
        `unknown executor ${JSON.stringify(o.executor).slice(0, 40)} (known: constant-vus, ramping-vus, shared-iterations, per-vu-iterations, constant-arrival-rate, ramping-arrival-rate)`,
      );
  }
}

function shorthand(options: Obj): Obj {
  if (options.stages !== undefined) return { executor: 'ramping-vus', startVUs: options.vus ?? 1, stages: options.stages };
  if (options.iterations !== undefined) {
    return { executor: 'shared-iterations', vus: options.vus ?? 1, iterations: options.iterations, ...(options.duration !== undefined ? { maxDuration: options.duration } : {}) };
  }
  if (options.duration !== undefined) return { executor: 'constant-vus', vus: options.vus ?? 1, duration: options.duration };
  return { executor: 'shared-iterations', vus: 1, iterations: 1 };
}

export function scenarioConfigs(options: unknown): K6ScenarioConfig[] {
  if (options === undefined) options = {};
  if (!isObj(options)) throw new UsageError('`export const options` must be an object');
  const scenarios = options.scenarios === undefined ? { default: shorthand(options) } : options.scenarios;
  if (!isObj(scenarios) || Object.keys(scenarios).length === 0) throw new UsageError('options.scenarios must be an object with at least one scenario');
  return Object.entries(scenarios).map(([name, config]) => {
    if (!isObj(config)) throw problem(name, 'must be an object with an executor');
    if (config.exec !== undefined && typeof config.exec !== 'string') throw problem(name, 'exec must be the name of an exported function');
    return {
      name,
      executor: executorSpec(name, config),
      exec: (config.exec as string | undefined) ?? 'default',
      startTimeS: seconds(name, config, 'startTime', 0),
      env: stringRecord(name, config.env, 'env'),
      tags: stringRecord(name, config.tags, 'tags'),
      ...(config.thinkTime !== undefined ? { thinkTimeS: seconds(name, config, 'thinkTime') } : {}),
    };
  });
}
