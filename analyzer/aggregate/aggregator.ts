/**
 * The streaming counter behind the local source: push() every parsed logjam line of the input, counts() once; the
 * finishing layer (finish.ts) turns the counts into the RunAggregate, as it does for the CloudWatch source.
 * Request-scoped lines are de-duplicated by request id and event (two copies of one log count once, and the extra
 * lines are counted in input.duplicates).
 * Memory is bounded by the shape of the run, not its length: HDR histograms per route and per time bin, capped
 * route/suspicious-path tables, a compact hash set of finished request ids (16 bytes per request, see hash-set.ts)
 * and a map of requests currently open (start seen, no finish yet — normally the in-flight requests only).
 */
import { ProcessTracker, type ProcessSummary } from './processes.js';
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';
import type { EvidenceQuery, InputAccounting, RunAggregate, RuntimeSummary } from '../model.js';
import { ALB_EVENT, type AlbLine } from './alb-record.js';
import { AdaptiveBins } from './bins.js';
import { FrontDoorJoin } from './front-door.js';
import { DimensionAccumulator, type RawDimensions } from './dimensions.js';
import { finishAggregate } from './finish.js';
import { HashedIdSet } from './hash-set.js';
import { Sum } from './sum.js';
import { DurationCounts, durationUs, usIndex, type HistogramState } from './histogram.js';
import { messageTemplate } from './message-template.js';
import { collapsePath, suspiciousSegment } from './paths.js';
import {
  emptyLatency,
  type RawBin,
  type RawCluster,
  type RawCounts,
  type RawProcess,
  type RawRoute,
  type RawSuspicious,
  type RawUnfinished,
} from './raw-counts.js';

export type LogLine = Record<string, unknown> & { time: number };

export const LIMITS = {
  routes: 500,
  suspiciousPaths: 200,
  /** requests open at once (start without finish yet); more are not tracked, and counted in overflow */
  openRequests: 200_000,
  /**
   * distinct message templates counted per status cluster; lines with further templates are counted as untracked
   * (shown in "(other messages)"). The top 10 shown are exact whenever a cluster has at most this many templates.
   */
  messagesTracked: 100,
  /** request.error lines waiting for their request.finish */
  pendingErrors: 10_000,
  workers: 10_000,
  services: 100,
} as const;

export const OTHER_ROUTE = '(other)';
/** (method, route) pairs routeAcc() remembers; more still count, by their key */
const ROUTE_MEMO_LIMIT = 4096;

export interface AggregatorOptions {
  /**
   * the run to aggregate; undefined: a time window, i.e. every request line in [since, until] whatever its run id
   * (or none), as `logjam analyze` without --run reads a service's own traffic
   */
  runId: string | undefined;
  source: string;
  examples?: number;
  since?: number;
  until?: number;
  /** the source reads ALB access-log files first (--alb-logs): the ALB join holds app lines from the start */
  albFirst?: boolean;
  /** evidence queries for the run's sections, in a language the caller's source can run (none when absent) */
  evidence?: (run: { runId: string | undefined; since: number; until: number }) => Record<string, EvidenceQuery>;
  /**
   * Request ids another structure already holds (the client-log join's table): it answers "first line of this
   * event for this id?" for the ids it knows, so they cost nothing in the aggregator's own sets — at 10M joined
   * requests those sets alone would be 16 bytes per request and line kind. undefined = unknown id: the sets decide.
   */
  knownIds?: KnownRequestIds;
  /**
   * This aggregator reads a later range of a parallel pass (sources/ndjson/parallel.ts): it remembers its error
   * finishes whose start it did not see, for an error line of an earlier range that waits for one (absorb()).
   */
  laterRange?: boolean;
}

/** See AggregatorOptions.knownIds. Events: 's' start, 'f' finish, 'a' abort, 'e' error. */
export interface KnownRequestIds {
  firstOf(event: 's' | 'f' | 'a' | 'e', id: string): boolean | undefined;
  hasFinished(id: string): boolean | undefined;
}

interface RouteAcc {
  method: string;
  route: string;
  matched: boolean;
  count: number;
  statuses: Map<number, number>;
  hist: DurationCounts;
  durationSum: Sum;
  dbMsSum: Sum;
  poolWaitMsSum: Sum;
  dbQueriesSum: Sum;
  aborts: number;
  examples: string[];
}

interface BinAcc {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  aborts: number;
  unfinished: number;
  durationSum: Sum;
  dbMsSum: Sum;
  poolWaitMsSum: Sum;
  hist: DurationCounts;
}

/** Process-wide lines (no run id): kept per time bucket, scoped to the run's time range at the end. */
interface ContextAcc {
  samples: number;
  eluSum: Sum;
  eluMax: number;
  elP99Sum: Sum;
  elP99Max: number;
  elMaxMax: number;
  heapMax: number;
  inFlightMax: number;
  poolWaitingMax: number;
  poolTotalMax: number;
  poolMaxMax: number;
  dropped: number;
  poolTimeouts: number;
}

interface ClusterAcc {
  method: string;
  route: string;
  status: number;
  count: number;
  examples: string[];
  messages: Map<string, number>;
  untracked: number;
}

interface SuspiciousAcc {
  method: string;
  path: string;
  count: number;
  statuses: Map<number, number>;
  examples: string[];
}

interface OpenRequest {
  method: string;
  path: string;
  time: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The error message of a line: its `err.message`, else (for request.error lines) its msg. */
function errorMessage(line: LogLine, orMsg: boolean): string | undefined {
  const err = line[F.err];
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return orMsg ? str(line[F.msg]) : undefined;
}

const templateOf = (message: string | undefined): string | undefined => (message === undefined ? undefined : messageTemplate(message));

function newBin(): BinAcc {
  return {
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    aborts: 0,
    unfinished: 0,
    durationSum: new Sum(),
    dbMsSum: new Sum(),
    poolWaitMsSum: new Sum(),
    hist: new DurationCounts(),
  };
}

function mergeBin(into: BinAcc, from: BinAcc): void {
  into.requests += from.requests;
  into.errors5xx += from.errors5xx;
  into.errors4xx += from.errors4xx;
  into.aborts += from.aborts;
  into.unfinished += from.unfinished;
  into.durationSum.absorb(from.durationSum);
  into.dbMsSum.absorb(from.dbMsSum);
  into.poolWaitMsSum.absorb(from.poolWaitMsSum);
  into.hist.add(from.hist);
}

function newContext(): ContextAcc {
  return {
    samples: 0,
    eluSum: new Sum(),
    eluMax: 0,
    elP99Sum: new Sum(),
    elP99Max: 0,
    elMaxMax: 0,
    heapMax: 0,
    inFlightMax: 0,
    poolWaitingMax: 0,
    poolTotalMax: 0,
    poolMaxMax: 0,
    dropped: 0,
    poolTimeouts: 0,
  };
}

function mergeContext(a: ContextAcc, b: ContextAcc): void {
  a.samples += b.samples;
  a.eluSum.absorb(b.eluSum);
  a.eluMax = Math.max(a.eluMax, b.eluMax);
  a.elP99Sum.absorb(b.elP99Sum);
  a.elP99Max = Math.max(a.elP99Max, b.elP99Max);
  a.elMaxMax = Math.max(a.elMaxMax, b.elMaxMax);
  a.heapMax = Math.max(a.heapMax, b.heapMax);
  a.inFlightMax = Math.max(a.inFlightMax, b.inFlightMax);
  a.poolWaitingMax = Math.max(a.poolWaitingMax, b.poolWaitingMax);
  a.poolTotalMax = Math.max(a.poolTotalMax, b.poolTotalMax);
  a.poolMaxMax = Math.max(a.poolMaxMax, b.poolMaxMax);
  a.dropped += b.dropped;
  a.poolTimeouts += b.poolTimeouts;
}

function statusRecord(m: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...m.entries()].sort((a, b) => a[0] - b[0])) out[String(k)] = v;
  return out;
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

export function emptyAccounting(): InputAccounting {
  return {
    totalLines: 0,
    parsed: 0,
    malformed: 0,
    oversized: 0,
    foreign: 0,
    otherRuns: 0,
    duplicates: 0,
    droppedBySinks: 0,
    outsideTimeRange: 0,
  };
}

/** A finish (status >= 400) whose request's start and error lines were not in its range. */
interface ErrorFinish {
  cluster: string;
  /** the message it filed (its own error's), when it carried one */
  template?: string;
}

type WithHistogramState<T> = Omit<T, 'hist'> & { hist: HistogramState };

/** RunAggregator.snapshot(): the state of one part of the input, as structured-clone data. */
export interface AggregatorSnapshot {
  input: InputAccounting;
  peaks: { open: number; pendingErrors: number };
  overflow: { routes: number; suspiciousPaths: number; openRequests: number };
  processes: ProcessSummary[];
  processOverflow: number;
  runLines: number;
  firstTime: number;
  lastTime: number;
  services: string[];
  workers: Map<string, Map<number | string, RawProcess>>;
  finished: Float64Array;
  seen: Float64Array;
  open: Map<string, OpenRequest>;
  pendingErrors: Map<string, { template: string; line: LogLine }>;
  errorFinishes: Map<string, ErrorFinish>;
  errorFinishesOverflow: number;
  routes: Map<string, WithHistogramState<RouteAcc>>;
  clusters: Map<string, ClusterAcc>;
  suspicious: Map<string, SuspiciousAcc>;
  total: HistogramState;
  dimensions: RawDimensions;
  bins: { binMs: number; entries: [number, WithHistogramState<BinAcc>][] };
  context: { binMs: number; entries: [number, ContextAcc][] };
  totals: RunAggregator['totals'];
}

/** The buffers of a snapshot that move to the receiving thread instead of being copied. */
export function snapshotTransferables(s: AggregatorSnapshot): ArrayBuffer[] {
  const buffers = [s.finished.buffer, s.seen.buffer, s.total.counts.buffer];
  for (const r of s.routes.values()) buffers.push(r.hist.counts.buffer);
  for (const [, b] of s.bins.entries) buffers.push(b.hist.counts.buffer);
  for (const v of s.dimensions.values) if (v.bucketCounts) buffers.push(v.bucketCounts.buffer);
  return buffers as ArrayBuffer[];
}

export class RunAggregator {
  readonly input: InputAccounting = emptyAccounting();
  private readonly processTracker = new ProcessTracker();
  private readonly examples: number;
  private runLines = 0;
  private firstTime = Infinity;
  private lastTime = -Infinity;
  private readonly services = new Set<string>();
  /** the service of the last line added to `services` (or refused there: the set was full) */
  private lastService: string | undefined;
  /** processes per host, by a numeric key when pid and worker are numbers (no string built per line) */
  private readonly workers = new Map<string, Map<number | string, RawProcess>>();
  private workerCount = 0;
  private readonly finished = new HashedIdSet(4096);
  /** start, abort and error lines seen, by event and request id (finish lines: `finished`) */
  private readonly seen = new HashedIdSet(4096);
  private readonly open = new Map<string, OpenRequest>();
  private readonly pendingErrors = new Map<string, { template: string; line: LogLine }>();
  private readonly routes = new Map<string, RouteAcc>();
  /**
   * Matched routes by method, then route template, as the lines hold them: routeAcc() finds a line's route without
   * building its "<method> <route>" key. Only real routes (never the overflow's "(other)": each overflowing line is
   * counted) and at most ROUTE_MEMO_LIMIT pairs.
   */
  private readonly routeMemo = new Map<string, Map<string, RouteAcc>>();
  private routeMemoSize = 0;
  private readonly clusters = new Map<string, ClusterAcc>();
  private readonly suspicious = new Map<string, SuspiciousAcc>();
  private readonly total = new DurationCounts();
  /** per route, status, process, bucket…: what the slow and the failed requests have in common (dimensions.ts) */
  private readonly dimensions = new DimensionAccumulator();
  private readonly bins = new AdaptiveBins<BinAcc>(newBin, mergeBin);
  // Wide: process-wide lines span the whole input, which may be longer than the run.
  private readonly context = new AdaptiveBins<ContextAcc>(newContext, mergeContext, 1000, 20_000);
  private readonly overflow = { routes: 0, suspiciousPaths: 0, openRequests: 0 };
  /** AggregatorOptions.laterRange: error finishes without a start here, by id: their cluster and own message */
  private readonly errorFinishes = new Map<string, ErrorFinish>();
  private errorFinishesOverflow = 0;
  /** the most requests open and errors pending at once: whether a later part's state can be absorbed exactly */
  private readonly peaks = { open: 0, pendingErrors: 0 };
  private totals = {
    requests: 0,
    aborts: 0,
    errors4xx: 0,
    errors5xx: 0,
    dbQueries: new Sum(),
    poolTimeouts: 0,
    dbMsSum: new Sum(),
    poolWaitMsSum: new Sum(),
    durationSum: new Sum(),
  };

  /** ALB access-log lines joined to the run's request lines (front-door.ts) */
  private readonly frontDoor: FrontDoorJoin;

  constructor(private readonly options: AggregatorOptions) {
    this.examples = options.examples ?? 3;
    this.frontDoor = new FrontDoorJoin(this.examples, { armed: options.albFirst ?? false });
  }

  /** Lines of this run seen so far (0 after the pass = the run is not in the source). */
  get lines(): number {
    return this.runLines;
  }

  /** One parsed logjam line (already validated by the classifier). */
  push(line: LogLine): void {
    const time = line.time;
    const { since, until } = this.options;
    if ((since !== undefined && time < since) || (until !== undefined && time > until)) {
      this.input.outsideTimeRange = (this.input.outsideTimeRange ?? 0) + 1;
      return;
    }
    if (line[F.event] === ALB_EVENT) {
      // an ALB access-log line (sources/formats/alb.ts): no process, no run id; the join scopes it
      this.input.parsed++;
      this.frontDoor.alb((line as AlbLine).alb);
      return;
    }
    const runId = line[F.runId];
    const event = line[F.event];
    // a time window selects every request-scoped line (with a run id or without); a run, the lines of its id
    const selected =
      this.options.runId === undefined ? runId !== undefined || line[F.requestId] !== undefined : runId === this.options.runId;
    // per-process lifecycle (aggregate/processes.ts): every line in range, of any run, by host + pid
    this.processTracker.push(line, selected);
    if (!selected) {
      if (runId === undefined && line[F.requestId] === undefined) {
        // process-wide lines (runtime.stats, log.dropped, app lines): scoped to the run's time range at the end
        this.input.parsed++;
        this.pushContext(line, event);
        return;
      }
      // another run's line, or a request that carried no run id (health checks, manual calls): not part of the run
      this.input.otherRuns++;
      return;
    }
    this.input.parsed++;
    this.runLines++;
    if (time < this.firstTime) this.firstTime = time;
    if (time > this.lastTime) this.lastTime = time;
    const service = line[F.service];
    // the last line's service again (the reader hands over the same string): already in the set
    if (service !== this.lastService && typeof service === 'string') {
      this.lastService = service;
      if (this.services.size < LIMITS.services) this.services.add(service);
    }
    this.noteWorker(line);
    switch (event) {
      case EVENTS.requestFinish:
        this.finish(line);
        break;
      case EVENTS.requestStart:
        this.start(line);
        break;
      case EVENTS.requestAbort:
        this.abort(line);
        break;
      case EVENTS.requestError:
        this.error(line);
        break;
      case EVENTS.dbPoolTimeout:
        this.totals.poolTimeouts++;
        break;
      case EVENTS.runtimeStats:
      case EVENTS.logDropped:
        this.pushContext(line, event);
        break;
      default:
        break;
    }
  }

  /** Distinct processes (host, pid, cluster worker), without building a string key per line. */
  private noteWorker(line: LogLine): void {
    const host = String(line[F.host]);
    let pids = this.workers.get(host);
    if (pids === undefined) {
      if (this.workerCount >= LIMITS.workers) return;
      pids = new Map();
      this.workers.set(host, pids);
    }
    const pid = line[F.pid];
    const worker = line[F.worker] ?? -1;
    const key: number | string =
      typeof pid === 'number' && typeof worker === 'number' ? pid * 65_536 + worker : `${String(pid)}/${String(worker)}`;
    if (!pids.has(key) && this.workerCount < LIMITS.workers) {
      const service = str(line[F.service]);
      const text = (v: unknown) => (typeof v === 'number' && v !== -1 ? String(v) : '');
      pids.set(key, { host, pid: text(pid), worker: text(line[F.worker]), ...(service !== undefined ? { service } : {}) });
      this.workerCount++;
    }
  }

  private pushContext(line: LogLine, event: unknown): void {
    if (event === EVENTS.runtimeStats) {
      const c = this.context.at(line.time);
      const elu = num(line[F.elu]);
      const p99 = num(line[F.elDelayP99Ms]);
      c.samples++;
      c.eluSum.add(elu);
      c.eluMax = Math.max(c.eluMax, elu);
      c.elP99Sum.add(p99);
      c.elP99Max = Math.max(c.elP99Max, p99);
      c.elMaxMax = Math.max(c.elMaxMax, num(line[F.elDelayMaxMs]));
      c.heapMax = Math.max(c.heapMax, num(line[F.heapUsedMb]));
      c.inFlightMax = Math.max(c.inFlightMax, num(line[F.inFlight]));
      c.poolWaitingMax = Math.max(c.poolWaitingMax, num(line[F.poolWaiting]));
      c.poolTotalMax = Math.max(c.poolTotalMax, num(line[F.poolTotal]));
      c.poolMaxMax = Math.max(c.poolMaxMax, num(line[F.poolMax]));
    } else if (event === EVENTS.logDropped) {
      this.context.at(line.time).dropped += num(line[F.dropped]);
    } else if (event === EVENTS.dbPoolTimeout) {
      this.context.at(line.time).poolTimeouts++;
    }
  }

  private routeKey(line: LogLine): { method: string; route: string; matched: boolean } {
    const method = str(line[F.method]) ?? '?';
    const route = str(line[F.route]);
    if (route !== undefined) return { method, route, matched: true };
    return { method, route: collapsePath(str(line[F.path]) ?? '/'), matched: false };
  }

  private routeAcc(line: LogLine): RouteAcc {
    const lineMethod = line[F.method];
    const lineRoute = line[F.route];
    if (typeof lineMethod === 'string' && typeof lineRoute === 'string') {
      const byRoute = this.routeMemo.get(lineMethod);
      const hit = byRoute?.get(lineRoute);
      if (hit !== undefined) return hit;
      const acc = this.routeAccByKey(line);
      if (acc.method !== '*' && this.routeMemoSize < ROUTE_MEMO_LIMIT) {
        if (byRoute === undefined) this.routeMemo.set(lineMethod, new Map([[lineRoute, acc]]));
        else byRoute.set(lineRoute, acc);
        this.routeMemoSize++;
      }
      return acc;
    }
    return this.routeAccByKey(line);
  }

  private routeAccByKey(line: LogLine): RouteAcc {
    const { method, route, matched } = this.routeKey(line);
    let key = `${method} ${route}`;
    let acc = this.routes.get(key);
    if (acc === undefined) {
      if (this.routes.size >= LIMITS.routes) {
        this.overflow.routes++;
        key = `* ${OTHER_ROUTE}`;
        acc = this.routes.get(key);
        if (acc !== undefined) return acc;
        acc = this.newRoute('*', OTHER_ROUTE, false);
      } else {
        acc = this.newRoute(method, route, matched);
      }
      this.routes.set(key, acc);
    }
    return acc;
  }

  private newRoute(method: string, route: string, matched: boolean): RouteAcc {
    return {
      method,
      route,
      matched,
      count: 0,
      statuses: new Map(),
      hist: new DurationCounts(),
      durationSum: new Sum(),
      dbMsSum: new Sum(),
      poolWaitMsSum: new Sum(),
      dbQueriesSum: new Sum(),
      aborts: 0,
      examples: [],
    };
  }

  /** false for a request-scoped line already seen (same event, same request id): counted as a duplicate */
  private firstOf(tag: 's' | 'a' | 'e', id: string): boolean {
    const known = this.options.knownIds?.firstOf(tag, id);
    if (known === true) return true;
    if (known === undefined && this.seen.add(`${tag}\u0000${id}`)) return true;
    this.input.duplicates++;
    return false;
  }

  private start(line: LogLine): void {
    const id = line[F.requestId] as string;
    if (!this.firstOf('s', id)) return;
    this.frontDoor.appStart(line);
    if (this.hasFinished(id)) return; // finish logged first (out-of-order input)
    if (this.open.size >= LIMITS.openRequests) {
      this.overflow.openRequests++;
      return;
    }
    this.open.set(id, { method: str(line[F.method]) ?? '?', path: str(line[F.path]) ?? '/', time: line.time });
    if (this.open.size > this.peaks.open) this.peaks.open = this.open.size;
  }

  private hasFinished(id: string): boolean {
    return this.options.knownIds?.hasFinished(id) ?? this.finished.has(id);
  }

  private finish(line: LogLine): void {
    const id = line[F.requestId] as string;
    // the maps by id are empty in a log of finish lines only (the common case): no lookup then
    if (this.open.size > 0) this.open.delete(id);
    const known = this.options.knownIds?.firstOf('f', id);
    if (known === false || (known === undefined && !this.finished.add(id))) {
      this.input.duplicates++;
      return;
    }
    const status = line[F.status] as number;
    const duration = line[F.durationMs] as number;
    const dbMs = num(line[F.dbMs]);
    const poolWait = num(line[F.poolWaitMs]);
    const dbQueries = num(line[F.dbQueries]);
    const t = this.totals;
    t.requests++;
    t.durationSum.add(duration);
    t.dbMsSum.add(dbMs);
    t.poolWaitMsSum.add(poolWait);
    t.dbQueries.add(dbQueries);
    if (status >= 500) t.errors5xx++;
    else if (status >= 400) t.errors4xx++;
    // one bucket index for every histogram the request counts in
    const us = durationUs(duration);
    const bucket = usIndex(us);
    this.total.record(us, bucket);
    this.dimensions.finish({ line }, bucket, status);

    const r = this.routeAcc(line);
    this.frontDoor.appFinish(line, r.method, r.route, r.matched);
    r.count++;
    bump(r.statuses, status);
    r.hist.record(us, bucket);
    r.durationSum.add(duration);
    r.dbMsSum.add(dbMs);
    r.poolWaitMsSum.add(poolWait);
    r.dbQueriesSum.add(dbQueries);
    if (r.examples.length < this.examples) r.examples.push(id);

    const b = this.bins.at(line.time);
    b.requests++;
    if (status >= 500) b.errors5xx++;
    else if (status >= 400) b.errors4xx++;
    b.durationSum.add(duration);
    b.dbMsSum.add(dbMs);
    b.poolWaitMsSum.add(poolWait);
    b.hist.record(us, bucket);

    const pending = this.pendingErrors.size > 0 ? this.pendingErrors.get(id) : undefined;
    if (pending !== undefined) this.pendingErrors.delete(id);
    if (status >= 400) {
      const c = this.cluster(r.method, r.route, status, id);
      // a finish line may carry its own error (pino-http's "request errored" lines: one line per request)
      const template = pending?.template ?? templateOf(errorMessage(line, false));
      if (template !== undefined) this.addMessage(c, template);
      if (pending === undefined && this.options.laterRange) this.noteErrorFinish(id, `${r.method} ${r.route} ${status}`, template);
    }
    const path = line[F.path] as string;
    const segment = suspiciousSegment(path);
    if (segment !== undefined) this.suspiciousPath(r.method === '*' ? (line[F.method] as string) : r.method, path, status, id);
  }

  private noteErrorFinish(id: string, cluster: string, template: string | undefined): void {
    if (this.seen.has(`s\u0000${id}`)) return;
    if (this.errorFinishes.size >= LIMITS.pendingErrors) this.errorFinishesOverflow++;
    else this.errorFinishes.set(id, { cluster, ...(template !== undefined ? { template } : {}) });
  }

  private cluster(method: string, route: string, status: number, id?: string): ClusterAcc {
    const key = `${method} ${route} ${status}`;
    let c = this.clusters.get(key);
    if (c === undefined) {
      c = { method, route, status, count: 0, examples: [], messages: new Map(), untracked: 0 };
      this.clusters.set(key, c);
    }
    if (id !== undefined) {
      c.count++;
      if (c.examples.length < this.examples) c.examples.push(id);
    }
    return c;
  }

  /** Counted per raw path (bounded); the finishing layer groups them by collapsed path. */
  private suspiciousPath(method: string, path: string, status: number, id: string): void {
    const key = `${method} ${path}`;
    let s = this.suspicious.get(key);
    if (s === undefined) {
      if (this.suspicious.size >= LIMITS.suspiciousPaths) {
        this.overflow.suspiciousPaths++;
        return;
      }
      s = { method, path, count: 0, statuses: new Map(), examples: [] };
      this.suspicious.set(key, s);
    }
    s.count++;
    bump(s.statuses, status);
    if (s.examples.length < this.examples) s.examples.push(id);
  }

  private abort(line: LogLine): void {
    const id = line[F.requestId] as string;
    if (!this.firstOf('a', id)) return;
    this.frontDoor.appStart(line, true);
    this.open.delete(id);
    this.totals.aborts++;
    this.dimensions.abort({ line });
    this.routeAcc(line).aborts++;
    this.bins.at(line.time).aborts++;
  }

  /**
   * request.error lines come before their request.finish: the message waits (by request id) for the finish, so it
   * lands in the cluster of the status actually sent. Errors with no finish use their own method/route/status.
   */
  private error(line: LogLine): void {
    const id = line[F.requestId] as string;
    if (!this.firstOf('e', id)) return;
    this.open.delete(id);
    const message = errorMessage(line, true);
    if (message === undefined) return;
    const template = messageTemplate(message);
    if (!this.hasFinished(id) && this.pendingErrors.size < LIMITS.pendingErrors) {
      this.pendingErrors.set(id, { template, line });
      if (this.pendingErrors.size > this.peaks.pendingErrors) this.peaks.pendingErrors = this.pendingErrors.size;
      return;
    }
    this.errorWithoutFinish(template, line);
  }

  private errorWithoutFinish(template: string, line: LogLine): void {
    const k = this.routeKey(line);
    const route = this.routes.has(`${k.method} ${k.route}`) || this.routes.size < LIMITS.routes ? k : { method: '*', route: OTHER_ROUTE };
    const status = typeof line[F.status] === 'number' ? (line[F.status] as number) : 500;
    this.addMessage(this.cluster(route.method, route.route, status), template);
  }

  private addMessage(c: ClusterAcc, template: string): void {
    if (c.messages.has(template) || c.messages.size < LIMITS.messagesTracked) bump(c.messages, template);
    else c.untracked++;
  }

  /**
   * This aggregator's whole state, as plain data for a structured-clone transfer from a worker thread (the
   * transferables() of it move instead of copying). The aggregator is spent afterwards.
   */
  snapshot(): AggregatorSnapshot {
    const hist = <T extends { hist: DurationCounts }>(acc: T) => ({ ...acc, hist: acc.hist.state() });
    return {
      input: this.input,
      peaks: this.peaks,
      overflow: this.overflow,
      processes: this.processTracker.snapshot(),
      processOverflow: this.processTracker.overflow,
      runLines: this.runLines,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      services: [...this.services],
      workers: this.workers,
      finished: this.finished.table53,
      seen: this.seen.table53,
      open: this.open,
      pendingErrors: this.pendingErrors,
      errorFinishes: this.errorFinishes,
      errorFinishesOverflow: this.errorFinishesOverflow,
      routes: new Map([...this.routes].map(([key, r]) => [key, hist(r)])),
      clusters: this.clusters,
      suspicious: this.suspicious,
      total: this.total.state(),
      dimensions: this.dimensions.counts(),
      bins: { binMs: this.bins.binMs, entries: this.bins.entries().map(([start, b]) => [start, hist(b)]) },
      context: { binMs: this.context.binMs, entries: this.context.entries() },
      totals: this.totals,
    };
  }

  /**
   * Adds the snapshot() of the part of the input that comes right after the lines pushed here, so that counts() is
   * what one pass over both parts gives. Returns false — and the aggregator must be dropped — when the two parts
   * interact in a way only one pass in input order can count the same: ALB lines (the join depends on arrival
   * order), a request line also in the other part (de-duplication), an error line here whose finish is there
   * (its message goes to that finish's cluster), or a capped table full (which entries a cap keeps is order).
   * `last`: no part follows and nothing is pushed afterwards, so the later part's request ids (read above to tell
   * duplicates) are not kept. Otherwise its id tables join this part's sets as they are (adoptDisjoint), never
   * copied in — at a million requests that copy was the main thread's largest allocation (a 16 MB table, 24 MB
   * while it grew).
   */
  absorb(later: AggregatorSnapshot, last = false): boolean {
    if (this.options.albFirst || this.options.knownIds || this.input.formats?.alb || later.input.formats?.alb) return false;
    const capped = (o: typeof this.overflow) => o.routes > 0 || o.suspiciousPaths > 0 || o.openRequests > 0;
    if (capped(this.overflow) || capped(later.overflow)) return false;
    if (this.open.size + later.peaks.open >= LIMITS.openRequests) return false;
    if (this.pendingErrors.size + later.peaks.pendingErrors >= LIMITS.pendingErrors) return false;
    const laterFinished = HashedIdSet.fromTable(later.finished);
    const laterSeen = HashedIdSet.fromTable(later.seen);
    if (this.finished.overlap(later.finished) > 0 || this.seen.overlap(later.seen) > 0) return false;

    this.absorbInput(later.input);
    this.processTracker.absorb(later.processes);
    this.processTracker.overflow += later.processOverflow;
    this.runLines += later.runLines;
    this.firstTime = Math.min(this.firstTime, later.firstTime);
    this.lastTime = Math.max(this.lastTime, later.lastTime);
    for (const service of later.services) if (this.services.size < LIMITS.services) this.services.add(service);
    for (const [host, pids] of later.workers) {
      let mine = this.workers.get(host);
      if (mine === undefined) {
        if (this.workerCount >= LIMITS.workers) continue;
        this.workers.set(host, (mine = new Map()));
      }
      for (const [key, p] of pids) {
        if (mine.has(key) || this.workerCount >= LIMITS.workers) continue;
        mine.set(key, p);
        this.workerCount++;
      }
    }
    // requests started here and ended there; started there after they finished here (out-of-order input)
    for (const id of this.open.keys()) {
      if (laterFinished.has(id) || laterSeen.has(`a\u0000${id}`) || laterSeen.has(`e\u0000${id}`)) this.open.delete(id);
    }
    for (const [id, o] of later.open) if (!this.finished.has(id)) this.open.set(id, o);

    const examples = (into: string[], from: string[]) => {
      for (const id of from) if (into.length < this.examples) into.push(id);
    };
    for (const [key, r] of later.routes) {
      const mine = this.routes.get(key);
      if (mine === undefined) {
        this.routes.set(key, {
          ...r,
          hist: DurationCounts.of(r.hist),
          durationSum: Sum.of(r.durationSum),
          dbMsSum: Sum.of(r.dbMsSum),
          poolWaitMsSum: Sum.of(r.poolWaitMsSum),
          dbQueriesSum: Sum.of(r.dbQueriesSum),
        });
        continue;
      }
      mine.count += r.count;
      for (const [status, n] of r.statuses) bump(mine.statuses, status, n);
      mine.hist.add(r.hist);
      mine.durationSum.absorb(r.durationSum);
      mine.dbMsSum.absorb(r.dbMsSum);
      mine.poolWaitMsSum.absorb(r.poolWaitMsSum);
      mine.dbQueriesSum.absorb(r.dbQueriesSum);
      mine.aborts += r.aborts;
      examples(mine.examples, r.examples);
    }
    // a full route table sends errors without a finish to "(other)" in one pass (errorWithoutFinish)
    if (this.routes.size >= LIMITS.routes) return false;
    for (const [key, c] of later.clusters) {
      const mine = this.clusters.get(key);
      if (mine === undefined) {
        this.clusters.set(key, c);
        continue;
      }
      mine.count += c.count;
      examples(mine.examples, c.examples);
      for (const [template, n] of c.messages) bump(mine.messages, template, n);
      mine.untracked += c.untracked;
    }
    // an error line here whose finish is there: one pass files the error's message, not the finish's own, under
    // the status the finish sent (none below 400)
    for (const [id, p] of this.pendingErrors) {
      if (!laterFinished.has(id)) continue;
      const f = later.errorFinishes.get(id);
      if (f !== undefined) {
        const c = this.clusters.get(f.cluster)!;
        if (f.template !== undefined) {
          const n = (c.messages.get(f.template) ?? 0) - 1;
          if (n > 0) c.messages.set(f.template, n);
          else c.messages.delete(f.template);
        }
        this.addMessage(c, p.template);
      } else if (later.errorFinishesOverflow > 0 || laterSeen.has(`s\u0000${id}`)) {
        return false;
      }
      this.pendingErrors.delete(id);
    }
    // an error line there whose request finished here: one pass files its message as soon as it reads it
    for (const [id, p] of later.pendingErrors) {
      if (this.finished.has(id)) this.errorWithoutFinish(p.template, p.line);
      else this.pendingErrors.set(id, p);
    }
    for (const c of this.clusters.values()) if (c.untracked > 0 || c.messages.size > LIMITS.messagesTracked) return false;
    for (const [key, sp] of later.suspicious) {
      const mine = this.suspicious.get(key);
      if (mine === undefined) {
        if (this.suspicious.size >= LIMITS.suspiciousPaths) return false;
        this.suspicious.set(key, sp);
        continue;
      }
      mine.count += sp.count;
      for (const [status, n] of sp.statuses) bump(mine.statuses, status, n);
      examples(mine.examples, sp.examples);
    }
    if (!last) {
      // disjoint (checked above): kept as they came, not copied in
      this.finished.adoptDisjoint(laterFinished);
      this.seen.adoptDisjoint(laterSeen);
    }
    this.total.add(later.total);
    if (!this.dimensions.absorb(later.dimensions)) return false;
    this.bins.absorb(later.bins.entries.map(([start, b]) => [start, { ...b, hist: DurationCounts.of(b.hist) }]), later.bins.binMs);
    this.context.absorb(later.context.entries, later.context.binMs);
    const t = this.totals;
    const lt = later.totals;
    t.requests += lt.requests;
    t.aborts += lt.aborts;
    t.errors4xx += lt.errors4xx;
    t.errors5xx += lt.errors5xx;
    t.dbQueries.absorb(lt.dbQueries);
    t.poolTimeouts += lt.poolTimeouts;
    t.dbMsSum.absorb(lt.dbMsSum);
    t.poolWaitMsSum.absorb(lt.poolWaitMsSum);
    t.durationSum.absorb(lt.durationSum);
    return true;
  }

  /** Line counts add up; formats keep the order they were first read in, as in one pass. */
  private absorbInput(later: InputAccounting): void {
    const i = this.input;
    i.totalLines += later.totalLines;
    i.parsed += later.parsed;
    i.malformed += later.malformed;
    i.oversized += later.oversized;
    i.foreign += later.foreign;
    i.otherRuns += later.otherRuns;
    i.duplicates += later.duplicates;
    if (later.outsideTimeRange !== undefined) i.outsideTimeRange = (i.outsideTimeRange ?? 0) + later.outsideTimeRange;
    if (later.formats) {
      const formats = (i.formats ??= {});
      for (const [format, n] of Object.entries(later.formats)) formats[format] = (formats[format] ?? 0) + n;
    }
    if (later.warnings?.length) (i.warnings ??= []).push(...later.warnings);
  }

  /** The run's raw counts, for the finishing layer (finish.ts). Call once, after the last push(). */
  counts(): RawCounts {
    const hasLines = this.runLines > 0;
    const firstTime = hasLines ? this.firstTime : 0;
    const lastTime = hasLines ? this.lastTime : 0;
    for (const { template, line } of this.pendingErrors.values()) this.errorWithoutFinish(template, line);
    this.pendingErrors.clear();

    // unfinished: starts still open at the end of the input
    const unfinished = new Map<string, RawUnfinished>();
    for (const [id, o] of this.open) {
      const path = collapsePath(o.path);
      let u = unfinished.get(`${o.method} ${path}`);
      if (u === undefined) unfinished.set(`${o.method} ${path}`, (u = { method: o.method, path, count: 0, examples: [] }));
      u.count++;
      if (u.examples.length < this.examples) u.examples.push(id);
      this.bins.at(o.time).unfinished++;
    }
    // The timeline spans every line of the run, not only the request lines that filled the bins: widen the bins
    // over that span first so they coarsen to at most their bound (one app line a day away from the requests
    // would otherwise mean 86,400 one-second bins, and a time in seconds instead of ms millions).
    if (hasLines) {
      this.bins.at(firstTime);
      this.bins.at(lastTime);
    }

    const bins: RawBin[] = this.bins.entries().map(([start, b]) => ({
      start,
      requests: b.requests,
      errors5xx: b.errors5xx,
      errors4xx: b.errors4xx,
      aborts: b.aborts,
      unfinished: b.unfinished,
      durationSum: b.durationSum.value,
      dbMsSum: b.dbMsSum.value,
      poolWaitMsSum: b.poolWaitMsSum.value,
      latency: { count: b.requests, durationSum: b.durationSum.value, max: b.hist.totalCount ? b.hist.maxValue / 1000 : 0, hist: b.hist.toHistogram() },
    }));
    // process-wide lines of the run's time range: the run's runtime summary, and runtime-only bins the finishing
    // layer merges into the request bins of the same start
    const run = newContext();
    for (const [start, c] of this.context.entries()) {
      if (!hasLines || start + this.context.binMs <= firstTime || start > lastTime) continue;
      mergeContext(run, c);
      if (c.samples > 0) {
        bins.push({
          start: Math.max(start, firstTime),
          requests: 0, errors5xx: 0, errors4xx: 0, aborts: 0, durationSum: 0, dbMsSum: 0, poolWaitMsSum: 0,
          latency: emptyLatency(),
          runtime: { elDelayP99Ms: c.elP99Max, elDelayMaxMs: c.elMaxMax, elu: c.eluMax, inFlightMax: c.inFlightMax, poolWaitingMax: c.poolWaitingMax },
        });
      }
    }
    this.input.droppedBySinks = run.dropped;

    const routes: RawRoute[] = [...this.routes.values()].map((r) => ({
      method: r.method,
      route: r.route,
      matched: r.matched,
      latency: { count: r.count, durationSum: r.durationSum.value, max: r.hist.totalCount ? r.hist.maxValue / 1000 : 0, hist: r.hist.toHistogram() },
      statuses: statusRecord(r.statuses),
      dbMsSum: r.dbMsSum.value,
      poolWaitMsSum: r.poolWaitMsSum.value,
      dbQueriesSum: r.dbQueriesSum.value,
      aborts: r.aborts,
      examples: r.examples,
    }));

    const suspicious: RawSuspicious[] = [...this.suspicious.values()].map((s) => ({
      method: s.method,
      path: s.path,
      count: s.count,
      statuses: statusRecord(s.statuses),
      examples: s.examples,
    }));

    const clusters: RawCluster[] = [...this.clusters.values()].map((c) => ({
      method: c.method,
      route: c.route,
      status: c.status,
      count: c.count,
      examples: c.examples,
      messages: c.messages,
      untrackedMessages: c.untracked,
    }));

    let runtime: RuntimeSummary | undefined;
    if (run.samples > 0) {
      runtime = {
        samples: run.samples,
        elDelayP99MsMax: run.elP99Max,
        elDelayP99MsMean: run.elP99Sum.value / run.samples,
        eluMean: run.eluSum.value / run.samples,
        eluMax: run.eluMax,
        heapUsedMbMax: run.heapMax,
        poolWaitingMax: run.poolWaitingMax,
        poolTotalMax: run.poolTotalMax,
        ...(run.poolMaxMax > 0 ? { poolMax: run.poolMaxMax } : {}),
      };
    }

    const t = this.totals;
    const services = [...this.services].sort();
    const processes: RawProcess[] = [];
    for (const byKey of this.workers.values()) processes.push(...byKey.values());
    const counts: RawCounts = {
      runId: this.options.runId ?? '',
      source: this.options.source,
      hasLines,
      firstTime,
      lastTime,
      binMs: this.bins.binMs,
      services,
      processes,
      totals: {
        latency: { count: t.requests, durationSum: t.durationSum.value, max: this.total.totalCount ? this.total.maxValue / 1000 : 0, hist: this.total.toHistogram() },
        aborts: t.aborts,
        errors4xx: t.errors4xx,
        errors5xx: t.errors5xx,
        dbQueries: t.dbQueries.value,
        poolTimeouts: t.poolTimeouts + run.poolTimeouts,
        dbMsSum: t.dbMsSum.value,
        poolWaitMsSum: t.poolWaitMsSum.value,
      },
      routes,
      bins,
      clusters,
      suspicious,
      unfinished: [...unfinished.values()],
      input: this.input,
      evidence: this.options.evidence?.({ runId: this.options.runId, since: firstTime, until: lastTime }) ?? {},
      lifecycles: this.processTracker.summaries(),
      dimensions: this.dimensions.counts(),
    };
    if (runtime) counts.runtime = runtime;
    const frontDoor = hasLines ? this.frontDoor.result(firstTime, lastTime) : undefined;
    if (frontDoor) counts.frontDoor = frontDoor;
    if (this.overflow.routes || this.overflow.suspiciousPaths || this.overflow.openRequests) counts.overflow = { ...this.overflow };
    return counts;
  }

  /** counts() finished (the NDJSON source's whole result). */
  result(): RunAggregate {
    return finishAggregate(this.counts(), { examples: this.examples });
  }
}
