/**
 * Per-process accounting (issue 14, defects 4 and 5): which processes (host + pid) wrote lines, whether each logged
 * service.start and service.stop, its last line, and the run's requests it started but never ended. A process that
 * served the run but never logged service.stop was killed (SIGKILL, OOM), crashed, or is still running: its last
 * lines and its final log.dropped counts may never have arrived, so "0 dropped" is then only a lower bound.
 *
 * Pure and source-agnostic: `ProcessTracker` takes NDJSON lines one by one; `processSummariesFromRows` builds the
 * same summaries from a Logs Insights `stats … by host, pid, event, run_id` result (analyzer/queries.ts).
 */
import { EVENTS, FIELDS as F, MEMORY_LIMIT_SOURCES, PLATFORMS } from '../../middleware/schema.js';

/**
 * What a process said about where it runs in its service.start line (middleware/runtime-facts.ts): the facts
 * capacity math needs. Each is absent when the line did not carry it (an older or hand-written service.start).
 */
export interface ServiceFacts {
  /** os.availableParallelism() */
  cpus?: number;
  /** the cgroup's CPU quota in cores, when one is set */
  cpuQuota?: number;
  memoryLimitMb?: number;
  memoryLimitSource?: string;
  nodeVersion?: string;
  /** cluster workers the service runs */
  workers?: number;
  /** the pg pool's max */
  poolMax?: number;
  /** `ecs-fargate`, `ecs-ec2` or `ecs` (middleware/schema.ts PLATFORMS) */
  platform?: string;
}

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
  /** its latest service.start line's facts, when it logged one */
  facts?: ServiceFacts;
  /** time of that line (which of several service.start lines is the latest) */
  factsTime?: number;
}

const positive = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 && n < 1e9 ? n : undefined;
};
const oneOf = (v: unknown, allowed: readonly string[]): string | undefined =>
  typeof v === 'string' && allowed.includes(v) ? v : undefined;
/** `v20.19.0`: anything else (a hostile line) is not a Node version */
const nodeVersion = (v: unknown): string | undefined => (typeof v === 'string' && /^v\d{1,3}\.\d{1,4}\.\d{1,4}$/.test(v) ? v : undefined);

/**
 * The facts of a service.start line, or of a Logs Insights row with the same field names (values as text), each
 * checked: a number that is not a positive number, an unknown platform, a version that is not one, is left out.
 */
export function serviceFactsOf(line: Record<string, unknown>): ServiceFacts | undefined {
  const facts: ServiceFacts = {};
  const set = <K extends keyof ServiceFacts>(key: K, value: ServiceFacts[K] | undefined) => {
    if (value !== undefined) facts[key] = value;
  };
  set('cpus', positive(line[F.cpus]));
  set('cpuQuota', positive(line[F.cpuQuota]));
  set('memoryLimitMb', positive(line[F.memoryLimitMb]));
  set('memoryLimitSource', oneOf(line[F.memoryLimitSource], MEMORY_LIMIT_SOURCES));
  set('nodeVersion', nodeVersion(line[F.nodeVersion]));
  set('workers', positive(line[F.workers]));
  set('poolMax', positive(line[F.poolMax]));
  set('platform', oneOf(line[F.platform], PLATFORMS));
  return Object.keys(facts).length > 0 ? facts : undefined;
}

/** Keep the facts of the latest service.start (a restarted process id, a reload). */
function noteFacts(p: ProcessSummary, time: number, facts: ServiceFacts | undefined): void {
  if (facts === undefined || (p.factsTime !== undefined && time < p.factsTime)) return;
  p.facts = facts;
  p.factsTime = time;
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
  /** the same summaries by host, then pid: push() finds a line's process without building its key string */
  private readonly byHost = new Map<string, Map<number, ProcessSummary>>();
  /** lines of processes past MAX_PROCESSES */
  overflow = 0;

  /** A parsed logjam line (any run, or none); `inRun` when it belongs to the analyzed run. */
  push(line: Record<string, unknown>, inRun: boolean): void {
    const host = line[F.host];
    const pid = line[F.pid];
    const time = line[F.time];
    if (typeof pid !== 'number' || typeof time !== 'number') return;
    const h = typeof host === 'string' ? host : '';
    let pids = this.byHost.get(h);
    let p = pids?.get(pid);
    if (p === undefined) {
      const key = processKey(h, pid);
      p = this.byKey.get(key);
      if (p === undefined) {
        if (this.byKey.size >= MAX_PROCESSES) {
          this.overflow++;
          return;
        }
        p = newSummary(h, pid, time);
        this.byKey.set(key, p);
      }
      if (pids === undefined) this.byHost.set(h, (pids = new Map()));
      pids.set(pid, p);
    }
    const service = line[F.service];
    if (p.service === undefined && typeof service === 'string') p.service = service;
    const event = line[F.event];
    note(p, time, typeof event === 'string' ? event : undefined, 1, inRun);
    if (event === EVENTS.serviceStart) noteFacts(p, time, serviceFactsOf(line));
  }

  /** Every process seen so far, in first-seen order (summaries() keeps those of the run): another part's state. */
  snapshot(): ProcessSummary[] {
    return [...this.byKey.values()];
  }

  /**
   * Adds the snapshot() of the part of the input that comes right after this one's, exactly as if its lines had been
   * pushed here: sums, the earlier first line, the later last line (the later part wins ties, as a later line does),
   * the first service named, the latest facts. Processes past MAX_PROCESSES are left out in the same first-seen order.
   */
  absorb(later: readonly ProcessSummary[]): void {
    for (const q of later) {
      const key = processKey(q.host, q.pid);
      const p = this.byKey.get(key);
      if (p === undefined) {
        if (this.byKey.size >= MAX_PROCESSES) this.overflow += q.lines;
        else this.byKey.set(key, { ...q });
        // push() finds it through byKey the next time (and remembers it then)
        continue;
      }
      p.lines += q.lines;
      p.runLines += q.runLines;
      if (q.firstTime < p.firstTime) p.firstTime = q.firstTime;
      if (q.lastTime >= p.lastTime) {
        p.lastTime = q.lastTime;
        p.lastEvent = q.lastEvent;
      }
      p.started ||= q.started;
      p.stopped ||= q.stopped;
      p.requestsStarted += q.requestsStarted;
      p.requestsEnded += q.requestsEnded;
      if (p.service === undefined && q.service !== undefined) p.service = q.service;
      if (q.factsTime !== undefined) noteFacts(p, q.factsTime, q.facts);
    }
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
  /** service.start rows: the facts (queries.ts `processes` folds them into the same query) */
  cpus?: string | number;
  cpu_quota?: string | number;
  memory_limit_mb?: string | number;
  memory_limit_source?: string;
  node_version?: string;
  workers?: string | number;
  pool_max?: string | number;
  platform?: string;
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
    if (row.event === EVENTS.serviceStart) noteFacts(p, last, serviceFactsOf(row as Record<string, unknown>));
  }
  return sortProcesses([...byKey.values()].filter((p) => p.runLines > 0));
}

/** Requests a process started for the run and never finished or aborted. */
export const openRequests = (p: ProcessSummary): number => Math.max(0, p.requestsStarted - p.requestsEnded);

/** Processes of the run that never logged service.stop. */
export const neverStopped = (ps: readonly ProcessSummary[] | undefined): ProcessSummary[] => (ps ?? []).filter((p) => !p.stopped);
