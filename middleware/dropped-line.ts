/**
 * The one builder of `log.dropped` lines (schema: docs/log-schema.md): how a sink, or the logger in front of it, says
 * it lost lines — count, reason and which sink — in the same shape wherever the loss happened.
 */
import { EVENTS, FIELDS } from './schema.js';

export interface DroppedLineInput {
  /** the line's identifying fields: schema, service, host, pid (and worker), as the logger's other lines carry them */
  base: Record<string, unknown>;
  dropped: number;
  reason: string;
  sink: string;
  /** what the reason does not say, in the message only (e.g. the API's error name) */
  detail?: string;
  time?: number;
}

export function droppedLine({ base, dropped, reason, sink, detail, time = Date.now() }: DroppedLineInput): string {
  return JSON.stringify({
    [FIELDS.time]: time,
    [FIELDS.level]: 'warn',
    [FIELDS.msg]: `${sink} sink dropped ${dropped} log event(s): ${reason}${detail ? ` (${detail})` : ''}`,
    ...base,
    [FIELDS.event]: EVENTS.logDropped,
    [FIELDS.dropped]: dropped,
    [FIELDS.reason]: reason,
    [FIELDS.sink]: sink,
  });
}
