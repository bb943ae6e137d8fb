/**
 * Retrying AWS calls, for every caller (the CloudWatch sink's PutLogEvents, the analyzer's Logs Insights queries):
 * one classifier of failed calls and one capped exponential backoff. Each caller states its own rule (which names
 * retry, whether a call with no HTTP answer does) next to its call, so the differences are visible, not drifted.
 *
 * The SDK raises modelled exceptions (ResourceNotFoundException…) as classes, but ThrottlingException is not modelled
 * for CloudWatch Logs: it arrives as a generic service error that only carries the name. So classification is by
 * name, errno code and HTTP status, never by class. A leaf module: it imports nothing from the project.
 */
export type AwsFailure = 'missing_destination' | 'retryable' | 'rejected' | 'aborted';

export interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export interface AwsRetryRule {
  /** error names that mean "try again later" */
  retryableNames: ReadonlySet<string>;
  /** errno codes of a dropped or refused connection that retry */
  networkCodes?: ReadonlySet<string>;
  /** an error with no HTTP answer at all (and no listed code) retries: true for a sink that must not lose lines */
  retryWithoutResponse: boolean;
  /** HTTP 429 retries whatever its name */
  retry429: boolean;
}

/** The error's name, or its code when the name is the generic "Error", else "UnknownError". */
export function awsErrorName(error: unknown): string {
  const e = error as AwsLikeError | undefined;
  return (typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined) ?? e?.code ?? 'UnknownError';
}

export function classifyAwsFailure(error: unknown, rule: AwsRetryRule): AwsFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const name = awsErrorName(error);
  if (name === 'AbortError') return 'aborted';
  if (name === 'ResourceNotFoundException') return 'missing_destination';
  if (rule.retryableNames.has(name)) return 'retryable';
  if (e.code !== undefined && rule.networkCodes?.has(e.code)) return 'retryable';
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return rule.retryWithoutResponse ? 'retryable' : 'rejected';
  if (status >= 500 || (rule.retry429 && status === 429)) return 'retryable';
  return 'rejected'; // other 4xx: the same call gets the same answer
}

/**
 * Exponential backoff, capped: the delay before retry `attempt` is drawn from [0, ceiling] ("full jitter", the
 * default) or [ceiling/2, ceiling] ("equal jitter": a floor for callers that must not hammer a throttled API at
 * once), with ceiling = min(cap, base·2^attempt). Jitter spreads the retries of many clients hitting one throttled
 * account instead of having them retry in lockstep.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  jitter?: 'full' | 'equal';
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 20_000 };

/** The upper bound of the delay before retry number `attempt` (0 = first retry). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  // Clamp the exponent: 2^attempt overflows to Infinity long before it matters, and the cap wins anyway.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/** Delay in ms before retry number `attempt`; `random` returns [0, 1) like Math.random (injectable for tests). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  if (policy.jitter === 'equal') return ceiling / 2 + random() * (ceiling / 2);
  return Math.floor(random() * ceiling);
}
