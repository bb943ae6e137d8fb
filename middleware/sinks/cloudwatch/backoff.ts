/**
 * Exponential backoff with "full jitter" (delay drawn uniformly from [0, min(cap, base·2^attempt)]): spreads the
 * retries of many processes hitting one throttled account instead of having them retry in lockstep.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 20_000 };

/** The upper bound of the delay before retry number `attempt` (0 = first retry). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  // Clamp the exponent: 2^attempt overflows to Infinity long before it matters, and the cap wins anyway.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/** Delay in ms before retry number `attempt`; `random` returns [0, 1) like Math.random (injectable for tests). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
