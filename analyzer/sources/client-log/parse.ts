/**
 * One line of a client log, in either format, to the facts the join needs:
 * - logjam's client.ndjson (common/client-log.ts), written by `logjam load`;
 * - k6's `--out json=` file: `{"type":"Point","metric":"http_req_duration","data":{"time","value","tags","metadata"}}`
 *   lines whose metadata (or tags) carry the logjam k6 module's request id (loadtests/k6/logjam.js). k6 stamps an
 *   HTTP sample with the request's end time (its trail's EndTime), so the start is time − http_req_duration (which, as in k6, leaves out DNS and connecting).
 *   Other k6 lines (Metric declarations, other metrics, requests without the id tag) are counted, not errors.
 */
import { CLIENT_LINE_KIND, K6_TAGS } from '../../../common/client-log.js';
import { isValidId } from '../../../middleware/schema.js';
import { OUTCOME, type OutcomeCode } from '../../aggregate/client-table.js';

export interface ClientRequestFacts {
  format: 'logjam' | 'k6-json';
  id: string;
  runId?: string;
  /** "METHOD name" */
  name: string;
  start: number;
  durationMs: number;
  status: number;
  outcome: OutcomeCode;
}

/** What a line was, when it was not a request. */
export type NotARequest = 'malformed' | 'foreign' | 'k6-other' | 'k6-no-id';

const ERROR_KINDS: Record<string, OutcomeCode> = {
  timeout: OUTCOME.timeout,
  refused: OUTCOME.refused,
  reset: OUTCOME.reset,
  other: OUTCOME.other,
  interrupted: OUTCOME.interrupted,
};

/**
 * k6's error codes (k6 docs, "Error codes"): 1050 request timeout, 1211 dial timeout, 1212 connection refused,
 * 1220 reset by peer, 1201 broken pipe on write; everything else is "other".
 */
function k6Outcome(status: number, errorCode: unknown): OutcomeCode {
  if (status > 0) return OUTCOME.response;
  switch (String(errorCode ?? '')) {
    case '1050':
    case '1211':
      return OUTCOME.timeout;
    case '1212':
      return OUTCOME.refused;
    case '1220':
    case '1201':
      return OUTCOME.reset;
    default:
      return OUTCOME.other;
  }
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const text = (v: unknown, max = 200): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** k6 writes RFC 3339 with nanoseconds and an offset; Date.parse needs at most milliseconds. */
function parseK6Time(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  return Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
}

function fromLogjam(o: Record<string, unknown>): ClientRequestFacts | NotARequest {
  const { id, start, duration_ms: duration, status } = o;
  if (!isValidId(id) || !finite(start) || !finite(duration) || !finite(status)) return 'malformed';
  const outcome = typeof o.error === 'string' ? (ERROR_KINDS[o.error] ?? OUTCOME.other) : OUTCOME.response;
  return {
    format: 'logjam',
    id,
    ...(typeof o.run_id === 'string' ? { runId: o.run_id } : {}),
    name: `${text(o.method, 16)} ${text(o.name)}`,
    start,
    durationMs: Math.max(0, duration),
    status: outcome === OUTCOME.response ? status : 0,
    outcome,
  };
}

function fromK6(o: Record<string, unknown>): ClientRequestFacts | NotARequest {
  if (o.type !== 'Point' || o.metric !== 'http_req_duration') return 'k6-other';
  const data = o.data as
    | { time?: unknown; value?: unknown; tags?: Record<string, unknown> | null; metadata?: Record<string, unknown> | null }
    | undefined;
  const tags = data?.tags ?? undefined;
  // the logjam k6 module puts the id in the sample's metadata (no time series per id); a tag works too
  const id = data?.metadata?.[K6_TAGS.requestId] ?? tags?.[K6_TAGS.requestId];
  if (!isValidId(id)) return 'k6-no-id';
  const end = parseK6Time(data?.time);
  const value = data?.value;
  if (!Number.isFinite(end) || !finite(value)) return 'malformed';
  const status = Number(tags?.status ?? 0);
  const outcome = k6Outcome(Number.isFinite(status) ? status : 0, tags?.error_code);
  const name = text(tags?.name) || text(tags?.url).split('?')[0]!;
  return {
    format: 'k6-json',
    id,
    ...(typeof tags?.run_id === 'string' ? { runId: tags.run_id } : {}),
    name: `${text(tags?.method, 16)} ${name}`,
    start: end - value,
    durationMs: Math.max(0, value),
    status: outcome === OUTCOME.response ? status : 0,
    outcome,
  };
}

export function parseClientLine(line: string): ClientRequestFacts | NotARequest {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'malformed';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'malformed';
  const record = o as Record<string, unknown>;
  if (record.kind === CLIENT_LINE_KIND) return fromLogjam(record);
  if (record.type === 'Point' || record.type === 'Metric') return fromK6(record);
  return 'foreign';
}
