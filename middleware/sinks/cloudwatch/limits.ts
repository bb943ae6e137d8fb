/**
 * CloudWatch Logs PutLogEvents limits
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 * The whole call fails when one is broken, so the batcher stays strictly under every one of them.
 */
export const PUT_LOG_EVENTS_LIMITS = {
  /** Events per call. */
  maxEvents: 10_000,
  /** Bytes per call: the UTF-8 bytes of every message plus perEventOverheadBytes for each event. */
  maxBatchBytes: 1_048_576,
  perEventOverheadBytes: 26,
  /** Newest minus oldest timestamp in one call. */
  maxSpanMs: 24 * 60 * 60 * 1000,
} as const;

/**
 * One event is at most 1 MB in current docs and 256 KB in older ones; 256 KB (counting the 26-byte overhead)
 * is accepted everywhere, so it is the default cap.
 */
export const DEFAULT_MAX_EVENT_BYTES = 262_144;
