/**
 * `logjam/load`: write load tests in k6's API, run them from Node.
 *
 *   import { http, check, sleep, group } from 'logjam/load';   // in a scenario file
 *   import { runLoad } from 'logjam/load';                     // from code: returns the summary object
 *
 * See docs/loadtests.md (the k6-to-logjam porting table is there).
 */
import type { K6Summary } from '../k6-summary.js';
import { runLoad as runLoadInternal } from '../runner/run-load.js';
import type { ProgressSnapshot } from '../runner/types.js';
import type { ScenarioModule } from './scenario-module.js';

export { http, check, sleep, group, fail } from './api.js';
export type { Body, Params, Response } from './api.js';
export type { ScenarioModule } from './scenario-module.js';
export type { K6Summary } from '../k6-summary.js';
export type { ProgressSnapshot } from '../runner/types.js';
export { THRESHOLDS_FAILED_EXIT_CODE } from '../runner/run-load.js';

export interface RunLoadOptions {
  /** base URL: probed before the run, and given to the scenario as __ENV.ENDPOINT */
  endpoint?: string;
  /** __ENV values (k6's -e KEY=VALUE) */
  env?: Record<string, string>;
  /** sent as X-Run-Id on every request (default run-<yyyymmdd-hhmmss>-<hex>) */
  runId?: string;
  /** multiplies every duration and sleep (default 1) */
  timeScale?: number;
  /** multiplies VU counts, iteration counts and arrival rates (default 1) */
  vuScale?: number;
  /** per-request timeout in ms (default 60 000) */
  timeoutMs?: number;
  /** also write the summary JSON to this file (default: no file) */
  summaryPath?: string;
  /** write the client request log (one line per request) here; default: client.ndjson next to summaryPath, else none */
  clientLogPath?: string;
  /** stops the run early; the summary still comes back */
  signal?: AbortSignal;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** guard-rail warnings and script errors as they happen */
  onWarning?: (message: string) => void;
}

/**
 * Runs a scenario — a file path (.js/.mjs/.ts/.mts) or a module object with `options` and its functions — and
 * returns the summary (k6's summary-export shape plus the `logjam` block). Thresholds that failed are in
 * `summary.logjam.thresholds.failed` (the CLI exits 99 then). Bad options or an unreachable endpoint throw a
 * LogjamError with exit code 2.
 */
export async function runLoad(scenario: string | ScenarioModule, options: RunLoadOptions = {}): Promise<K6Summary> {
  const { signal, onProgress, onWarning, summaryPath, ...rest } = options;
  const result = await runLoadInternal(
    {
      ...rest,
      ...(typeof scenario === 'string' ? { scenarioFile: scenario } : { scenarioModule: scenario }),
      summaryPath: summaryPath ?? null,
    },
    { signal, onProgress, onWarning },
  );
  return result.summary;
}
