/**
 * One error class per failure kind, each with a stable `code` and the exit code the CLI uses for it.
 * Exit codes (documented in docs/errors.md): 0 done, 1 findings/thresholds breached, 2 usage or source error.
 */
export const EXIT = { ok: 0, thresholdsBreached: 1, usageOrSource: 2 } as const;

export class LogjamError extends Error {
  readonly code: string;
  readonly exitCode: number;
  /** what the user should do about it, printed under the message */
  readonly hint?: string;
  constructor(code: string, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.usageOrSource;
    this.hint = options.hint;
  }
}

/** Bad flags or arguments. */
export class UsageError extends LogjamError {
  constructor(message: string, hint?: string) {
    super('LJ_USAGE', message, { hint });
  }
}

/** A source (file, CloudWatch) could not be read or answered with an error. */
export class SourceError extends LogjamError {
  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
