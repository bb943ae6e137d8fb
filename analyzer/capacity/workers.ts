/**
 * How many workers a host runs, and how many requests per second they can serve.
 * Each function returns the FormulaLine it computed, so the number and its working travel together.
 */
import { num } from './format.js';
import type { FormulaLine, WorkerModel } from './types.js';

/** gunicorn's documented starting point: two workers per core plus one (one waits on I/O while another computes). */
export function gunicornWorkers(cores: number): FormulaLine {
  const result = 2 * cores + 1;
  return {
    name: 'workers.gunicorn',
    formula: 'workers = 2 × cores + 1',
    substituted: `workers = 2 × ${num(cores)} + 1`,
    result,
    unit: 'workers',
    note: "gunicorn's rule of thumb",
  };
}

/** Node's cluster module: one worker process per core (each worker is one event loop, i.e. one core at most). */
export function nodeClusterWorkers(cores: number): FormulaLine {
  // A Fargate task with 0.25 or 0.5 vCPU still runs one process.
  const result = Math.max(1, Math.floor(cores));
  return {
    name: 'workers.node-cluster',
    formula: 'workers = cores',
    substituted: `workers = ${num(cores)}${cores < 1 ? ' (at least 1)' : ''}`,
    result,
    unit: 'workers',
    note: 'Node cluster: one event loop per core',
  };
}

export function workersByModel(model: WorkerModel, cores: number): FormulaLine {
  return model === 'gunicorn' ? gunicornWorkers(cores) : nodeClusterWorkers(cores);
}

/**
 * Requests per second a set of workers can complete: each of workers × threads slots finishes one request every
 * S seconds. S is the service time; measured under load it includes queueing, which makes this conservative.
 */
export function serviceCapacity(workers: number, threads: number, serviceTimeS: number, name = 'capacity'): FormulaLine {
  if (!(serviceTimeS > 0)) throw new RangeError('service time must be > 0');
  return {
    name,
    formula: 'capacity = workers × threads / S',
    substituted: `capacity = ${num(workers)} × ${num(threads)} / ${num(serviceTimeS)} s`,
    result: (workers * threads) / serviceTimeS,
    unit: 'req/s',
  };
}
