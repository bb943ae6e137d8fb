/**
 * The streaming aggregator behind the local source: push() every parsed logjam line of the input, result() once.
 * Memory is bounded by the shape of the run, not its length: HDR histograms per route and per time bin, capped
 * route/suspicious-path tables, a compact hash set of finished request ids (16 bytes per request, see hash-set.ts)
 * and a map of requests currently open (start seen, no finish yet — normally the in-flight requests only).
 */
import { ProcessTracker } from './processes.js';
import type { Histogram } from 'hdr-histogram-js';
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';
import type {
  InputAccounting,
  LatencySummary,
  RouteStats,
  RunAggregate,
  RuntimeSummary,
  StatusCluster,
  SuspiciousPath,
  TimeBin,
} from '../model.js';
import { buildQueries } from '../queries.js';
import { AdaptiveBins } from './bins.js';
import { HashedIdSet } from './hash-set.js';
import { createHistogram, recordMs, summarize } from './histogram.js';
import { messageTemplate } from './message-template.js';
import { collapsePath, suspiciousSegment } from './paths.js';

export type LogLine = Record<string, unknown> & { time: number };

export const LIMITS = {
  routes: 500,
  suspiciousPaths: 200,
  /** requests open at once (start without finish yet); more are not tracked, and counted in overflow */
  openRequests: 200_000,
  messagesPerCluster: 10,
  /** request.error lines waiting for their request.finish */
  pendingErrors: 10_000,
  workers: 10_000,
  services: 100,
} as const;

export const OTHER_ROUTE = '(other)';
const EMPTY_LATENCY: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
const OTHER_MESSAGES = '(other messages)';

export interface AggregatorOptions {
  runId: string;
  source: string;
  examples?: number;
  since?: number;
  until?: number;
}

interface RouteAcc {
  method: string;
  route: string;
  matched: boolean;
  count: number;
  statuses: Map<number, number>;
  hist: Histogram;
  durationSum: number;
  dbMsSum: number;
  poolWaitMsSum: number;
  dbQueriesSum: number;
  aborts: number;
  examples: string[];
}

interface BinAcc {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  aborts: number;
  unfinished: number;
  durationSum: number;
  dbMsSum: number;
  poolWaitMsSum: number;
  hist: Histogram;
}

/** Process-wide lines (no run id): kept per time bucket, scoped to the run's time range at the end. */
interface ContextAcc {
  samples: number;
  eluSum: number;
  eluMax: number;
  elP99Sum: number;
  elP99Max: number;
  elMaxMax: number;
  heapMax: number;
  inFlightMax: number;
  poolWaitingMax: number;
  poolTotalMax: number;
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
}

interface SuspiciousAcc {
  method: string;
  path: string;
  template: string;
  segment: string;
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

function newBin(): BinAcc {
  return {
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    aborts: 0,
    unfinished: 0,
    durationSum: 0,
    dbMsSum: 0,
    poolWaitMsSum: 0,
    hist: createHistogram(),
  };
}

function mergeBin(into: BinAcc, from: BinAcc): void {
  into.requests += from.requests;
  into.errors5xx += from.errors5xx;
  into.errors4xx += from.errors4xx;
  into.aborts += from.aborts;
  into.unfinished += from.unfinished;
  into.durationSum += from.durationSum;
  into.dbMsSum += from.dbMsSum;
  into.poolWaitMsSum += from.poolWaitMsSum;
  into.hist.add(from.hist);
  from.hist.destroy();
}

function newContext(): ContextAcc {
  return {
    samples: 0,
    eluSum: 0,
    eluMax: 0,
    elP99Sum: 0,
    elP99Max: 0,
    elMaxMax: 0,
    heapMax: 0,
    inFlightMax: 0,
    poolWaitingMax: 0,
    poolTotalMax: 0,
    dropped: 0,
    poolTimeouts: 0,
  };
}

function mergeContext(a: ContextAcc, b: ContextAcc): void {
  a.samples += b.samples;
  a.eluSum += b.eluSum;
  a.eluMax = Math.max(a.eluMax, b.eluMax);
  a.elP99Sum += b.elP99Sum;
  a.elP99Max = Math.max(a.elP99Max, b.elP99Max);
  a.elMaxMax = Math.max(a.elMaxMax, b.elMaxMax);
  a.heapMax = Math.max(a.heapMax, b.heapMax);
  a.inFlightMax = Math.max(a.inFlightMax, b.inFlightMax);
  a.poolWaitingMax = Math.max(a.poolWaitingMax, b.poolWaitingMax);
  a.poolTotalMax = Math.max(a.poolTotalMax, b.poolTotalMax);
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

export class RunAggregator {
  readonly input: InputAccounting = emptyAccounting();
  private readonly processTracker = new ProcessTracker();
  private readonly examples: number;
  private runLines = 0;
  private firstTime = Infinity;
  private lastTime = -Infinity;
  private readonly services = new Set<string>();
  private readonly workers = new Map<string, Set<number | string>>();
  private workerCount = 0;
  private readonly finished = new HashedIdSet(4096);
  private readonly open = new Map<string, OpenRequest>();
  private readonly pendingErrors = new Map<string, { template: string; line: LogLine }>();
  private readonly routes = new Map<string, RouteAcc>();
  private readonly clusters = new Map<string, ClusterAcc>();
  private readonly suspicious = new Map<string, SuspiciousAcc>();
  private readonly total = createHistogram();
  private readonly bins = new AdaptiveBins<BinAcc>(newBin, mergeBin);
  // Wide: process-wide lines span the whole input, which may be longer than the run.
  private readonly context = new AdaptiveBins<ContextAcc>(newContext, mergeContext, 1000, 20_000);
  private readonly overflow = { routes: 0, suspiciousPaths: 0, openRequests: 0 };
  private totals = {
    requests: 0,
    aborts: 0,
    errors4xx: 0,
    errors5xx: 0,
    dbQueries: 0,
    poolTimeouts: 0,
    dbMsSum: 0,
    poolWaitMsSum: 0,
    durationSum: 0,
  };

  constructor(private readonly options: AggregatorOptions) {
    this.examples = options.examples ?? 3;
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
    // per-process lifecycle (aggregate/processes.ts): every line in range, of any run, by host + pid
    this.processTracker.push(line, line[F.runId] === this.options.runId);
    const runId = line[F.runId];
    const event = line[F.event];
    if (runId === undefined) {
      if (line[F.requestId] !== undefined) {
        // a request that carried no run id (health checks, manual calls): not part of any run
        this.input.otherRuns++;
        return;
      }
      this.input.parsed++;
      this.pushContext(line, event);
      return;
    }
    if (runId !== this.options.runId) {
      this.input.otherRuns++;
      return;
    }
    this.input.parsed++;
    this.runLines++;
    if (time < this.firstTime) this.firstTime = time;
    if (time > this.lastTime) this.lastTime = time;
    const service = str(line[F.service]);
    if (service !== undefined && this.services.size < LIMITS.services) this.services.add(service);
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
      pids = new Set();
      this.workers.set(host, pids);
    }
    const pid = line[F.pid];
    const worker = line[F.worker] ?? -1;
    const key: number | string =
      typeof pid === 'number' && typeof worker === 'number' ? pid * 65_536 + worker : `${String(pid)}/${String(worker)}`;
    if (!pids.has(key) && this.workerCount < LIMITS.workers) {
      pids.add(key);
      this.workerCount++;
    }
  }

  private pushContext(line: LogLine, event: unknown): void {
    if (event === EVENTS.runtimeStats) {
      const c = this.context.at(line.time);
      const elu = num(line[F.elu]);
      const p99 = num(line[F.elDelayP99Ms]);
      c.samples++;
      c.eluSum += elu;
      c.eluMax = Math.max(c.eluMax, elu);
      c.elP99Sum += p99;
      c.elP99Max = Math.max(c.elP99Max, p99);
      c.elMaxMax = Math.max(c.elMaxMax, num(line[F.elDelayMaxMs]));
      c.heapMax = Math.max(c.heapMax, num(line[F.heapUsedMb]));
      c.inFlightMax = Math.max(c.inFlightMax, num(line[F.inFlight]));
      c.poolWaitingMax = Math.max(c.poolWaitingMax, num(line[F.poolWaiting]));
      c.poolTotalMax = Math.max(c.poolTotalMax, num(line[F.poolTotal]));
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
      hist: createHistogram(),
      durationSum: 0,
      dbMsSum: 0,
      poolWaitMsSum: 0,
      dbQueriesSum: 0,
      aborts: 0,
      examples: [],
    };
  }

  private start(line: LogLine): void {
    const id = line[F.requestId] as string;
    if (this.finished.has(id)) return; // finish logged first (out-of-order input)
    if (this.open.size >= LIMITS.openRequests) {
      this.overflow.openRequests++;
      return;
    }
    this.open.set(id, { method: str(line[F.method]) ?? '?', path: str(line[F.path]) ?? '/', time: line.time });
  }

  private finish(line: LogLine): void {
    const id = line[F.requestId] as string;
    this.open.delete(id);
    if (!this.finished.add(id)) {
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
    t.durationSum += duration;
    t.dbMsSum += dbMs;
    t.poolWaitMsSum += poolWait;
    t.dbQueries += dbQueries;
    if (status >= 500) t.errors5xx++;
    else if (status >= 400) t.errors4xx++;
    recordMs(this.total, duration);

    const r = this.routeAcc(line);
    r.count++;
    bump(r.statuses, status);
    recordMs(r.hist, duration);
    r.durationSum += duration;
    r.dbMsSum += dbMs;
    r.poolWaitMsSum += poolWait;
    r.dbQueriesSum += dbQueries;
    if (r.examples.length < this.examples) r.examples.push(id);

    const b = this.bins.at(line.time);
    b.requests++;
    if (status >= 500) b.errors5xx++;
    else if (status >= 400) b.errors4xx++;
    b.durationSum += duration;
    b.dbMsSum += dbMs;
    b.poolWaitMsSum += poolWait;
    recordMs(b.hist, duration);

    const pending = this.pendingErrors.get(id);
    if (pending !== undefined) this.pendingErrors.delete(id);
    if (status >= 400) {
      const c = this.cluster(r.method, r.route, status, id);
      if (pending !== undefined) this.addMessage(c, pending.template);
    }
    const path = line[F.path] as string;
    const segment = suspiciousSegment(path);
    if (segment !== undefined) this.suspiciousPath(r.method === '*' ? (line[F.method] as string) : r.method, path, segment, status, id);
  }

  private cluster(method: string, route: string, status: number, id?: string): ClusterAcc {
    const key = `${method} ${route} ${status}`;
    let c = this.clusters.get(key);
    if (c === undefined) {
      c = { method, route, status, count: 0, examples: [], messages: new Map() };
      this.clusters.set(key, c);
    }
    if (id !== undefined) {
      c.count++;
      if (c.examples.length < this.examples) c.examples.push(id);
    }
    return c;
  }

  private suspiciousPath(method: string, path: string, segment: string, status: number, id: string): void {
    const template = collapsePath(path);
    const key = `${method} ${template}`;
    let s = this.suspicious.get(key);
    if (s === undefined) {
      if (this.suspicious.size >= LIMITS.suspiciousPaths) {
        this.overflow.suspiciousPaths++;
        return;
      }
      s = { method, path, template, segment, count: 0, statuses: new Map(), examples: [] };
      this.suspicious.set(key, s);
    }
    s.count++;
    bump(s.statuses, status);
    if (s.examples.length < this.examples) s.examples.push(id);
  }

  private abort(line: LogLine): void {
    const id = line[F.requestId] as string;
    this.open.delete(id);
    this.totals.aborts++;
    this.routeAcc(line).aborts++;
    this.bins.at(line.time).aborts++;
  }

  /**
   * request.error lines come before their request.finish: the message waits (by request id) for the finish, so it
   * lands in the cluster of the status actually sent. Errors with no finish use their own method/route/status.
   */
  private error(line: LogLine): void {
    const id = line[F.requestId] as string;
    this.open.delete(id);
    const err = line[F.err];
    const message =
      typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
        ? (err as { message: string }).message
        : str(line[F.msg]);
    if (message === undefined) return;
    const template = messageTemplate(message);
    if (!this.finished.has(id) && this.pendingErrors.size < LIMITS.pendingErrors) {
      this.pendingErrors.set(id, { template, line });
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
    if (c.messages.has(template) || c.messages.size < LIMITS.messagesPerCluster) bump(c.messages, template);
    else bump(c.messages, OTHER_MESSAGES);
  }

  result(): RunAggregate {
    const hasLines = this.runLines > 0;
    const firstTime = hasLines ? this.firstTime : 0;
    const lastTime = hasLines ? this.lastTime : 0;
    for (const { template, line } of this.pendingErrors.values()) this.errorWithoutFinish(template, line);
    this.pendingErrors.clear();

    // unfinished: starts still open at the end of the input
    const unfinishedRoutes = new Map<string, { method: string; route: string; count: number; exampleRequestIds: string[] }>();
    for (const [id, o] of this.open) {
      const route = collapsePath(o.path);
      const key = `${o.method} ${route}`;
      let u = unfinishedRoutes.get(key);
      if (u === undefined) {
        u = { method: o.method, route, count: 0, exampleRequestIds: [] };
        unfinishedRoutes.set(key, u);
      }
      u.count++;
      if (u.exampleRequestIds.length < this.examples) u.exampleRequestIds.push(id);
      this.bins.at(o.time).unfinished++;
    }
    // The timeline spans every line of the run, not only the request lines that filled the bins: widen the bins
    // over that span first so they coarsen to at most their bound (one app line a day away from the requests
    // would otherwise mean 86,400 one-second bins, and a time in seconds instead of ms millions).
    if (hasLines) {
      this.bins.at(firstTime);
      this.bins.at(lastTime);
    }
    const binMs = this.bins.binMs;

    const contextBins = this.context.entries().filter(([start]) => hasLines && start + this.context.binMs > firstTime && start <= lastTime);
    const binContext = new Map<number, ContextAcc>();
    const run = newContext();
    for (const [start, c] of contextBins) {
      mergeContext(run, c);
      const key = Math.floor(Math.max(start, firstTime) / binMs) * binMs;
      const into = binContext.get(key);
      if (into === undefined) {
        const copy = newContext();
        mergeContext(copy, c);
        binContext.set(key, copy);
      } else mergeContext(into, c);
    }
    this.input.droppedBySinks = run.dropped;

    const bins: TimeBin[] = [];
    const entries = new Map(this.bins.entries());
    if (hasLines) {
      for (let start = Math.floor(firstTime / binMs) * binMs; start <= lastTime; start += binMs) {
        const b = entries.get(start);
        const lat: LatencySummary = b ? summarize(b.hist, b.requests ? b.durationSum / b.requests : 0) : EMPTY_LATENCY;
        const bin: TimeBin = {
          start,
          requests: b?.requests ?? 0,
          errors5xx: b?.errors5xx ?? 0,
          errors4xx: b?.errors4xx ?? 0,
          aborts: b?.aborts ?? 0,
          latency: { mean: lat.mean, p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max },
          concurrency: b ? b.durationSum / binMs : 0,
          dbMsSum: b?.dbMsSum ?? 0,
          poolWaitMsSum: b?.poolWaitMsSum ?? 0,
        };
        if (b && b.unfinished > 0) bin.unfinished = b.unfinished;
        const c = binContext.get(start);
        if (c && c.samples > 0) {
          bin.elDelayP99Ms = c.elP99Max;
          bin.elDelayMaxMs = c.elMaxMax;
          bin.elu = c.eluMax;
          bin.inFlightMax = c.inFlightMax;
          bin.poolWaitingMax = c.poolWaitingMax;
        }
        bins.push(bin);
      }
    }

    const routes: RouteStats[] = [...this.routes.values()]
      .map((r) => ({
        method: r.method,
        route: r.route,
        matched: r.matched,
        count: r.count,
        statuses: statusRecord(r.statuses),
        latency: summarize(r.hist, r.count ? r.durationSum / r.count : 0),
        dbMsMean: r.count ? r.dbMsSum / r.count : 0,
        poolWaitMsMean: r.count ? r.poolWaitMsSum / r.count : 0,
        dbQueriesMean: r.count ? r.dbQueriesSum / r.count : 0,
        aborts: r.aborts,
        exampleRequestIds: r.examples,
      }))
      .sort((a, b) => b.count - a.count || b.aborts - a.aborts || a.route.localeCompare(b.route));

    const suspiciousPaths: SuspiciousPath[] = [...this.suspicious.values()]
      .map((s) => {
        const out: SuspiciousPath = {
          method: s.method,
          path: s.path,
          segment: s.segment,
          count: s.count,
          statuses: statusRecord(s.statuses),
          exampleRequestIds: s.examples,
        };
        if (s.template !== s.path) out.template = s.template;
        return out;
      })
      .sort((a, b) => b.count - a.count);

    const statusClusters: StatusCluster[] = [...this.clusters.values()]
      .filter((c) => c.count > 0)
      .map((c) => ({
        method: c.method,
        route: c.route,
        status: c.status,
        count: c.count,
        messages: [...c.messages.entries()].map(([template, count]) => ({ template, count })).sort((a, b) => b.count - a.count),
        exampleRequestIds: c.examples,
      }))
      .sort((a, b) => b.count - a.count);

    let runtime: RuntimeSummary | undefined;
    if (run.samples > 0) {
      runtime = {
        samples: run.samples,
        elDelayP99MsMax: run.elP99Max,
        elDelayP99MsMean: run.elP99Sum / run.samples,
        eluMean: run.eluSum / run.samples,
        eluMax: run.eluMax,
        heapUsedMbMax: run.heapMax,
        poolWaitingMax: run.poolWaitingMax,
        poolTotalMax: run.poolTotalMax,
      };
    }

    const t = this.totals;
    const services = [...this.services].sort();
    const aggregate: RunAggregate = {
      runId: this.options.runId,
      source: this.options.source,
      firstTime,
      lastTime,
      binMs,
      services,
      workers: this.workerCount,
      totals: {
        requests: t.requests,
        unfinished: this.open.size,
        aborts: t.aborts,
        errors4xx: t.errors4xx,
        errors5xx: t.errors5xx,
        dbQueries: t.dbQueries,
        poolTimeouts: t.poolTimeouts + run.poolTimeouts,
        latency: summarize(this.total, t.requests ? t.durationSum / t.requests : 0),
        dbMsMean: t.requests ? t.dbMsSum / t.requests : 0,
        poolWaitMsMean: t.requests ? t.poolWaitMsSum / t.requests : 0,
      },
      routes,
      bins,
      suspiciousPaths,
      statusClusters,
      input: this.input,
      processes: this.processTracker.summaries(),
      queries: buildQueries({ runId: this.options.runId, binMs, since: firstTime, until: lastTime, services }),
    };
    if (runtime) aggregate.runtime = runtime;
    if (unfinishedRoutes.size > 0) {
      aggregate.unfinishedByRoute = [...unfinishedRoutes.values()].sort((a, b) => b.count - a.count);
    }
    if (this.overflow.routes || this.overflow.suspiciousPaths || this.overflow.openRequests) {
      aggregate.overflow = { ...this.overflow };
    }
    return aggregate;
  }
}
