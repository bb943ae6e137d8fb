/**
 * A traced request as text: every line in time order with its offset from the request's start, then a small
 * waterfall — the request as a whole and each db.query (pool wait ░, database █). db.query lines are written when
 * the query ends, so a query spans [time - db_ms, time], preceded by its pool wait.
 */
import pc from 'picocolors';
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';
import type { TraceLine } from '../sources/source.js';
import { sanitizeDeep, sanitizeOutput, sanitizeText } from './sanitize.js';
import { fmtMs } from './text.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface TraceView {
  requestId: string;
  start: number;
  end: number;
  lines: TraceLine[];
}

export function traceBounds(requestId: string, lines: TraceLine[]): TraceView {
  const startLine = lines.find((l) => l[F.event] === EVENTS.requestStart);
  const finish = lines.find((l) => l[F.event] === EVENTS.requestFinish || l[F.event] === EVENTS.requestAbort);
  const first = lines[0]?.time ?? 0;
  const last = lines[lines.length - 1]?.time ?? first;
  let start = startLine?.time ?? first;
  const duration = num(finish?.[F.durationMs]);
  if (!startLine && finish && duration !== undefined) start = Math.min(first, finish.time - duration);
  // queries' pool waits may start before the first line
  for (const l of lines) {
    if (l[F.event] === EVENTS.dbQuery) start = Math.min(start, l.time - (num(l[F.dbMs]) ?? 0) - (num(l[F.poolWaitMs]) ?? 0));
  }
  return { requestId, start, end: Math.max(last, start), lines };
}

function describe(l: TraceLine): string {
  const e = str(l[F.event]);
  switch (e) {
    case EVENTS.requestStart:
      return `${str(l[F.method]) ?? ''} ${str(l[F.path]) ?? ''}`;
    case EVENTS.requestFinish:
      return `${l[F.status]} in ${fmtMs(num(l[F.durationMs]) ?? 0)}; db ${fmtMs(num(l[F.dbMs]) ?? 0)} in ${num(l[F.dbQueries]) ?? 0} queries, pool wait ${fmtMs(num(l[F.poolWaitMs]) ?? 0)}${l[F.route] ? `; route ${l[F.route]}` : ''}`;
    case EVENTS.requestAbort:
      return `client went away after ${fmtMs(num(l[F.durationMs]) ?? 0)}`;
    case EVENTS.requestError: {
      const err = l[F.err] as { type?: string; message?: string } | undefined;
      return `${l[F.status] ?? ''} ${err?.type ?? 'Error'}: ${err?.message ?? str(l[F.msg]) ?? ''}`;
    }
    case EVENTS.dbQuery:
      return `${fmtMs(num(l[F.dbMs]) ?? 0)} (pool wait ${fmtMs(num(l[F.poolWaitMs]) ?? 0)}) ${truncate(str(l[F.sql]) ?? '', 80)}`;
    default:
      return str(l[F.msg]) ?? '';
  }
}

function truncate(s: string, n: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

function bar(from: number, to: number, view: TraceView, width: number, ch: string): { start: number; len: number; ch: string } {
  const span = Math.max(view.end - view.start, 1e-3);
  const s = Math.max(0, Math.min(width - 1, Math.floor(((from - view.start) / span) * width)));
  const e = Math.max(s + 1, Math.min(width, Math.ceil(((to - view.start) / span) * width)));
  return { start: s, len: e - s, ch };
}

function paint(width: number, bars: { start: number; len: number; ch: string }[]): string {
  const cells = new Array<string>(width).fill(' ');
  for (const b of bars) for (let i = b.start; i < b.start + b.len && i < width; i++) cells[i] = b.ch;
  return cells.join('');
}

export function renderTrace(unsafeRequestId: string, unsafeLines: TraceLine[], color: boolean, width = 50): string {
  // every field of a trace line comes from the log (messages, paths, err.type, sql): escaped before formatting
  const requestId = sanitizeText(unsafeRequestId);
  const lines = unsafeLines.map((l) => sanitizeDeep(l));
  const c = pc.createColors(color);
  const view = traceBounds(requestId, lines);
  const out: string[] = [];
  const any = lines[0];
  const runId = any ? str(lines.find((l) => l[F.runId] !== undefined)?.[F.runId]) : undefined;
  out.push(
    c.bold(`request ${requestId}`) +
      c.dim(`  ${lines.length} lines${runId ? `, run ${runId}` : ''}${any ? `, ${str(any[F.service]) ?? ''} ${str(any[F.host]) ?? ''} pid ${any[F.pid] ?? ''}` : ''}`),
  );
  out.push(c.dim(`start ${new Date(view.start).toISOString()}`));
  for (const l of lines) {
    const offset = `+${(l.time - view.start).toFixed(1)}ms`;
    const event = str(l[F.event]) ?? str(l[F.level]) ?? 'log';
    const level = str(l[F.level]);
    const text = describe(l);
    const painted = level === 'error' || level === 'fatal' ? c.red(text) : level === 'warn' ? c.yellow(text) : text;
    out.push(`  ${offset.padStart(10)}  ${event.padEnd(15)} ${painted}`);
  }

  out.push('', c.bold(`waterfall`) + c.dim(`  0 → ${fmtMs(view.end - view.start)}   ${c.dim('░ pool wait  █ database  ▒ request')}`));
  const finish = lines.find((l) => l[F.event] === EVENTS.requestFinish || l[F.event] === EVENTS.requestAbort);
  const reqEnd = finish ? finish.time : view.end;
  const reqStart = lines.find((l) => l[F.event] === EVENTS.requestStart)?.time ?? (finish ? finish.time - (num(finish[F.durationMs]) ?? 0) : view.start);
  out.push(`  ${'request'.padEnd(10)} |${paint(width, [bar(reqStart, reqEnd, view, width, '▒')])}| ${fmtMs(reqEnd - reqStart)}`);
  let q = 0;
  for (const l of lines) {
    if (l[F.event] !== EVENTS.dbQuery) continue;
    q++;
    const db = num(l[F.dbMs]) ?? 0;
    const wait = num(l[F.poolWaitMs]) ?? 0;
    const dbStart = l.time - db;
    const bars = [bar(dbStart - wait, dbStart, view, width, '░'), bar(dbStart, l.time, view, width, '█')].filter((b, i) => (i === 0 ? wait > 0 : true));
    out.push(
      `  ${`query ${q}`.padEnd(10)} |${paint(width, bars)}| ${wait > 0 ? `${c.yellow(`wait ${fmtMs(wait)}`)} ` : ''}db ${fmtMs(db)}  ${c.dim(truncate(str(l[F.sql]) ?? '', 50))}`,
    );
  }
  if (q === 0) out.push(c.dim('  (no db.query lines for this request)'));
  return sanitizeOutput(`${out.join('\n')}\n`, { color });
}
