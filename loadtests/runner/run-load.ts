/**
 * runLoad(): the whole Node load test — validate options, probe the endpoint, run the scenario's plans, write the
 * summary JSON, render the text summary. Used by `logjam load` and by the one-command demo.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { K6Summary } from '../k6-summary.js';
import { SCENARIOS } from '../scenarios/index.js';
import { runEngine } from './engine.js';
import { resolveLoadOptions } from './options.js';
import type { LoadOptions, LoadOptionsInput } from './options.js';
import { defaultSummaryPath } from './paths.js';
import { probeEndpoint } from './probe.js';
import { scaleScenario } from './scale.js';
import { hardDeadlineMs } from './engine.js';
import { buildSummary, renderTextSummary } from './summary.js';
import type { ProgressSnapshot, ScenarioPlan } from './types.js';

export interface RunLoadHooks {
  /** stop the run early; the summary is still built and written (logjam.stoppedBy = 'signal') */
  signal?: AbortSignal;
  /** about every 100 ms, and once at the end with done: true */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** after validation and the probe, just before the first VU starts */
  onStart?: (info: { options: LoadOptions; summaryPath: string; plans: readonly ScenarioPlan[]; maxDurationMs: number }) => void;
}

export interface RunLoadResult {
  summary: K6Summary;
  summaryPath: string;
  /** the k6-like text summary, without colours */
  text: string;
}

export async function runLoad(input: LoadOptionsInput, hooks: RunLoadHooks = {}): Promise<RunLoadResult> {
  const options = resolveLoadOptions(input);
  const definition = SCENARIOS[options.scenario]!;
  const summaryPath = resolve(options.summaryPath ?? defaultSummaryPath(options.runId));
  await probeEndpoint(options.endpoint);

  const plans = definition
    .build(options.variant, options.endpoint)
    .map((spec) => scaleScenario(spec, options.timeScale, options.vuScale));
  hooks.onStart?.({ options, summaryPath, plans, maxDurationMs: hardDeadlineMs(plans, options.timeoutMs) });

  const startedAt = new Date();
  const result = await runEngine(plans, {
    runId: options.runId,
    timeScale: options.timeScale,
    timeoutMs: options.timeoutMs,
    signal: hooks.signal,
    onProgress: hooks.onProgress,
  });

  const summary = buildSummary(result.metrics.snapshot(), {
    runId: options.runId,
    scenario: options.scenario,
    variant: options.variant,
    endpoint: options.endpoint,
    startedAt,
    durationMs: result.durationMs,
    timeScale: options.timeScale,
    vuScale: options.vuScale,
    timeoutMs: options.timeoutMs,
    stoppedBy: result.stoppedBy,
    isStdOutTTY: process.stdout.isTTY === true,
    isStdErrTTY: process.stderr.isTTY === true,
  });
  await writeJsonAtomically(summaryPath, summary);
  return { summary, summaryPath, text: renderTextSummary(summary, { summaryPath }) };
}

/** Write then rename, so a reader (the analyzer) never sees half a summary. */
async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`);
  await rename(temporary, path);
}
