/**
 * runLoad(): the whole load test — validate options, load the scenario (a named one, a scenario file, or a module
 * object), probe the endpoint, run the plans with thresholds and guard rails watching, write the summary JSON,
 * render the text summary. Used by `logjam load`, the one-command lab, and `logjam/load`'s runLoad().
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../common/errors.js';
import type { K6Summary } from '../k6-summary.js';
import { API_GLOBAL, importScenarioFile, locateError } from '../load/loader.js';
import { moduleToSpecs } from '../load/scenario-module.js';
import type { ScenarioModule } from '../load/scenario-module.js';
import { runtime } from '../load/runtime.js';
import * as api from '../load/api.js';
import { SCENARIOS } from '../scenarios/index.js';
import { runEngine, hardDeadlineMs } from './engine.js';
import { describeClientErrors, EndpointGuard, GeneratorMonitor } from './guards.js';
import { resolveLoadOptions } from './options.js';
import type { LoadOptions, LoadOptionsInput } from './options.js';
import { ClientLogWriter } from './client-log.js';
import { clientLogPathFor, defaultSummaryPath } from './paths.js';
import { probeEndpoint } from './probe.js';
import { scaleScenario } from './scale.js';
import { buildSummary, renderTextSummary } from './summary.js';
import { Thresholds } from './thresholds.js';
import type { ProgressSnapshot, ScenarioPlan } from './types.js';

export interface RunLoadHooks {
  /** stop the run early; the summary is still built and written (logjam.stoppedBy = 'signal') */
  signal?: AbortSignal;
  /** about every 100 ms, and once at the end with done: true */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** after validation and the probe, just before the first VU starts */
  onStart?: (info: { options: LoadOptions; summaryPath: string | undefined; clientLogPath: string | undefined; plans: readonly ScenarioPlan[]; maxDurationMs: number }) => void;
  /** guard-rail warnings and script errors, as they happen (the CLI prints them on stderr) */
  onWarning?: (message: string) => void;
}

export interface RunLoadResult {
  summary: K6Summary;
  /** undefined when the caller asked for no file (summaryPath: null) */
  summaryPath: string | undefined;
  /** the k6-like text summary, without colours */
  text: string;
  /** 0, or 99 when a threshold failed (k6's exit code) */
  exitCode: number;
}

export interface ScenarioSourceInput {
  /** a scenario file (.js/.mjs/.ts/.mts) written against logjam/load */
  scenarioFile?: string;
  /** a scenario module object (what a scenario file exports) */
  scenarioModule?: ScenarioModule;
  /** k6's -e KEY=VALUE: __ENV in the scenario */
  env?: Record<string, string>;
  /**
   * with scenarioModule: the scenario and variant the summary names (the lab runs its own scenario with the
   * studiers' peak calibrated to the machine, and still wants the summary to say which test it was)
   */
  moduleLabel?: { scenario: string; variant: string };
}

export type RunInput = Omit<LoadOptionsInput, 'summaryPath'> &
  ScenarioSourceInput & {
    summaryPath?: string | null;
    /** the client request log; default client.ndjson next to the summary (none when both are null) */
    clientLogPath?: string | null;
  };

/** k6's exit code for failed thresholds. */
export const THRESHOLDS_FAILED_EXIT_CODE = 99;

export async function runLoad(input: RunInput, hooks: RunLoadHooks = {}): Promise<RunLoadResult> {
  const fromFile = input.scenarioFile !== undefined || input.scenarioModule !== undefined;
  const options = resolveLoadOptions({
    ...input,
    summaryPath: input.summaryPath ?? undefined,
    ...(fromFile ? { scenario: undefined, variant: undefined } : {}),
  });
  const label = input.scenarioFile ?? (input.scenarioModule ? '(module)' : options.scenario);
  const env: Record<string, string> = { ...input.env };
  // a scenario file names its own URLs: the endpoint is only probed (and given as ENDPOINT) when the caller set one
  const endpointGiven = !fromFile || input.endpoint !== undefined;
  if (endpointGiven) env.ENDPOINT ??= options.endpoint;

  const rt = runtime();
  rt.env = env;
  (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(API_GLOBAL)] = api;
  const module: ScenarioModule = input.scenarioModule
    ? input.scenarioModule
    : input.scenarioFile !== undefined
      ? ((await importScenarioFile(input.scenarioFile)) as ScenarioModule)
      : SCENARIOS[options.scenario]!.module(options.variant);

  let setupData: unknown;
  const specs = moduleToSpecs(module, env, () => setupData);
  const thresholds = new Thresholds(module.options?.thresholds);
  const summaryPath = input.summaryPath === null ? undefined : resolve(options.summaryPath ?? defaultSummaryPath(options.runId));
  const clientLogPath =
    input.clientLogPath === null
      ? undefined
      : input.clientLogPath !== undefined
        ? resolve(input.clientLogPath)
        : summaryPath !== undefined
          ? clientLogPathFor(summaryPath)
          : undefined;
  if (endpointGiven) await probeEndpoint(options.endpoint);

  const plans = specs.map((spec) => scaleScenario(spec, options.timeScale, options.vuScale));
  hooks.onStart?.({ options, summaryPath, clientLogPath, plans, maxDurationMs: hardDeadlineMs(plans, options.timeoutMs) });

  const warn = (message: string): void => hooks.onWarning?.(message);
  const guard = new EndpointGuard((w) => warn(`warning: ${describeClientErrors(w)}`));
  const generator = new GeneratorMonitor((text) => warn(`warning: ${text}`));
  if (typeof module.setup === 'function') {
    try {
      setupData = await module.setup();
    } catch (err) {
      // k6 does not start a test whose setup() failed; neither do we (exit 2), with where it failed
      const where = locateError(err);
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new UsageError(`setup() failed${where ? ` at ${where}` : ''}: ${what.slice(0, 300)}`, 'fix setup() in the scenario file');
    }
  }

  const startedAt = new Date();
  const clientLog = clientLogPath !== undefined ? openClientLog(clientLogPath) : undefined;
  generator.start();
  let health;
  let result;
  let clientLogStats;
  try {
    result = await runEngine(plans, {
      runId: options.runId,
      timeScale: options.timeScale,
      timeoutMs: options.timeoutMs,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      sinks: [thresholds, guard],
      clientLog,
      locateError,
      onScriptError: (message) => warn(`script error: ${message}`),
      ...(thresholds.hasAbortOnFail ? { shouldAbort: (elapsedMs: number) => thresholds.shouldAbort(elapsedMs) } : {}),
    });
  } finally {
    health = generator.stop();
    clientLogStats = await clientLog?.close();
  }
  if (clientLogStats && clientLogStats.dropped > 0) {
    warn(`warning: the client request log dropped ${clientLogStats.dropped} lines (the disk fell behind${clientLogStats.error ? `: ${clientLogStats.error}` : ''})`);
  }
  if (typeof module.teardown === 'function') {
    try {
      await module.teardown(setupData);
    } catch (err) {
      warn(`script error in teardown: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const thresholdResults = thresholds.evaluate(result.durationMs);
  const summary = buildSummary(result.metrics.snapshot(), {
    runId: options.runId,
    scenario: input.moduleLabel?.scenario ?? (fromFile ? label : options.scenario),
    variant: input.moduleLabel?.variant ?? (fromFile ? '' : options.variant),
    endpoint: endpointGiven ? options.endpoint : '',
    startedAt,
    durationMs: result.durationMs,
    timeScale: options.timeScale,
    vuScale: options.vuScale,
    timeoutMs: options.timeoutMs,
    stoppedBy: result.stoppedBy,
    ...(result.abortReason ? { abortReason: result.abortReason } : {}),
    isStdOutTTY: process.stdout.isTTY === true,
    isStdErrTTY: process.stderr.isTTY === true,
    thresholds: { metrics: thresholds.metrics, results: thresholdResults },
    clientErrors: guard.warnings(),
    generator: health,
    ...(clientLogStats ? { clientLog: clientLogStats } : {}),
  });
  if (summaryPath) await writeJsonAtomically(summaryPath, summary);
  const exitCode = thresholdResults.some((r) => !r.ok) ? THRESHOLDS_FAILED_EXIT_CODE : 0;
  return { summary, summaryPath, text: renderTextSummary(summary, { summaryPath }), exitCode };
}

function openClientLog(path: string): ClientLogWriter {
  try {
    return new ClientLogWriter(path);
  } catch (err) {
    throw new UsageError(`cannot write the client request log ${path}: ${(err as Error).message}`, 'pass --client-log <file> elsewhere, or --no-client-log');
  }
}

/** Write then rename, so a reader (the analyzer) never sees half a summary. */
async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`);
  await rename(temporary, path);
}
