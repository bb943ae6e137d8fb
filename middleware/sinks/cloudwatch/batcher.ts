/**
 * Pure batching for PutLogEvents: cut a queue of events into calls that respect every limit, and truncate an
 * event that alone is too large. No I/O here so the limits can be tested exhaustively without a server.
 */
import { PUT_LOG_EVENTS_LIMITS } from './limits.js';

export interface LogEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** An event plus its precomputed size (message UTF-8 bytes + per-event overhead), so sizes are computed once. */
export interface SizedEvent extends LogEvent {
  bytes: number;
}

export function eventBytes(message: string): number {
  return Buffer.byteLength(message, 'utf8') + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
}

export function sized(event: LogEvent): SizedEvent {
  return { timestamp: event.timestamp, message: event.message, bytes: eventBytes(event.message) };
}

export function truncationMarker(removedBytes: number): string {
  return `…[truncated ${removedBytes} bytes by logjam]`;
}

export interface Truncation {
  message: string;
  /** UTF-8 bytes of the original message that were cut off (0 when the message fit). */
  removedBytes: number;
}

/**
 * Fit a message into maxEventBytes (which includes the 26-byte per-event overhead, like AWS counts it): keep the
 * longest prefix that ends on a UTF-8 character boundary, then append a marker saying how many bytes were cut.
 */
export function truncateMessage(message: string, maxEventBytes: number): Truncation {
  const budget = maxEventBytes - PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
  // Measure without copying: nearly every line fits, and a copy per line is garbage the worker must collect.
  if (Buffer.byteLength(message, 'utf8') <= budget) return { message, removedBytes: 0 };
  const bytes = Buffer.from(message, 'utf8');
  // The marker's length depends on the number it carries; sizing it for the whole message's byte count is an
  // upper bound, so the final marker (with the smaller real count) always fits.
  const markerBudget = Buffer.byteLength(truncationMarker(bytes.length), 'utf8');
  let cut = Math.max(0, budget - markerBudget);
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  const removedBytes = bytes.length - cut;
  return { message: bytes.subarray(0, cut).toString('utf8') + truncationMarker(removedBytes), removedBytes };
}

/**
 * How many events from the head of `queue` form the next valid call: stops before the event that would break the
 * count, byte or 24-hour-span limit. The queue need not be sorted (span is measured on min/max); always ≥ 1 when
 * the queue is not empty, because every queued event already fits alone (see truncateMessage).
 */
export function nextBatchLength(queue: readonly SizedEvent[], start = 0, limits = PUT_LOG_EVENTS_LIMITS): number {
  let bytes = 0;
  let min = Infinity;
  let max = -Infinity;
  let i = start;
  for (; i < queue.length && i - start < limits.maxEvents; i++) {
    const event = queue[i]!;
    const nextMin = Math.min(min, event.timestamp);
    const nextMax = Math.max(max, event.timestamp);
    if (i > start && (bytes + event.bytes > limits.maxBatchBytes || nextMax - nextMin > limits.maxSpanMs)) break;
    bytes += event.bytes;
    min = nextMin;
    max = nextMax;
  }
  return i - start;
}

/** Events of one call in chronological order (stable, so equal timestamps keep their arrival order). */
export function toChronological<T extends LogEvent>(batch: readonly T[]): T[] {
  return [...batch].sort((a, b) => a.timestamp - b.timestamp);
}

/** Split a whole queue into valid, chronologically ordered calls (used by tests and the benchmark report). */
export function splitIntoBatches<T extends SizedEvent>(queue: readonly T[]): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < queue.length; ) {
    const length = nextBatchLength(queue, start);
    batches.push(toChronological(queue.slice(start, start + length)));
    start += length;
  }
  return batches;
}

/** True when a batch satisfies every PutLogEvents rule (a checker for tests and assertions). */
export function isValidBatch(batch: readonly LogEvent[], limits = PUT_LOG_EVENTS_LIMITS): boolean {
  if (batch.length === 0 || batch.length > limits.maxEvents) return false;
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    if (i > 0 && batch[i]!.timestamp < batch[i - 1]!.timestamp) return false;
    bytes += eventBytes(batch[i]!.message);
  }
  return bytes <= limits.maxBatchBytes && batch[batch.length - 1]!.timestamp - batch[0]!.timestamp <= limits.maxSpanMs;
}
