/**
 * Options of the CloudWatch sink, settled once (defaults and bounds applied) before the shipper starts.
 * The public shape is CloudWatchSinkOptions of the middleware API; the transport also receives `service`.
 */
import { hostname } from 'node:os';
import type { CloudWatchSinkOptions } from '../../types.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../../common/aws-retry.js';
import { DEFAULT_MAX_EVENT_BYTES, PUT_LOG_EVENTS_LIMITS } from './limits.js';

// The public shape lives in the middleware's API (middleware/types.ts, docs/cloudwatch-sink.md): one declaration.
export type { CloudWatchSinkOptions };

/** What pino.transport hands the worker: the sink options plus the service name (and test/bench knobs). */
export interface CloudWatchTransportOptions extends CloudWatchSinkOptions {
  service?: string;
  /** Not public: endpoint override for tests/bench (normally AWS_ENDPOINT_URL_CLOUDWATCH_LOGS). */
  endpoint?: string;
  /** Not public: retry delays (tests shorten them). */
  backoff?: Partial<BackoffPolicy>;
}

export interface ResolvedOptions {
  logGroupName: string;
  logStreamName: string;
  service: string;
  createLogGroup: boolean;
  maxBufferedEvents: number;
  maxBufferedBytes: number;
  flushIntervalMs: number;
  maxEventBytes: number;
  /** Infinity unless the host opted into a retry limit (see DEFAULTS.maxRetries). */
  maxRetries: number;
  shutdownTimeoutMs: number;
  backoff: BackoffPolicy;
  /** The on-disk spool folder (opt-in), and its bound in bytes. */
  spoolDir: string | undefined;
  maxSpoolBytes: number;
}

export const DEFAULTS = {
  createLogGroup: true,
  maxBufferedEvents: 100_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  flushIntervalMs: 1000,
  maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
  /**
   * No retry limit: a retryable failure (outage, throttling) is retried with capped backoff for as long as the
   * buffer's bounds allow (an outage then costs only what overflows the buffer, counted as buffer_full). A number
   * opts into giving a batch up after that many retries (retries_exhausted).
   */
  maxRetries: Number.POSITIVE_INFINITY,
  shutdownTimeoutMs: 5000,
  maxSpoolBytes: 64 * 1024 * 1024,
} as const;

/** The environment variable that turns the on-disk spool on (when the `spoolDir` option is not given). */
export const SPOOL_DIR_ENV = 'LOGJAM_CLOUDWATCH_SPOOL_DIR';

/** Smallest allowed event cap: the truncation marker itself must fit with room for some of the message. */
const MIN_EVENT_BYTES = 1024;

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`cloudwatch sink: ${name} must be a number between ${min} and ${max}, got ${String(value)}`);
  }
  return Math.floor(value);
}

/** CloudWatch forbids ':' and '*' in stream names; everything else the default uses is allowed. */
function safeStreamPart(value: string): string {
  return value.replace(/[:*]/g, '_');
}

export function defaultStreamName(service: string, startTime = Date.now()): string {
  return safeStreamPart(`${service}/${hostname()}/${process.pid}-${startTime}`);
}

/** The environment variable that turns CreateLogGroup off (when the `createLogGroup` option is not given). */
export const CREATE_GROUP_ENV = 'LOGJAM_CLOUDWATCH_CREATE_GROUP';

/**
 * LOGJAM_CLOUDWATCH_CREATE_GROUP: 1/true/yes/on or 0/false/no/off; unset or blank = undefined (the default applies).
 * Anything else throws, naming the variable (never guess a boolean).
 */
export function parseCreateGroupEnv(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new TypeError(`cloudwatch sink: ${CREATE_GROUP_ENV} must be 1 or 0 (true/false)`);
}

/**
 * Defaults and bounds applied once. `env` is read only for what the host did not pass explicitly
 * (SERVICE_NAME, LOGJAM_CLOUDWATCH_CREATE_GROUP): the transport's worker thread inherits the host's environment.
 */
export function resolveOptions(options: CloudWatchTransportOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (!options || typeof options.logGroupName !== 'string' || options.logGroupName.length === 0) {
    throw new TypeError('cloudwatch sink: logGroupName is required');
  }
  const service = options.service ?? env.SERVICE_NAME ?? 'app';
  return {
    logGroupName: options.logGroupName,
    logStreamName: options.logStreamName ?? defaultStreamName(service),
    service,
    createLogGroup: options.createLogGroup ?? parseCreateGroupEnv(env[CREATE_GROUP_ENV]) ?? DEFAULTS.createLogGroup,
    maxBufferedEvents: positiveInt('maxBufferedEvents', options.maxBufferedEvents, DEFAULTS.maxBufferedEvents),
    maxBufferedBytes: positiveInt('maxBufferedBytes', options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
    flushIntervalMs: positiveInt('flushIntervalMs', options.flushIntervalMs, DEFAULTS.flushIntervalMs),
    maxEventBytes: positiveInt('maxEventBytes', options.maxEventBytes, DEFAULTS.maxEventBytes, MIN_EVENT_BYTES, PUT_LOG_EVENTS_LIMITS.maxBatchBytes),
    maxRetries: options.maxRetries === undefined ? DEFAULTS.maxRetries : positiveInt('maxRetries', options.maxRetries, DEFAULTS.maxRetries, 0, 1_000_000),
    shutdownTimeoutMs: positiveInt('shutdownTimeoutMs', options.shutdownTimeoutMs, DEFAULTS.shutdownTimeoutMs, 0),
    spoolDir: options.spoolDir ?? (env[SPOOL_DIR_ENV]?.trim() || undefined),
    maxSpoolBytes: positiveInt('maxSpoolBytes', options.maxSpoolBytes, DEFAULTS.maxSpoolBytes),
    backoff: {
      baseMs: positiveInt('backoff.baseMs', options.backoff?.baseMs, DEFAULT_BACKOFF.baseMs),
      capMs: positiveInt('backoff.capMs', options.backoff?.capMs, DEFAULT_BACKOFF.capMs),
    },
  };
}
