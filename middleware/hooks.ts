/**
 * requestLogging()'s user hooks (ignore, customProps, genReqId, customLogLevel), each wrapped once in the factory so
 * that a hook can never break a request: a throw or an unusable result falls back to the default behaviour and is
 * counted, and written as a `middleware.hook_error` line on the 1st failure of each hook and at the 10th, 100th,
 * 1000th… (bounded: a hook failing on every request costs a handful of lines, and the count says how often).
 * (opentelemetry-js-contrib's instrumentations treat their hooks the same way.)
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { serializeError } from './errors.js';
import { pathOf } from './lines.js';
import { EVENTS, FIELDS, LEVELS } from './schema.js';
import type { LevelLabel } from './schema.js';

export type HookName = 'ignore' | 'customProps' | 'genReqId' | 'customLogLevel';

export class HookFailures {
  private readonly counts = new Map<HookName, number>();

  constructor(private readonly logger: Logger) {}

  /** `problem`: what was wrong with the result (a string), or what the hook threw. */
  report(hook: HookName, problem: unknown): void {
    const failures = (this.counts.get(hook) ?? 0) + 1;
    this.counts.set(hook, failures);
    if (!isPowerOfTen(failures)) return;
    const fields: Record<string, unknown> = {
      [FIELDS.event]: EVENTS.middlewareHookError,
      [FIELDS.hook]: hook,
      [FIELDS.failures]: failures,
    };
    if (typeof problem === 'string') fields[FIELDS.reason] = problem;
    else fields[FIELDS.err] = serializeError(problem, { includeMessage: true });
    try {
      this.logger.warn(fields, `requestLogging ${hook} hook failed (${failures} time(s) so far); its default was used`);
    } catch {
      // Reporting must never break the request either.
    }
  }

  /** Failures so far of one hook. */
  count(hook: HookName): number {
    return this.counts.get(hook) ?? 0;
  }
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** The ignore option settled: a Set lookup on the path, or the predicate guarded. Undefined: nothing is ignored. */
export function ignoreMatcher(
  ignore: readonly string[] | ((req: Request) => boolean) | undefined,
  failures: HookFailures,
): ((req: Request) => boolean) | undefined {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') {
    return (req) => {
      try {
        return ignore(req) === true;
      } catch (err) {
        failures.report('ignore', err);
        return false;
      }
    };
  }
  if (!Array.isArray(ignore) || ignore.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
    throw new Error('logjam: ignore must be a list of paths starting with "/" (e.g. ["/health"]) or a function (req) => boolean');
  }
  if (ignore.length === 0) return undefined;
  const paths = new Set(ignore);
  return (req) => paths.has(pathOf(req.originalUrl));
}

/** Longest customProps string value kept (values are free text of the application's choosing). */
export const MAX_CUSTOM_VALUE_LENGTH = 1024;

const RESERVED = new Set<string>(Object.values(FIELDS));

export type CustomProps = (req: Request, res: Response) => Record<string, unknown> | undefined;

/**
 * customProps settled: calls the hook and returns a checked copy of its fields (undefined when there are none):
 * flat values only (a line is flat), no schema field names (a key must never be written twice, and a customProps
 * must not forge request_id or status). A refused field is left out and reported.
 */
export function customPropsReader(
  customProps: CustomProps,
  failures: HookFailures,
): (req: Request, res: Response) => Record<string, unknown> | undefined {
  return (req, res) => {
    let props: unknown;
    try {
      props = customProps(req, res);
    } catch (err) {
      failures.report('customProps', err);
      return undefined;
    }
    if (props === undefined || props === null) return undefined;
    if (typeof props !== 'object' || Array.isArray(props)) {
      failures.report('customProps', 'returned something other than an object of fields');
      return undefined;
    }
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(props)) {
      const value = (props as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (RESERVED.has(key)) {
        failures.report('customProps', `field "${cut(key)}" is a log schema field name (refused)`);
        continue;
      }
      const kept = flatValue(value);
      if (kept === undefined) {
        failures.report('customProps', `field "${cut(key)}" is not a string, finite number or boolean (lines are flat)`);
        continue;
      }
      (out ??= {})[key] = kept;
    }
    return out;
  };
}

function flatValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return value.length > MAX_CUSTOM_VALUE_LENGTH ? `${value.slice(0, MAX_CUSTOM_VALUE_LENGTH)}…` : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/** A key named in a report is the application's, but keep the line short whatever it is. */
function cut(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

export type LineLevel = LevelLabel | 'silent';
const LINE_LEVELS = new Set<string>([...LEVELS, 'silent']);

/** customLogLevel settled: the hook's level when it is a known label, else the default (reported). */
export function levelChooser(
  customLogLevel: (req: Request, res: Response, err: unknown) => LineLevel,
  failures: HookFailures,
): (req: Request, res: Response, err: unknown, fallback: LevelLabel) => LineLevel {
  return (req, res, err, fallback) => {
    let level: unknown;
    try {
      level = customLogLevel(req, res, err);
    } catch (thrown) {
      failures.report('customLogLevel', thrown);
      return fallback;
    }
    if (typeof level === 'string' && LINE_LEVELS.has(level)) return level as LineLevel;
    failures.report('customLogLevel', `returned a level that is not one of ${[...LINE_LEVELS].join(', ')}`);
    return fallback;
  };
}

/** customLogLevel's `err` for a request the client abandoned (pino-http passes an error there too). One instance: no cost per abort. */
export class RequestAbortedError extends Error {
  readonly code = 'LJ_REQUEST_ABORTED' as const;
  constructor() {
    super('request aborted by the client before the response finished');
    this.name = 'RequestAbortedError';
  }
}
export const REQUEST_ABORTED = new RequestAbortedError();
