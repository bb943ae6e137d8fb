/**
 * The runner's options: defaults, and validation with a clear message for every bad value (UsageError, exit 2).
 * Pure apart from the injected clock/random used for a default run id.
 */
import { randomBytes } from 'node:crypto';
import { isValidId } from '../../middleware/schema.js';
import { parseDuration } from '../../common/duration.js';
import { UsageError } from '../../common/errors.js';
import { SCENARIOS } from '../scenarios/index.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';
export const DEFAULT_TIMEOUT_MS = 60_000;

/** What a caller may give; every field has a default except where noted. */
export interface LoadOptionsInput {
  scenario?: string;
  variant?: string;
  endpoint?: string;
  runId?: string;
  timeScale?: number;
  vuScale?: number;
  /** per-request timeout in ms (not scaled by timeScale) */
  timeoutMs?: number;
  /** where the summary JSON goes; default runs/<run-id>/summary.json under the project root */
  summaryPath?: string;
}

export interface LoadOptions {
  scenario: string;
  variant: string;
  /** normalised: no trailing slash */
  endpoint: string;
  runId: string;
  timeScale: number;
  vuScale: number;
  timeoutMs: number;
  summaryPath?: string;
}

/** `run-<yyyymmdd-hhmmss>-<4 hex>` in UTC, the same shape the k6 scripts generate. */
export function generateRunId(now: Date = new Date(), hex: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString();
  return `run-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${hex}`;
}

/** Parses "60s", "500ms", "2m", "1.5" (seconds) into ms; undefined when it is not a positive duration. */
export function parseDurationMs(text: string): number | undefined {
  const ms = parseDuration(text, { defaultUnit: 's', units: ['ms', 's', 'm'] });
  return ms !== undefined && ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function normaliseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--endpoint "${text.slice(0, 200)}" is not a URL`, 'example: --endpoint http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint must be http:// or https://, not ${url.protocol}//`);
  }
  if (url.search || url.hash) throw new UsageError('--endpoint must not have a query string or fragment');
  if (url.username || url.password) throw new UsageError('--endpoint must not carry credentials');
  return url.href.replace(/\/+$/, '');
}

function positiveFactor(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a number greater than 0, got ${value}`);
  if (value > 100) throw new UsageError(`${name} must be at most 100, got ${value}`);
  return value;
}

export function resolveLoadOptions(input: LoadOptionsInput, makeRunId: () => string = generateRunId): LoadOptions {
  const scenarioName = input.scenario ?? 'planners-and-studiers';
  const scenario = SCENARIOS[scenarioName];
  if (!scenario) {
    throw new UsageError(`unknown scenario "${scenarioName.slice(0, 100)}"`, `known scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  const variant = input.variant ?? scenario.variants[0]!;
  if (!scenario.variants.includes(variant)) {
    throw new UsageError(`unknown variant "${variant.slice(0, 100)}" for ${scenarioName}`, `known variants: ${scenario.variants.join(', ')}`);
  }
  const runId = input.runId ?? makeRunId();
  if (!isValidId(runId)) {
    throw new UsageError('--run-id must be 1–128 characters of A–Z a–z 0–9 . _ : -', 'or leave it out to get a generated one');
  }
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive duration, e.g. 60s or 500ms');
  return {
    scenario: scenarioName,
    variant,
    endpoint: normaliseEndpoint(input.endpoint ?? DEFAULT_ENDPOINT),
    runId,
    timeScale: positiveFactor('--time-scale', input.timeScale, 1),
    vuScale: positiveFactor('--vu-scale', input.vuScale, 1),
    timeoutMs,
    summaryPath: input.summaryPath,
  };
}
