/**
 * The closed-system load model of a load test: N virtual users each send a request, wait for the response (R) and
 * think (Z) before the next one. So the offered throughput is X = N / (R + Z), and by Little's law the requests in
 * flight are L = X · R. Utilization ρ = X / capacity says how close the deployment is to its limit (≥ 1: queueing
 * grows until R rises enough to bring X down to capacity — the load test then measures the queue, not the app).
 */
import { num, pct } from './format.js';
import type { FormulaLine } from './types.js';

export function closedModelThroughput(users: number, responseTimeS: number, thinkTimeS: number): FormulaLine {
  const cycle = responseTimeS + thinkTimeS;
  if (!(cycle > 0)) throw new RangeError('R + Z must be > 0');
  return {
    name: 'closed-model.throughput',
    formula: 'X = N / (R + Z)',
    substituted: `X = ${num(users)} / (${num(responseTimeS)} s + ${num(thinkTimeS)} s)`,
    result: users / cycle,
    unit: 'req/s',
  };
}

export function littlesLaw(throughput: number, responseTimeS: number, name = 'littles-law'): FormulaLine {
  return {
    name,
    formula: 'L = X · R',
    substituted: `L = ${num(throughput)} req/s × ${num(responseTimeS)} s`,
    result: throughput * responseTimeS,
    unit: 'requests in flight',
  };
}

export function utilization(throughput: number, capacity: number): FormulaLine {
  if (!(capacity > 0)) throw new RangeError('capacity must be > 0');
  const result = throughput / capacity;
  return {
    name: 'utilization',
    formula: 'ρ = X / capacity',
    substituted: `ρ = ${num(throughput)} req/s / ${num(capacity)} req/s`,
    result,
    unit: '',
    note:
      result >= 1
        ? `${pct(result)}: more offered than the workers can serve — requests queue and latency grows`
        : `${pct(result)} busy`,
  };
}
