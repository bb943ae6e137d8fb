/**
 * Reading what the fake CloudWatch stored, as log lines: the delivery tests compare it with what was written and
 * with what the sinks say they dropped.
 */
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import type { FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';

export type StoredLine = Record<string, unknown>;

/** Every stored event's message parsed as JSON (a truncated event, no longer JSON, is kept as { raw }). */
export function storedLines(fake: FakeCloudWatch, group: string, stream?: string): StoredLine[] {
  return fake.events(group, stream).map((e) => {
    try {
      return JSON.parse(e.message) as StoredLine;
    } catch {
      return { raw: e.message };
    }
  });
}

/**
 * The `seq` of the test's own lines (log.dropped reports and other lines left out), in seq order: the sink's calls
 * in flight together may land in any order (each call is in time order), so stored order says nothing; a line
 * stored twice still shows as a repeated seq.
 */
export function storedSeqs(lines: readonly StoredLine[]): number[] {
  return lines
    .filter((l) => typeof l.seq === 'number' && l[FIELDS.event] === undefined)
    .map((l) => l.seq as number)
    .sort((a, b) => a - b);
}

/** The `log.dropped` events the sink delivered to CloudWatch itself. */
export function storedDropReports(lines: readonly StoredLine[]): { dropped: number; reason: string; msg: string }[] {
  return lines
    .filter((l) => l[FIELDS.event] === EVENTS.logDropped)
    .map((l) => ({ dropped: l[FIELDS.dropped] as number, reason: l[FIELDS.reason] as string, msg: l[FIELDS.msg] as string }));
}

/** [from, from + 1, …, to - 1] */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

export const MB = 1024 * 1024;

export function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}
