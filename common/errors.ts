/**
 * The one registry of logjam's stable error codes: each code's exit code and what it means, in one `as const` table
 * (docs/errors.md documents the same codes, and a test keeps the two in step). A LogjamError takes only a key of this
 * table, so a misspelt code does not compile; its exit code comes from the table, never from the throw site.
 * Subclasses exist only where a caller branches on them (UsageError for flag parsing, RunNotFoundError carrying the
 * nearest runs, the sample app's errors the CLI maps).
 *
 * A leaf module: it imports nothing from the project, so every folder may use it.
 */
export const EXIT = { ok: 0, thresholdsBreached: 1, usageOrSource: 2, interrupted: 130 } as const;

interface ErrorEntry {
  /** the CLI's exit code when this error ends a command; null when it never does (an API-side failure) */
  readonly exit: number | null;
  /** one line: when it happens */
  readonly meaning: string;
}

export const ERROR_CODES = {
  LJ_USAGE: { exit: EXIT.usageOrSource, meaning: 'bad or missing flags or arguments' },
  LJ_THRESHOLD_BREACHED: { exit: EXIT.thresholdsBreached, meaning: 'a --fail-on threshold did not hold' },
  LJ_INTERRUPTED: { exit: EXIT.interrupted, meaning: 'stopped by Ctrl-C (SIGINT/SIGTERM) before it finished' },
  LJ_RUN_NOT_FOUND: { exit: EXIT.usageOrSource, meaning: 'no line of the source carries that run id' },
  LJ_WINDOW_EMPTY: { exit: EXIT.usageOrSource, meaning: 'analyze without --run: no request line in the time window' },
  LJ_REQUEST_NOT_FOUND: { exit: EXIT.usageOrSource, meaning: 'no line of the source carries that request id' },
  LJ_LOGS_UNREADABLE: { exit: EXIT.usageOrSource, meaning: 'the --logs path is missing or cannot be read' },
  LJ_LOGS_EMPTY_DIR: { exit: EXIT.usageOrSource, meaning: 'the --logs directory holds no log file' },
  LJ_STDIN_ONCE: { exit: EXIT.usageOrSource, meaning: '--logs - (stdin) read a second time' },
  LJ_CLIENT_SUMMARY_READ: { exit: EXIT.usageOrSource, meaning: 'the --client-summary file cannot be read' },
  LJ_CLIENT_SUMMARY_TOO_LARGE: { exit: EXIT.usageOrSource, meaning: 'the --client-summary file is over the 64 MiB cap' },
  LJ_CLIENT_SUMMARY_JSON: { exit: EXIT.usageOrSource, meaning: 'the client summary is not JSON' },
  LJ_CLIENT_SUMMARY_SHAPE: { exit: EXIT.usageOrSource, meaning: 'the client summary is JSON but not a k6 or runner summary' },
  LJ_CLIENT_LOG_READ: { exit: EXIT.usageOrSource, meaning: 'the --client-log file cannot be read' },
  LJ_CLIENT_LOG_EMPTY: { exit: EXIT.usageOrSource, meaning: 'the --client-log file holds no client request line' },
  LJ_CLIENT_LOG_SOURCE: { exit: EXIT.usageOrSource, meaning: '--client-log needs the local source (--logs)' },
  LJ_OUT_UNWRITABLE: { exit: EXIT.usageOrSource, meaning: 'a report file (--out, --html) cannot be written' },
  LJ_NO_DATA: { exit: EXIT.usageOrSource, meaning: 'the run has no finished requests to compute capacity from' },
  LJ_CW_CREDENTIALS: { exit: EXIT.usageOrSource, meaning: 'no AWS credentials, or AWS rejected them' },
  LJ_CW_REGION: { exit: EXIT.usageOrSource, meaning: 'no AWS region for the log group' },
  LJ_CW_LOG_GROUP: { exit: EXIT.usageOrSource, meaning: 'the log group does not exist in that region' },
  LJ_CW_ACCESS: { exit: EXIT.usageOrSource, meaning: 'AWS denied access to the log group' },
  LJ_CW_MALFORMED: { exit: EXIT.usageOrSource, meaning: 'Logs Insights rejected a query as malformed' },
  LJ_CW_THROTTLED: { exit: EXIT.usageOrSource, meaning: 'throttling or a network failure outlasted the retries' },
  LJ_CW_QUERY_FAILED: { exit: EXIT.usageOrSource, meaning: 'a Logs Insights query ended Failed, Cancelled or Timeout' },
  LJ_CW_ABORTED: { exit: EXIT.usageOrSource, meaning: 'the Logs Insights queries were stopped' },
  LJ_CW: { exit: EXIT.usageOrSource, meaning: 'any other CloudWatch Logs error' },
  LJ_ENDPOINT_UNREACHABLE: { exit: EXIT.usageOrSource, meaning: 'the load test target does not accept connections' },
  LJ_APP_START: { exit: EXIT.usageOrSource, meaning: 'the sample app exited or stayed unhealthy while starting' },
  LJ_LISTEN: { exit: EXIT.usageOrSource, meaning: 'the sample app cannot listen on its port' },
  LJ_CONFIG: { exit: EXIT.usageOrSource, meaning: "bad sample-app configuration (environment variables)" },
  LJ_EMBEDDED_PG: { exit: EXIT.usageOrSource, meaning: 'the embedded PostgreSQL could not start or stop' },
  LJ_POOL_TIMEOUT: { exit: null, meaning: 'waiting for a database connection timed out (the API answers 503)' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** Whether `err` carries this code — also for errors from another copy of this module (a worker, a second install). */
export function hasErrorCode(err: unknown, code: ErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export interface LogjamErrorOptions {
  /** what the user should do about it, printed under the message */
  hint?: string;
  cause?: unknown;
}

export class LogjamError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  /** what the user should do about it, printed under the message */
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options: LogjamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // The type already forbids unknown codes; this catches a cast or plain JavaScript caller.
    if (!isErrorCode(code)) throw new TypeError(`unknown logjam error code ${JSON.stringify(code)}`);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit ?? EXIT.usageOrSource;
    this.hint = options.hint;
  }
}

/** Bad flags or arguments (LJ_USAGE): the one the flag parsers throw, and tests and callers catch by class. */
export class UsageError extends LogjamError {
  constructor(message: string, hint?: string) {
    super('LJ_USAGE', message, { hint });
  }
}
