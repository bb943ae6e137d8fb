/** Builds the k6-like API an iteration function sees, bound to one VU and one iteration's signal. */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { HttpClient } from './http.js';
import type { Metrics, ScenarioMetrics } from './metrics.js';
import type { Vu } from './types.js';

export function createVu(options: {
  id: number;
  scenario: ScenarioMetrics;
  metrics: Metrics;
  http: HttpClient;
  timeScale: number;
  signal: AbortSignal;
}): Vu {
  const { id, scenario, metrics, http, timeScale, signal } = options;
  return {
    id,
    scenario: scenario.name,
    http: {
      get: (url, params) => http.request('GET', url, null, params?.headers, signal),
      post: (url, body, params) => http.request('POST', url, body, params?.headers, signal),
      del: (url, body, params) => http.request('DELETE', url, body ?? null, params?.headers, signal),
    },
    check(value, checkers) {
      let all = true;
      for (const [name, predicate] of Object.entries(checkers)) {
        const passed = predicate(value) === true;
        metrics.check(scenario, name, passed);
        all &&= passed;
      }
      return all;
    },
    // Rejects with an AbortError when the iteration is interrupted: the iteration ends there, like in k6.
    sleep: (seconds) => sleepFor(Math.max(0, seconds * timeScale * 1000), undefined, { signal }),
  };
}
