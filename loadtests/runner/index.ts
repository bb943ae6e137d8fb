/** The Node load runner's public API (the `logjam load` command and the one-command demo use it). */
export { runLoad } from './run-load.js';
export type { RunLoadHooks, RunLoadResult } from './run-load.js';
export { resolveLoadOptions, generateRunId, parseDurationMs, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_MS } from './options.js';
export type { LoadOptions, LoadOptionsInput } from './options.js';
export { runEngine, hardDeadlineMs } from './engine.js';
export type { EngineOptions, EngineResult } from './engine.js';
export { buildSummary, renderTextSummary } from './summary.js';
export { terminalProgress, formatProgress } from './progress.js';
export { defaultSummaryPath, projectRoot } from './paths.js';
export type { ProgressSnapshot, ScenarioPlan, ScenarioSpec, Vu } from './types.js';
export { SCENARIOS } from '../scenarios/index.js';
