/**
 * Per-process accounting (issue 14, defects 4 and 5): which processes (host + pid) wrote lines, whether each logged
 * service.start and service.stop, its last line, and the run's requests it started but never ended. A process that
 * served the run but never logged service.stop was killed (SIGKILL, OOM), crashed, or is still running: its last
 * lines and its final log.dropped counts may never have arrived, so "0 dropped" is then only a lower bound.
 *
 * Pure and source-agnostic: `ProcessTracker` takes NDJSON lines one by one; `processSummariesFromRows` builds the
 * same summaries from a Logs Insights `stats … by host, pid, event, run_id` result (analyzer/queries.ts).
 */
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';

export interface ProcessSummary {
  host: string;
  pid: number;
  service?: string;
  firstTime: number;
  lastTime: number;
  /** every line of the process in the range, any run */
  lines: number;
  /** lines of the analyzed run */
  runLines: number;
  /** the event of its last line ("app line" when it had none) */
  lastEvent: string;
  started: boolean;
  stopped: boolean;
  /** the run's request.start lines, and its request.finish / request.abort lines (ends) */
  requestsStarted: number;
  requestsEnded: number;
}

/** Processes kept (the rest are counted in `overflow`): a run has a handful, a bad key must not grow without bound. */
export const MAX_PROCESSES = 1000;

const processKey = (host: string, pid: number) => `${host}\u0000${pid}`;

function newSummary(host: string, pid: number, time: number): ProcessSummary {
  return {
    host,
    pid,
    firstTime: time,
    lastTime: time,
    lines: 0,
    runLines: 0,
    lastEvent: 'app line',
    started: false,
    stopped: false,
    requestsStarted: 0,
    requestsEnded: 0,
  };
}

/** One line's worth of counts, shared by both builders so they cannot disagree. */
function note(p: ProcessSummary, time: number, event: string | undefined, count: number, inRun: boolean, lastTime = time): void {
  p.lines += count;
  if (inRun) p.runLines += count;
  if (time < p.firstTime) p.firstTime = time;
  if (lastTime >= p.lastTime) {
    p.lastTime = lastTime;
    p.lastEvent = event ?? 'app line';
  }
  if (event === EVENTS.serviceStart) p.started = true;
  if (event === EVENTS.serviceStop) p.stopped = true;
  if (inRun && event === EVENTS.requestStart) p.requestsStarted += count;
  if (inRun && (event === EVENTS.requestFinish || event === EVENTS.requestAbort)) p.requestsEnded += count;
}

export class ProcessTracker {
  private readonly byKey = new Map<string, ProcessSummary>();
  /** lines of processes past MAX_PROCESSES */
  overflow = 0;

  /** A parsed logjam line (any run, or none); `inRun` when it belongs to the analyzed run. */
  push(line: Record<string, unknown>, inRun: boolean): void {
    const host = line[F.host];
    const pid = line[F.pid];
    const time = line[F.time];
    if (typeof pid !== 'number' || typeof time !== 'number') return;
    const h = typeof host === 'string' ? host : '';
    const key = processKey(h, pid);
    let p = this.byKey.get(key);
    if (p === undefined) {
      if (this.byKey.size >= MAX_PROCESSES) {
        this.overflow++;
        return;
      }
      p = newSummary(h, pid, time);
      this.byKey.set(key, p);
    }
    const service = line[F.service];
    if (p.service === undefined && typeof service === 'string') p.service = service;
    const event = line[F.event];
    note(p, time, typeof event === 'string' ? event : undefined, 1, inRun);
  }

  /** The processes that wrote lines of the run, by host then pid. */
  summaries(): ProcessSummary[] {
    return sortProcesses([...this.byKey.values()].filter((p) => p.runLines > 0));
  }
}

function sortProcesses(ps: ProcessSummary[]): ProcessSummary[] {
  return ps.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.pid - b.pid));
}

/** One row of the per-process Logs Insights query (values as Logs Insights returns them: strings). */
export interface ProcessRow {
  host?: string;
  pid?: string | number;
  service?: string;
  event?: string;
  run_id?: string;
  lines?: string | number;
  first_time?: string | number;
  last_time?: string | number;
}

/** The same summaries from CloudWatch rows (one per host, pid, event, run_id). */
export function processSummariesFromRows(rows: ProcessRow[], runId: string | undefined): ProcessSummary[] {
  const byKey = new Map<string, ProcessSummary>();
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN);
  for (const row of rows) {
    const pid = num(row.pid);
    const first = num(row.first_time);
    const last = num(row.last_time);
    const count = num(row.lines);
    if (!Number.isFinite(pid) || !Number.isFinite(first) || !Number.isFinite(last) || !Number.isFinite(count)) continue;
    const host = row.host ?? '';
    const key = processKey(host, pid);
    let p = byKey.get(key);
    if (p === undefined) {
      if (byKey.size >= MAX_PROCESSES) continue;
      p = newSummary(host, pid, first);
      byKey.set(key, p);
    }
    if (p.service === undefined && row.service) p.service = row.service;
    // a time window (no run id) selects the request lines, tagged or not (the rows' only request-scoped events)
    const selected = runId === undefined ? Boolean(row.run_id) || (row.event ?? '').startsWith('request.') : row.run_id === runId;
    note(p, first, row.event || undefined, count, selected, last);
  }
  return sortProcesses([...byKey.values()].filter((p) => p.runLines > 0));
}

/** Requests a process started for the run and never finished or aborted. */
export const openRequests = (p: ProcessSummary): number => Math.max(0, p.requestsStarted - p.requestsEnded);

/** Processes of the run that never logged service.stop. */
export const neverStopped = (ps: readonly ProcessSummary[] | undefined): ProcessSummary[] => (ps ?? []).filter((p) => !p.stopped);
