/** Builds the k6-like API an iteration function sees, bound to one VU and one iteration's signal. */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { parseK6Duration } from './duration.js';
import type { IterationLog } from './client-log.js';
import type { HttpClient } from './http.js';
import type { Metrics, ScenarioMetrics } from './metrics.js';
import type { RequestParams, Vu } from './types.js';

/** What the engine reads back after the iteration: the time it slept (the think time the capacity math needs). */
export interface VuIterationState {
  sleptMs: number;
}

export function createVu(options: {
  id: number;
  globalId?: number;
  iteration?: number;
  scenario: ScenarioMetrics;
  metrics: Metrics;
  http: HttpClient;
  timeScale: number;
  signal: AbortSignal;
  /** the scenario's k6 tags, on every sample */
  tags?: Readonly<Record<string, string>>;
  state?: VuIterationState;
  /** the client request log of this iteration, when the run writes one */
  log?: IterationLog;
}): Vu {
  const { id, scenario, metrics, http, timeScale, signal, log } = options;
  const state = options.state ?? { sleptMs: 0 };
  // k6's group tag is the group path: "::outer::inner"; '' outside any group
  let groupPath = '';
  const sampleTags = (extra?: Readonly<Record<string, string>>): Record<string, string> => ({
    scenario: scenario.name,
    group: groupPath,
    ...options.tags,
    ...extra,
  });
  const request = (method: string, url: string, body: string | null, params: RequestParams | undefined) => {
    const timeoutMs =
      params?.timeout === undefined
        ? undefined
        : typeof params.timeout === 'number'
          ? params.timeout
          : parseK6Duration(params.timeout);
    const onDone = log ? (facts: Parameters<IterationLog['request']>[0], res: unknown) => log.request(facts, res) : undefined;
    return http.request(method, url, body, { headers: params?.headers, tags: sampleTags(params?.tags), timeoutMs, onDone }, signal);
  };
  return {
    id,
    globalId: options.globalId ?? id,
    iteration: options.iteration ?? 0,
    scenario: scenario.name,
    http: {
      get: (url, params) => request('GET', url, null, params),
      post: (url, body, params) => request('POST', url, body, params),
      del: (url, body, params) => request('DELETE', url, body ?? null, params),
      request: (method, url, body, params) => request(method.toUpperCase(), url, body ?? null, params),
    },
    check(value, checkers, tags) {
      let all = true;
      for (const [name, predicate] of Object.entries(checkers)) {
        let passed: boolean;
        try {
          passed = predicate(value) === true;
        } catch {
          // k6: a predicate that throws fails its check; the iteration goes on
          passed = false;
        }
        metrics.check(scenario, name, passed, { ...sampleTags(tags), check: name });
        log?.check(value, name, passed);
        all &&= passed;
      }
      return all;
    },
    group(name, fn) {
      const outer = groupPath;
      groupPath = `${outer}::${name}`;
      let result;
      try {
        result = fn();
      } catch (err) {
        groupPath = outer;
        throw err;
      }
      // an async group (the usual case here: requests are awaited) keeps its tag until its promise settles
      if (result instanceof Promise) {
        return result.finally(() => {
          groupPath = outer;
        }) as typeof result;
      }
      groupPath = outer;
      return result;
    },
    // Rejects with an AbortError when the iteration is interrupted: the iteration ends there, like in k6.
    sleep: async (seconds) => {
      const ms = Math.max(0, seconds * timeScale * 1000);
      state.sleptMs += ms;
      await sleepFor(ms, undefined, { signal });
    },
  };
}
