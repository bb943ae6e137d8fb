/**
 * The `log.dropped` line: how the sink says it lost events. Written to stderr at once (visible even when
 * CloudWatch is unreachable) and shipped to CloudWatch once shipping works again, so both places show the count.
 */
import { hostname } from 'node:os';
import { droppedLine } from '../../dropped-line.js';
import { FIELDS, SCHEMA_VERSION } from '../../schema.js';

export type DropReason =
  | 'buffer_full'
  | 'too_old'
  | 'too_new'
  | 'expired'
  | 'rejected'
  | 'missing_destination'
  | 'retries_exhausted'
  | 'shutdown_timeout'
  | 'closed'
  | 'misconfigured';

export const SINK_NAME = 'cloudwatch';
const HOST = hostname();

export function dropLine(service: string, dropped: number, reason: DropReason, detail?: string, now = Date.now()): string {
  const base = { [FIELDS.schema]: SCHEMA_VERSION, [FIELDS.service]: service, [FIELDS.host]: HOST, [FIELDS.pid]: process.pid };
  return droppedLine({ base, dropped, reason, sink: SINK_NAME, detail, time: now });
}
