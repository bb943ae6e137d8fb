/**
 * Input validation for the todo API: pure functions from raw input to either a typed value or the JSON body of a
 * 400. Echoed values are JSON-encoded by res.json (safe from injection) but capped, so a 1 MB id cannot be
 * reflected back at full size.
 */

/** Positive integer that fits a PostgreSQL bigint with room to spare (≤ 18 digits, no leading zero). */
export const ID_RE = /^[1-9][0-9]{0,17}$/;
export const ECHO_MAX = 64;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
const UNKNOWN_FIELDS_REPORTED = 10;

export type Result<T> = { ok: true; value: T } | { ok: false; error: Record<string, unknown> };

/** Cap an attacker-controlled string before echoing it. */
export function capForEcho(value: string): string {
  return value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}…` : value;
}

export function parseId(raw: string | undefined): Result<string> {
  const value = raw ?? '';
  // kept as a string: ids are bigint in PostgreSQL and go to the driver as parameters
  if (ID_RE.test(value)) return { ok: true, value };
  return { ok: false, error: { error: 'invalid id', value: capForEcho(value) } };
}

export function parseCompletedFilter(raw: unknown): Result<boolean | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  if (raw === 'true') return { ok: true, value: true };
  if (raw === 'false') return { ok: true, value: false };
  return { ok: false, error: { error: 'invalid query', fields: { completed: 'must be true or false' } } };
}

export interface TodoInput {
  title?: string;
  description?: string | null;
  completed?: boolean;
  deadline_at?: string | null;
}

// Date only (2025-01-31) or a full date-time with a zone (2025-01-31T12:00:00Z / +02:00): no zone-less times, whose
// meaning would depend on the server's time zone.
// A date-time without a zone is accepted, as the lab's TaskOverflow (Flask) accepts it — its k6 script sends
// "2024-05-31T23:59:00" — and read as UTC (normalised below, so neither JS nor PostgreSQL reads it as local time).
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const HAS_ZONE_RE = /(Z|[+-]\d{2}:\d{2})$/;

/** A date-time without a zone gets an explicit UTC one; dates and zoned date-times are kept as sent. */
function withUtcZone(value: string): string {
  return value.length > 10 && !HAS_ZONE_RE.test(value) ? `${value}Z` : value;
}

/**
 * PostgreSQL's timestamptz holds 4713 BC to 294276 AD, but its input refuses year 0000 (it counts 1 BC, 1 AD: no
 * year zero) and zone offsets beyond ±15:59. Four-digit years 0001–9999 with offsets up to ±15:59 are therefore
 * exactly what this API accepts: every such value is one PostgreSQL stores, so a client's date never becomes a 500.
 */
const MIN_YEAR = 1;
const MAX_OFFSET_HOURS = 15;
const OFFSET_RE = /([+-])(\d{2}):(\d{2})$/;

function inPostgresRange(value: string): boolean {
  if (Number(value.slice(0, 4)) < MIN_YEAR) return false;
  const offset = value.length > 10 ? OFFSET_RE.exec(value) : null;
  return offset === null || Number(offset[2]) <= MAX_OFFSET_HOURS;
}

function isIsoDate(value: string): boolean {
  if (!ISO_DATE_RE.test(value) || !inPostgresRange(value)) return false;
  const time = Date.parse(withUtcZone(value));
  if (Number.isNaN(time)) return false;
  // Date.parse rolls 2025-02-30 over to March: require the calendar date to survive the round trip
  return value.length === 10 ? new Date(time).toISOString().slice(0, 10) === value : true;
}

/** PostgreSQL text cannot hold U+0000 (it refuses the whole statement): refused here, field by field. */
const NUL = '\u0000';
const NUL_PROBLEM = 'must not contain the NUL character (U+0000)';

const KNOWN_FIELDS = new Set(['title', 'description', 'completed', 'deadline_at']);

/**
 * Validate a create (POST: title required) or update (PUT: the fields given are changed; at least one) body.
 * Returns every field at fault at once, so a client fixes its request in one round trip.
 */
export function validateTodoBody(body: unknown, mode: 'create' | 'update'): Result<TodoInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid({ body: 'must be a JSON object (send Content-Type: application/json)' });
  }
  const input = body as Record<string, unknown>;
  // no prototype: an unknown key named __proto__ becomes a reported field, not a prototype change
  const fields = Object.create(null) as Record<string, string>;
  const out: TodoInput = {};

  if (input.title === undefined) {
    if (mode === 'create') fields.title = 'is required';
  } else if (typeof input.title !== 'string') fields.title = 'must be a string';
  else if (input.title.includes(NUL)) fields.title = NUL_PROBLEM;
  else if (input.title.trim().length === 0) fields.title = 'must not be empty';
  else if (input.title.length > TITLE_MAX) fields.title = `must be at most ${TITLE_MAX} characters`;
  else out.title = input.title;

  if (input.description !== undefined) {
    if (input.description === null) out.description = null;
    else if (typeof input.description !== 'string') fields.description = 'must be a string or null';
    else if (input.description.includes(NUL)) fields.description = NUL_PROBLEM;
    else if (input.description.length > DESCRIPTION_MAX) fields.description = `must be at most ${DESCRIPTION_MAX} characters`;
    else out.description = input.description;
  }

  if (input.completed !== undefined) {
    if (typeof input.completed !== 'boolean') fields.completed = 'must be true or false';
    else out.completed = input.completed;
  }

  if (input.deadline_at !== undefined) {
    if (input.deadline_at === null) out.deadline_at = null;
    else if (typeof input.deadline_at !== 'string' || !isIsoDate(input.deadline_at)) {
      fields.deadline_at =
        'must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z; without a zone: UTC) with a year from 0001 to 9999 and a zone offset within ±15:59, or null';
    } else out.deadline_at = withUtcZone(input.deadline_at);
  }

  const unknown = Object.keys(input).filter((key) => !KNOWN_FIELDS.has(key));
  for (const key of unknown.slice(0, UNKNOWN_FIELDS_REPORTED)) fields[capForEcho(key)] = 'unknown field';
  if (unknown.length > UNKNOWN_FIELDS_REPORTED) {
    fields._more = `${unknown.length - UNKNOWN_FIELDS_REPORTED} more unknown fields`;
  }

  if (mode === 'update' && Object.keys(input).length === 0) fields.body = 'must set at least one field';
  if (Object.keys(fields).length > 0) return invalid(fields);
  return { ok: true, value: out };
}

function invalid(fields: Record<string, string>): Result<never> {
  return { ok: false, error: { error: 'invalid body', fields } };
}
