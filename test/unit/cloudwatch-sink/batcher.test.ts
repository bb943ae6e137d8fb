import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  eventBytes,
  isValidBatch,
  nextBatchLength,
  sized,
  splitIntoBatches,
  truncateMessage,
  truncationMarker,
} from '../../../middleware/sinks/cloudwatch/batcher.js';
import { PUT_LOG_EVENTS_LIMITS } from '../../../middleware/sinks/cloudwatch/limits.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

describe('eventBytes', () => {
  it('counts UTF-8 bytes plus the 26-byte overhead', () => {
    expect(eventBytes('abc')).toBe(29);
    expect(eventBytes('é')).toBe(28); // 2 bytes in UTF-8
    expect(eventBytes('😀')).toBe(30); // 4 bytes
  });
});

describe('truncateMessage', () => {
  it('leaves a message that fits untouched', () => {
    const message = 'x'.repeat(1024 - 26);
    expect(truncateMessage(message, 1024)).toEqual({ message, removedBytes: 0 });
  });

  it('cuts an oversized message to the cap, with a marker counting the removed bytes', () => {
    const message = 'a'.repeat(5000);
    const { message: out, removedBytes } = truncateMessage(message, 1024);
    expect(eventBytes(out)).toBeLessThanOrEqual(1024);
    expect(out).toMatch(/…\[truncated \d+ bytes by logjam\]$/);
    const kept = out.length - truncationMarker(removedBytes).length;
    expect(kept + removedBytes).toBe(5000);
    expect(out.endsWith(truncationMarker(removedBytes))).toBe(true);
  });

  it('never splits a multi-byte character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 300, maxLength: 3000 }), fc.integer({ min: 1024, max: 2048 }), (message, cap) => {
        const { message: out, removedBytes } = truncateMessage(message, cap);
        expect(eventBytes(out)).toBeLessThanOrEqual(cap);
        // Round-tripping through UTF-8 changes nothing: no replacement characters from a split sequence.
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
        if (removedBytes > 0) {
          const prefix = out.slice(0, out.length - truncationMarker(removedBytes).length);
          expect(message.startsWith(prefix)).toBe(true);
          expect(Buffer.byteLength(prefix) + removedBytes).toBe(Buffer.byteLength(message));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('batching', () => {
  it('cuts at 10,000 events', () => {
    const queue = Array.from({ length: 25_000 }, (_, i) => sized({ timestamp: T0 + i, message: 'm' }));
    expect(splitIntoBatches(queue).map((b) => b.length)).toEqual([10_000, 10_000, 5_000]);
  });

  it('cuts at 1,048,576 bytes counting 26 bytes per event', () => {
    // 1,048,576 / (974 + 26) = 1048.6: exactly 1048 events fit in one call.
    const queue = Array.from({ length: 3000 }, (_, i) => sized({ timestamp: T0 + i, message: 'x'.repeat(974) }));
    const batches = splitIntoBatches(queue);
    expect(batches[0]).toHaveLength(1048);
    expect(batches.every((b) => isValidBatch(b))).toBe(true);
    expect(batches.flat()).toHaveLength(3000);
  });

  it('accepts a batch of exactly the byte limit', () => {
    const queue = Array.from({ length: 4 }, (_, i) => sized({ timestamp: T0 + i, message: 'y'.repeat(262_144 - 26) }));
    expect(nextBatchLength(queue)).toBe(4);
    expect(nextBatchLength([...queue, sized({ timestamp: T0 + 5, message: 'z' })])).toBe(4);
  });

  it('never spans more than 24 hours, even when events arrive out of order', () => {
    const queue = [T0, T0 + 10 * HOUR, T0 - 10 * HOUR, T0 + 15 * HOUR, T0 + 16 * HOUR].map((timestamp) => sized({ timestamp, message: 'e' }));
    const batches = splitIntoBatches(queue);
    expect(batches.map((b) => b.length)).toEqual([3, 2]);
    expect(batches.every((b) => isValidBatch(b))).toBe(true);
  });

  it('sorts each batch chronologically, keeping arrival order for equal timestamps', () => {
    const queue = [
      { timestamp: T0 + 2, message: 'c' },
      { timestamp: T0, message: 'a1' },
      { timestamp: T0 + 1, message: 'b' },
      { timestamp: T0, message: 'a2' },
    ].map(sized);
    expect(splitIntoBatches(queue)[0]!.map((e) => e.message)).toEqual(['a1', 'a2', 'b', 'c']);
  });

  it('produces only valid batches and loses or duplicates nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 30 * HOUR }), size: fc.integer({ min: 1, max: 200_000 }) }), { maxLength: 60 }),
        (specs) => {
          const queue = specs.map((s, i) => sized({ timestamp: T0 + s.offset, message: `${i}:`.padEnd(s.size, 'x') }));
          const batches = splitIntoBatches(queue);
          expect(batches.every((b) => isValidBatch(b))).toBe(true);
          expect(batches.flat().map((e) => e.message).sort()).toEqual(queue.map((e) => e.message).sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('isValidBatch rejects what AWS rejects', () => {
    expect(isValidBatch([])).toBe(false);
    expect(isValidBatch([{ timestamp: 2, message: 'b' }, { timestamp: 1, message: 'a' }])).toBe(false);
    expect(isValidBatch([{ timestamp: 0, message: 'a' }, { timestamp: PUT_LOG_EVENTS_LIMITS.maxSpanMs + 1, message: 'b' }])).toBe(false);
  });
});
