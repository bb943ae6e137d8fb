/**
 * The join with the front door: ALB access-log lines (alb-record.ts) against the run's request lines, by the
 * X-Amzn-Trace-Id the ALB added and the middleware logged (`amzn_trace_id`, `amzn_trace_self`). Streaming, one pass,
 * the two sides in any order (ALB files are often read before or after the app's):
 *
 *  - a line whose partner was already seen is joined at once and both are forgotten: the join keeps only lines
 *    still waiting for their partner, in a compact table (join-table.ts), at most LIMITS.pending of them (more are
 *    counted in `overflow`, never silently dropped);
 *  - request.start / request.abort lines of the run are kept as 16-byte hashes only (hash-set.ts), to tell a request
 *    the app never received from one it received and never finished;
 *  - per route: HDR histograms of request_processing_time and of "ALB total minus app duration" (bounded by the
 *    number of routes, not of requests).
 *
 * Armed: until the first ALB line (or from the start when the source reads ALB files first: --alb-logs), app lines
 * are not held at all — a service behind an ALB logs a trace id on every request, and analyzing it without ALB logs
 * must cost nothing. App finish lines read before the first ALB line are counted (`appBeforeAlb`), and the report
 * says the join missed them.
 *
 * ALB lines carry no run id: a line joined to the run's finish line is the run's; an ALB line nobody joined counts
 * for the run when its arrival falls in the run's time range widened by SLACK_MS (the ALB answers a request the app
 * never saw — a 503 while no target was healthy — with no app line near it). Everything else is `outsideRun`.
 */
import type { Histogram } from 'hdr-histogram-js';
import { FIELDS as F } from '../../middleware/schema.js';
import type {
  Distribution,
  FrontDoorAfterApp,
  FrontDoorFailure,
  FrontDoorRoute,
  FrontDoorSide,
  FrontDoorSummary,
} from '../model.js';
import { traceJoinKey, type AlbRecord } from './alb-record.js';
import { hash53, HashedIdSet } from './hash-set.js';
import { createHistogram, recordMs, summarize } from './histogram.js';
import { JoinTable } from './join-table.js';
import { collapsePath } from './paths.js';

export const FRONT_DOOR_LIMITS = {
  /** lines waiting for their partner (ALB lines before the app's, or the other way round) */
  pending: 1_000_000,
  /** routes with their own histograms; more fold into "(other)" */
  routes: 200,
  /** failure / after-app groups (route × status) */
  groups: 200,
  /** trace ids kept to show as examples of failures */
  exampleIds: 10_000,
} as const;

/** How far outside the run's first and last app line an unjoined ALB line still counts for the run. */
export const SLACK_MS = 60_000;

const OTHER = '(other)';
const ALB = 1;
const APP = 2;
/** targetStatus column: no target was chosen (target "-") / a target, and it sent no status */
const NO_TARGET = -1;
const NO_STATUS = 0;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface DistAcc {
  hist: Histogram;
  sum: number;
}
const newDist = (): DistAcc => ({ hist: createHistogram(), sum: 0 });
function add(d: DistAcc, ms: number): void {
  recordMs(d.hist, ms);
  d.sum += ms;
}
function finishDist(d: DistAcc): Distribution {
  const s = summarize(d.hist, d.hist.totalCount ? d.sum / d.hist.totalCount : 0);
  return { count: s.count, mean: s.mean, p50: s.p50, p95: s.p95, max: s.max };
}

interface RouteAcc {
  method: string;
  route: string;
  matched: boolean;
  joined: number;
  requestProcessing: DistAcc;
  beforeApp: DistAcc;
}

interface FailureAcc {
  method: string;
  route: string;
  elbStatus: number;
  targetStatus: number;
  count: number;
  appStarted: number;
  appAborted: number;
  noTargetResponse: number;
  requestProcessing: DistAcc;
  elapsed: DistAcc;
  firstTime: number;
  lastTime: number;
  examples: string[];
}

interface AfterAppAcc {
  method: string;
  route: string;
  elbStatus: number;
  appStatus: number;
  count: number;
  appDuration: DistAcc;
  examples: string[];
}

/** The ALB status answered for a request as a failure the client saw: any 4xx/5xx the ALB itself logged. */
const isFailure = (elbStatus: number) => elbStatus >= 400;
/** After the app finished, only these mean the front door lost the response (a 4xx the app sent is the app's). */
const lostAfterApp = (elbStatus: number, appStatus: number) => (elbStatus >= 500 || elbStatus === 460) && elbStatus !== appStatus;

/**
 * Which side a failure is on, from what the two logs say: 460 is the client hanging up first; a request the app
 * logged (start, or the abort the ALB's hang-up caused) and never finished is the app's; a request the app never
 * saw failed in front of it (no healthy target, connection refused or reset, the target's accept queue).
 */
export function failureSide(elbStatus: number, appStarted: boolean): FrontDoorSide {
  if (elbStatus === 460) return 'client';
  return appStarted ? 'app' : 'front-door';
}

export class FrontDoorJoin {
  private readonly table = new JoinTable(4096);
  private readonly started = new HashedIdSet(1024);
  private readonly aborted = new HashedIdSet(1024);
  private readonly traceRoots = new Map<number, string>();
  private readonly routes = new Map<string, number>();
  private readonly routeList: RouteAcc[] = [];
  /** the ALB's own route for lines not (yet) joined: method + collapsed path */
  private readonly albRoutes = new Map<string, number>();
  private readonly albRouteList: { method: string; route: string }[] = [];
  private readonly afterAppGroups = new Map<string, AfterAppAcc>();
  private readonly total = { requestProcessing: newDist(), beforeApp: newDist(), app: newDist() };
  private counts = { albSeen: 0, joined: 0, afterApp: 0, appWithoutTraceId: 0, appBeforeAlb: 0, noTraceId: 0, duplicates: 0, overflow: 0 };

  private armed: boolean;

  /**
   * `armed`: hold app lines from the first line on (the source reads ALB files first); else from the first ALB line.
   * `pendingLimit`: for tests of the cap (the default is FRONT_DOOR_LIMITS.pending).
   */
  constructor(
    private readonly examples = 3,
    options: { armed?: boolean; pendingLimit?: number } = {},
  ) {
    this.armed = options.armed ?? false;
    this.pendingLimit = options.pendingLimit ?? FRONT_DOOR_LIMITS.pending;
  }

  private readonly pendingLimit: number;

  /** ALB lines read (before scoping to the run): 0 means the input had none and the report has no section. */
  get albLines(): number {
    return this.counts.albSeen;
  }

  /** One ALB access-log line (already inside --since/--until). */
  alb(rec: AlbRecord): void {
    this.counts.albSeen++;
    this.armed = true;
    if (rec.traceKey === undefined) {
      this.counts.noTraceId++;
      return;
    }
    const h = hash53(rec.traceKey);
    const record = this.table.find(h);
    if (record !== -1) {
      if (this.table.kind(record) === ALB) {
        this.counts.duplicates++;
        return;
      }
      this.join(rec, record, rec.traceRoot);
      this.table.remove(h);
      return;
    }
    if (this.table.size >= this.pendingLimit) {
      this.counts.overflow++;
      return;
    }
    const r = this.table.insert(h, ALB);
    this.table.setInt(r, 0, this.albRoute(rec.method, rec.path));
    this.table.setInt(r, 1, rec.elbStatus ?? 0);
    this.table.setNum(r, 0, rec.requestProcessingMs);
    this.table.setNum(r, 1, rec.targetProcessingMs);
    this.table.setNum(r, 2, rec.responseProcessingMs);
    this.table.setNum(r, 3, rec.time);
    this.table.setNum(r, 4, rec.arrival ?? rec.time);
    this.table.setNum(r, 5, rec.hasTarget ? (rec.targetStatus ?? NO_STATUS) : NO_TARGET);
    if (rec.elbStatus !== undefined && isFailure(rec.elbStatus) && rec.traceRoot !== undefined && this.traceRoots.size < FRONT_DOOR_LIMITS.exampleIds) {
      this.traceRoots.set(h, rec.traceRoot);
    }
  }

  /** A request.finish line of the run (counted once), with the route the aggregator grouped it under. */
  appFinish(line: Record<string, unknown>, method: string, route: string, matched: boolean): void {
    const key = this.appKey(line);
    if (key === undefined) {
      this.counts.appWithoutTraceId++;
      return;
    }
    if (!this.armed) {
      this.counts.appBeforeAlb++;
      return;
    }
    const h = hash53(key);
    const routeIndex = this.routeIndex(method, route, matched);
    const status = line[F.status] as number;
    const duration = line[F.durationMs] as number;
    const record = this.table.find(h);
    if (record !== -1) {
      if (this.table.kind(record) === APP) {
        this.counts.duplicates++;
        return;
      }
      this.joinPendingAlb(h, record, routeIndex, status, duration, str(line[F.amznTraceId]));
      this.table.remove(h);
      return;
    }
    if (this.table.size >= this.pendingLimit) {
      this.counts.overflow++;
      return;
    }
    const r = this.table.insert(h, APP);
    this.table.setInt(r, 0, routeIndex);
    this.table.setInt(r, 1, status);
    this.table.setNum(r, 0, duration);
    this.table.setNum(r, 3, line.time as number);
  }

  /** A request.start (or request.abort) line of the run: the app received the request. */
  appStart(line: Record<string, unknown>, aborted = false): void {
    if (!this.armed) return;
    const key = this.appKey(line);
    if (key === undefined) return;
    (aborted ? this.aborted : this.started).add(key);
  }

  /** The summary, once the pass is over; `firstTime`/`lastTime`: the run's range (its app lines). */
  result(firstTime: number, lastTime: number): FrontDoorSummary | undefined {
    if (this.counts.albSeen === 0) return undefined;
    const failures = new Map<string, FailureAcc>();
    let failureCount = 0;
    let albOnly = 0;
    let appOnly = 0;
    let outsideRun = 0;
    const t = this.table;
    for (const [h, r] of t.entries()) {
      if (t.kind(r) === APP) {
        appOnly++;
        continue;
      }
      const arrival = t.num(r, 4);
      if (arrival < firstTime - SLACK_MS || arrival > lastTime + SLACK_MS) {
        outsideRun++;
        continue;
      }
      const elbStatus = t.int(r, 1);
      if (!isFailure(elbStatus)) {
        albOnly++;
        continue;
      }
      failureCount++;
      const albRoute = this.albRouteList[t.int(r, 0)]!;
      const targetStatus = t.num(r, 5);
      const gkey = `${albRoute.method} ${albRoute.route} ${elbStatus} ${targetStatus}`;
      let g = failures.get(gkey);
      if (g === undefined) {
        const folded = failures.size >= FRONT_DOOR_LIMITS.groups;
        const fkey = folded ? `* ${OTHER} ${elbStatus} ${targetStatus}` : gkey;
        g = failures.get(fkey);
        if (g === undefined) {
          g = {
            method: folded ? '*' : albRoute.method,
            route: folded ? OTHER : albRoute.route,
            elbStatus,
            targetStatus,
            count: 0,
            appStarted: 0,
            appAborted: 0,
            noTargetResponse: 0,
            requestProcessing: newDist(),
            elapsed: newDist(),
            firstTime: Infinity,
            lastTime: -Infinity,
            examples: [],
          };
          failures.set(fkey, g);
        }
      }
      g.count++;
      const abortedToo = this.aborted.hasHash(h);
      if (abortedToo) g.appAborted++;
      if (abortedToo || this.started.hasHash(h)) g.appStarted++;
      if (t.num(r, 1) === -1) g.noTargetResponse++;
      const rp = t.num(r, 0);
      if (rp >= 0) add(g.requestProcessing, rp);
      const time = t.num(r, 3);
      add(g.elapsed, Math.max(0, time - arrival));
      g.firstTime = Math.min(g.firstTime, time);
      g.lastTime = Math.max(g.lastTime, time);
      const root = this.traceRoots.get(h);
      if (root !== undefined && g.examples.length < this.examples) g.examples.push(root);
    }

    const failureGroups: FrontDoorFailure[] = [...failures.values()]
      .map((g) => {
        const f: FrontDoorFailure = {
          method: g.method,
          route: g.route,
          elbStatus: g.elbStatus,
          count: g.count,
          appStarted: g.appStarted,
          appAborted: g.appAborted,
          noTargetResponse: g.noTargetResponse,
          side: failureSide(g.elbStatus, g.appStarted * 2 > g.count),
          requestProcessingMs: finishDist(g.requestProcessing),
          albElapsedMs: finishDist(g.elapsed),
          firstTime: g.firstTime,
          lastTime: g.lastTime,
          exampleTraceIds: g.examples,
        };
        if (g.targetStatus > 0) f.targetStatus = g.targetStatus;
        return f;
      })
      .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.elbStatus - b.elbStatus);
    // failures per route: the ALB's collapsed path names the same template as the app's for unmatched routes only,
    // so a route row counts the failures whose method + route equal its own
    const failuresByRoute = new Map<string, number>();
    for (const f of failureGroups) failuresByRoute.set(`${f.method} ${f.route}`, (failuresByRoute.get(`${f.method} ${f.route}`) ?? 0) + f.count);

    const routes: FrontDoorRoute[] = this.routeList
      .filter((r) => r.joined > 0)
      .map((r) => ({
        method: r.method,
        route: r.route,
        matched: r.matched,
        joined: r.joined,
        requestProcessingMs: finishDist(r.requestProcessing),
        beforeAppMs: finishDist(r.beforeApp),
        failures: failuresByRoute.get(`${r.method} ${r.route}`) ?? 0,
      }))
      .sort((a, b) => b.joined - a.joined || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));

    const afterAppGroups: FrontDoorAfterApp[] = [...this.afterAppGroups.values()]
      .map((g) => ({
        method: g.method,
        route: g.route,
        elbStatus: g.elbStatus,
        appStatus: g.appStatus,
        count: g.count,
        appDurationMs: finishDist(g.appDuration),
        exampleTraceIds: g.examples,
      }))
      .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route) || a.elbStatus - b.elbStatus);

    const c = this.counts;
    return {
      albLines: c.joined + failureCount + albOnly,
      joined: c.joined,
      failures: failureCount,
      afterApp: c.afterApp,
      albOnly,
      appOnly,
      appWithoutTraceId: c.appWithoutTraceId,
      appBeforeAlb: c.appBeforeAlb,
      outsideRun,
      noTraceId: c.noTraceId,
      duplicates: c.duplicates,
      overflow: c.overflow,
      requestProcessingMs: finishDist(this.total.requestProcessing),
      beforeAppMs: finishDist(this.total.beforeApp),
      appMs: finishDist(this.total.app),
      routes,
      failureGroups,
      afterAppGroups,
    };
  }

  // -------------------------------------------------------------------------------------------------------------

  private appKey(line: Record<string, unknown>): string | undefined {
    const root = str(line[F.amznTraceId]);
    return root === undefined ? undefined : traceJoinKey(root, str(line[F.amznTraceSelf]));
  }

  /** the current line is the ALB's; the app's finish is waiting in `record` */
  private join(rec: AlbRecord, record: number, traceRoot: string | undefined): void {
    const t = this.table;
    this.pair(t.int(record, 0), t.int(record, 1), t.num(record, 0), rec.elbStatus ?? 0, rec.requestProcessingMs, rec.targetProcessingMs, rec.responseProcessingMs, traceRoot);
  }

  /** the current line is the app's finish; the ALB line is waiting in `record` */
  private joinPendingAlb(h: number, record: number, routeIndex: number, status: number, duration: number, traceRoot: string | undefined): void {
    const t = this.table;
    // the examples map holds failure candidates only: a joined line is no longer one
    this.traceRoots.delete(h);
    this.pair(routeIndex, status, duration, t.int(record, 1), t.num(record, 0), t.num(record, 1), t.num(record, 2), traceRoot);
  }

  private pair(
    routeIndex: number,
    appStatus: number,
    appDuration: number,
    elbStatus: number,
    requestProcessing: number,
    targetProcessing: number,
    responseProcessing: number,
    traceRoot: string | undefined,
  ): void {
    this.counts.joined++;
    const route = this.routeList[routeIndex]!;
    route.joined++;
    add(this.total.app, appDuration);
    if (requestProcessing >= 0) {
      add(route.requestProcessing, requestProcessing);
      add(this.total.requestProcessing, requestProcessing);
    }
    // -1 in any part: the ALB has no total for this request, so no "outside the app" time either
    if (requestProcessing >= 0 && targetProcessing >= 0 && responseProcessing >= 0) {
      // the ALB's target time ends at the response headers, the app's duration at the last byte: a streamed
      // response can make the difference negative; it is recorded as 0 (nothing measurable outside the app)
      const outside = Math.max(0, requestProcessing + targetProcessing + responseProcessing - appDuration);
      add(route.beforeApp, outside);
      add(this.total.beforeApp, outside);
    }
    if (lostAfterApp(elbStatus, appStatus)) {
      this.counts.afterApp++;
      const key = `${route.method} ${route.route} ${elbStatus} ${appStatus}`;
      let g = this.afterAppGroups.get(key);
      if (g === undefined && this.afterAppGroups.size < FRONT_DOOR_LIMITS.groups) {
        g = { method: route.method, route: route.route, elbStatus, appStatus, count: 0, appDuration: newDist(), examples: [] };
        this.afterAppGroups.set(key, g);
      }
      if (g !== undefined) {
        g.count++;
        add(g.appDuration, appDuration);
        if (traceRoot !== undefined && g.examples.length < this.examples) g.examples.push(traceRoot);
      }
    }
  }

  private routeIndex(method: string, route: string, matched: boolean): number {
    let key = `${method} ${route}`;
    let i = this.routes.get(key);
    if (i !== undefined) return i;
    if (this.routes.size >= FRONT_DOOR_LIMITS.routes) {
      key = `* ${OTHER}`;
      method = '*';
      route = OTHER;
      matched = false;
      i = this.routes.get(key);
      if (i !== undefined) return i;
    }
    this.routeList.push({ method, route, matched, joined: 0, requestProcessing: newDist(), beforeApp: newDist() });
    this.routes.set(key, this.routeList.length - 1);
    return this.routeList.length - 1;
  }

  private albRoute(method: string, path: string): number {
    const route = collapsePath(path);
    const key = `${method} ${route}`;
    let i = this.albRoutes.get(key);
    if (i !== undefined) return i;
    if (this.albRoutes.size >= FRONT_DOOR_LIMITS.routes) {
      i = this.albRoutes.get(`* ${OTHER}`);
      if (i !== undefined) return i;
      this.albRouteList.push({ method: '*', route: OTHER });
      this.albRoutes.set(`* ${OTHER}`, this.albRouteList.length - 1);
      return this.albRouteList.length - 1;
    }
    this.albRouteList.push({ method, route });
    this.albRoutes.set(key, this.albRouteList.length - 1);
    return this.albRouteList.length - 1;
  }
}
