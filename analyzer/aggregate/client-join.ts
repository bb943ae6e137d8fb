/**
 * The client request log joined to the server's lines, request by request (issue 18). The client side is held in
 * a compact ClientTable; the server side streams past once (the same pass that aggregates the run), so memory is
 * the table plus bounded per-route and per-bin accumulators, whatever the run's size.
 *
 * Clocks: the client stamps its start on its own clock, the server its lines on its own. With θ = server clock −
 * client clock, causality bounds θ for every joined request: the server cannot start before the client sent
 * (θ ≤ server start − client start) nor finish after the client received (θ ≥ server end − client end, for
 * requests that got their response). The tightest bounds over the run bracket θ; figures that mix the clocks
 * (how much later a late completion finished, the time before the app saw a request) are given as intervals over
 * it. Client duration − server duration needs no offset: each is measured on one clock.
 */
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';
import type { ClientJoinSummary, ClientLogAccounting, LatencySummary, OffsetBounded } from '../model.js';
import { OUTCOME, OUTCOME_NAMES, SEEN_ABORT, SEEN_ANY, SEEN_END, SEEN_ERROR, SEEN_FINISH, SEEN_START, type ClientTable } from './client-table.js';
import type { KnownRequestIds, LogLine } from './aggregator.js';
import { chooseBinMs } from './bins.js';
import { createHistogram, recordMs, summarize } from './histogram.js';
import { collapsePath } from './paths.js';

/** Routes kept; beyond, they fold into one row, counted in overflow. */
export const MAX_JOIN_ROUTES = 200;
const OTHER_ROUTE = '(other routes)';
const MAX_PAIRS = 50;
/** lower bounds of the clock offset kept to find the largest that agrees with the upper bound */
const LOW_KEEP = 1024;
/** the resolution of a server line's `time` (epoch ms, an integer) */
const TIME_RESOLUTION_MS = 1;

type Histogram = ReturnType<typeof createHistogram>;

interface RouteAcc {
  method: string;
  route: string;
  joined: number;
  outside: Histogram;
  outsideSum: number;
  beforeRawSum: number;
  late: number;
  lateServerMs: number;
  disagreements: number;
}

interface BinAcc {
  sent: number;
  neverLogged: number;
  late: number;
  client?: Histogram;
  server?: Histogram;
  outside?: Histogram;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

type RequestEvent = 's' | 'f' | 'a' | 'e';
const EVENT_CODE: Readonly<Record<string, RequestEvent>> = {
  [EVENTS.requestStart]: 's',
  [EVENTS.requestFinish]: 'f',
  [EVENTS.requestAbort]: 'a',
  [EVENTS.requestError]: 'e',
};
const EVENT_BIT: Readonly<Record<RequestEvent, number>> = { s: SEEN_START, f: SEEN_FINISH, a: SEEN_ABORT, e: SEEN_ERROR };

/**
 * Also the aggregator's duplicate check for the ids the table holds (KnownRequestIds): the table's per-event bits
 * replace the aggregator's per-request sets, so a joined request costs memory once. The source hands each line to
 * push() just before the aggregator sees it; the answer push() found is kept for the aggregator's question.
 */
export class ClientJoiner implements KnownRequestIds {
  private lastId: string | undefined;
  private lastEvent: RequestEvent | undefined;
  private lastFirst = false;
  private joined = 0;
  private serverOnly = 0;
  private thetaHigh = Infinity;
  /**
   * The largest lower bounds seen (at most 2·LOW_KEEP, cut to LOW_KEEP): a server that logs its finish late (an
   * event loop blocked right after writing the response) stamps an end after the client already had the answer,
   * which makes that request's lower bound too high. Lower bounds above the (robust) upper bound are such lags;
   * the largest one that agrees with it is the bound, and the others are counted.
   */
  private lows: number[] = [];
  private readonly routes = new Map<string, RouteAcc>();
  private routesFolded = 0;
  private readonly bins: BinAcc[] = [];
  readonly binMs: number;
  private readonly firstBinKey: number;
  private readonly total = createHistogram();
  private outsideCount = 0;
  private outsideSum = 0;
  private beforeRawSum = 0;
  private negative = 0;
  private late = 0;
  private lateServerMs = 0;
  private lateRawSum = 0;
  private lateRawMax = -Infinity;
  private serverAborted = 0;
  private readonly lateExamples: string[] = [];
  private disagreements = 0;
  private readonly pairs = new Map<string, { method: string; route: string; client: string; server: string; count: number }>();
  private readonly disagreementExamples: string[] = [];

  constructor(
    private readonly table: ClientTable,
    private readonly accounting: ClientLogAccounting,
    private readonly examples = 5,
  ) {
    this.binMs = chooseBinMs(table.minStart, table.maxEnd);
    this.firstBinKey = Math.floor(table.minStart / this.binMs);
  }

  /** One server line of the run (any event; only the request.* lines matter). */
  push(line: LogLine): void {
    const event = EVENT_CODE[line[F.event] as string];
    if (event === undefined) return;
    const id = str(line[F.requestId]);
    if (id === undefined) return;
    const row = this.table.lookup(id);
    if (row === -1) {
      this.lastId = undefined;
      if (event === 'f' || event === 'a') this.serverOnly++;
      return;
    }
    const bit = EVENT_BIT[event];
    const before = this.table.mark(row, bit);
    const first = (before & bit) === 0;
    this.lastId = id;
    this.lastEvent = event;
    this.lastFirst = first;
    if (!first) return; // a duplicate line: the aggregator counts it
    if ((before & SEEN_ANY) === 0) this.joined++;
    if (event === 's' || event === 'e' || (before & SEEN_END) !== 0) return;
    const isFinish = event === 'f';
    const isAbort = event === 'a';
    const duration = num(line[F.durationMs]);
    if (duration === undefined) return;
    const c = this.table.get(row);
    const serverEnd = line.time;
    const serverStart = serverEnd - duration;
    const clientEnd = c.start + c.durationMs;
    // θ ≤ server start − client start: the server cannot have seen the request before it was sent
    if (serverStart - c.start < this.thetaHigh) this.thetaHigh = serverStart - c.start;
    const route = this.routeAcc(line);
    const status = num(line[F.status]);

    if (c.outcome === OUTCOME.timeout) {
      if (isAbort) {
        this.serverAborted++;
        return;
      }
      this.late++;
      this.lateServerMs += duration;
      const raw = serverEnd - clientEnd;
      this.lateRawSum += raw;
      if (raw > this.lateRawMax) this.lateRawMax = raw;
      if (this.lateExamples.length < this.examples) this.lateExamples.push(id);
      route.late++;
      route.lateServerMs += duration;
      const bin = this.binAt(c.start);
      if (bin) bin.late++;
      return;
    }
    if (c.outcome === OUTCOME.interrupted) return;
    const clientLabel = c.outcome === OUTCOME.response ? String(c.status) : OUTCOME_NAMES[c.outcome];
    const serverLabel = isAbort ? 'abort' : status !== undefined ? String(status) : undefined;
    if (serverLabel !== undefined && clientLabel !== serverLabel) this.disagree(route, clientLabel, serverLabel, id);
    if (c.outcome !== OUTCOME.response || !isFinish) return;

    // θ ≥ server end − client end: the response left the server before the client had it
    this.noteLow(serverEnd - clientEnd);
    let outside = c.durationMs - duration;
    if (outside < 0) {
      this.negative++;
      outside = 0;
    }
    this.outsideCount++;
    this.outsideSum += outside;
    this.beforeRawSum += serverStart - c.start;
    recordMs(this.total, outside);
    route.joined++;
    route.outsideSum += outside;
    route.beforeRawSum += serverStart - c.start;
    recordMs(route.outside, outside);
    const bin = this.binAt(c.start);
    if (bin) {
      recordMs((bin.client ??= createHistogram()), c.durationMs);
      recordMs((bin.server ??= createHistogram()), duration);
      recordMs((bin.outside ??= createHistogram()), outside);
    }
  }

  private noteLow(value: number): void {
    const lows = this.lows;
    if (lows.length >= LOW_KEEP && value <= lows[lows.length - 1]!) return; // sorted descending once cut
    lows.push(value);
    if (lows.length >= 2 * LOW_KEEP) {
      lows.sort((a, b) => b - a);
      lows.length = LOW_KEEP;
    }
  }

  /** The largest lower bound that agrees with the upper one, and how many of the retained ones did not. */
  private lowBound(high: number | undefined): { low?: number; lagging: number } {
    const sorted = [...this.lows].sort((a, b) => b - a);
    if (high === undefined) return sorted.length ? { low: sorted[0]!, lagging: 0 } : { lagging: 0 };
    let lagging = 0;
    for (const v of sorted) {
      if (v <= high + TIME_RESOLUTION_MS) return { low: v, lagging };
      lagging++;
    }
    return { lagging };
  }

  firstOf(event: RequestEvent, id: string): boolean | undefined {
    if (id === this.lastId && event === this.lastEvent) return this.lastFirst;
    const row = this.table.lookup(id);
    if (row === -1) return undefined;
    const bit = EVENT_BIT[event];
    return (this.table.mark(row, bit) & bit) === 0;
  }

  hasFinished(id: string): boolean | undefined {
    const row = this.table.lookup(id);
    return row === -1 ? undefined : (this.table.flagsOf(row) & SEEN_FINISH) !== 0;
  }

  private disagree(route: RouteAcc, client: string, server: string, id: string): void {
    this.disagreements++;
    route.disagreements++;
    if (this.disagreementExamples.length < this.examples) this.disagreementExamples.push(id);
    const key = `${route.method} ${route.route}\u0000${client}\u0000${server}`;
    const pair = this.pairs.get(key);
    if (pair) pair.count++;
    else if (this.pairs.size < MAX_PAIRS) this.pairs.set(key, { method: route.method, route: route.route, client, server, count: 1 });
  }

  private routeAcc(line: LogLine): RouteAcc {
    const method = str(line[F.method]) ?? '?';
    const route = str(line[F.route]) ?? collapsePath(str(line[F.path]) ?? '/');
    let key = `${method} ${route}`;
    let acc = this.routes.get(key);
    if (acc) return acc;
    const full = this.routes.size >= MAX_JOIN_ROUTES;
    if (full) {
      this.routesFolded++;
      key = OTHER_ROUTE;
      acc = this.routes.get(key);
      if (acc) return acc;
    }
    acc = {
      method: full ? '' : method,
      route: full ? OTHER_ROUTE : route,
      joined: 0,
      outside: createHistogram(),
      outsideSum: 0,
      beforeRawSum: 0,
      late: 0,
      lateServerMs: 0,
      disagreements: 0,
    };
    this.routes.set(key, acc);
    return acc;
  }

  private binAt(clientStart: number): BinAcc | undefined {
    const i = Math.floor(clientStart / this.binMs) - this.firstBinKey;
    if (i < 0 || !Number.isFinite(i)) return undefined;
    while (this.bins.length <= i) this.bins.push({ sent: 0, neverLogged: 0, late: 0 });
    return this.bins[i];
  }

  result(): ClientJoinSummary {
    const neverByOutcome: Record<string, number> = {};
    const neverByName = new Map<number, number>();
    let never = 0;
    let interrupted = 0;
    let startedNotEnded = 0;
    let lateNeverLogged = 0;
    let firstSent = Infinity;
    let lastSent = -Infinity;
    this.table.forEach((_row, start, _duration, _status, flags, nameId) => {
      const bin = this.binAt(start);
      if (bin) bin.sent++;
      if (flags & SEEN_END) return;
      if (flags & (SEEN_START | SEEN_ERROR)) {
        startedNotEnded++;
        return;
      }
      const outcome = flags & 7;
      if (outcome === OUTCOME.interrupted) {
        interrupted++;
        return;
      }
      never++;
      if (outcome === OUTCOME.timeout) lateNeverLogged++;
      const label = OUTCOME_NAMES[outcome] ?? 'other';
      neverByOutcome[label] = (neverByOutcome[label] ?? 0) + 1;
      neverByName.set(nameId, (neverByName.get(nameId) ?? 0) + 1);
      if (start < firstSent) firstSent = start;
      if (start > lastSent) lastSent = start;
      if (bin) bin.neverLogged++;
    });

    const high = Number.isFinite(this.thetaHigh) ? this.thetaHigh : undefined;
    const { low, lagging } = this.lowBound(high);
    const estimate = low !== undefined && high !== undefined ? (low + high) / 2 : (low ?? high);
    // an interval over θ for a figure `raw − θ`: the larger θ gives the lower end
    const bounded = (raw: number): OffsetBounded | undefined =>
      estimate === undefined ? undefined : { low: raw - (high ?? estimate), high: raw - (low ?? estimate) };
    const round = (b: OffsetBounded | undefined): OffsetBounded | undefined =>
      b && { low: Math.round(b.low * 1000) / 1000, high: Math.round(b.high * 1000) / 1000 };
    const a = this.accounting;
    const minStart = this.table.minStart;
    const empty: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
    const at = (h: Histogram | undefined, p: 'p50' | 'p95') => (h ? summarize(h)[p] : 0);

    const summary: ClientJoinSummary = {
      clientLog: {
        file: a.file,
        format: a.format,
        lines: a.totalLines,
        requests: a.requests,
        otherRuns: a.otherRuns,
        duplicateIds: a.duplicateIds,
        malformed: a.malformed,
        oversized: a.oversized,
        foreign: a.foreign,
        k6OtherLines: a.k6OtherLines,
        k6WithoutId: a.k6WithoutId,
        ...(a.warnings ? { warnings: a.warnings } : {}),
      },
      joined: this.joined,
      serverOnly: this.serverOnly,
      clockOffset: {
        ...(low !== undefined ? { lowMs: Math.round(low * 1000) / 1000 } : {}),
        ...(high !== undefined ? { highMs: Math.round(high * 1000) / 1000 } : {}),
        ...(estimate !== undefined ? { estimateMs: Math.round(estimate * 1000) / 1000 } : {}),
        // servers log `time` in whole milliseconds: bounds that cross by less than that are rounding, not drift
        consistent: lagging === 0,
        laggingServerEnds: lagging,
      },
      lateCompletions: {
        count: this.late,
        serverMsSum: Math.round(this.lateServerMs * 1000) / 1000,
        ...(this.late > 0
          ? { laterMeanMs: round(bounded(this.lateRawSum / this.late)), laterMaxMs: round(bounded(this.lateRawMax)) }
          : {}),
        serverAborted: this.serverAborted,
        neverLogged: lateNeverLogged,
        exampleRequestIds: this.lateExamples,
      },
      neverLogged: {
        count: never,
        byOutcome: neverByOutcome,
        interrupted,
        startedNotEnded,
        ...(never > 0 ? { firstSentMs: Math.round(firstSent - minStart), lastSentMs: Math.round(lastSent - minStart) } : {}),
        byName: [...neverByName]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 20)
          .map(([nameId, count]) => ({ name: this.table.names[nameId]!, count })),
      },
      outsideApp: {
        count: this.outsideCount,
        totalMs: this.outsideCount ? summarize(this.total, this.outsideSum / this.outsideCount) : empty,
        ...(this.outsideCount ? { beforeAppMeanMs: round(bounded(this.beforeRawSum / this.outsideCount)) } : {}),
        negative: this.negative,
      },
      statusDisagreements: {
        count: this.disagreements,
        pairs: [...this.pairs.values()].sort((x, y) => y.count - x.count),
        exampleRequestIds: this.disagreementExamples,
      },
      routes: [...this.routes.values()]
        .sort((x, y) => y.joined + y.late - (x.joined + x.late))
        .map((r) => ({
          method: r.method,
          route: r.route,
          joined: r.joined,
          outsideAppMs: r.joined ? summarize(r.outside, r.outsideSum / r.joined) : empty,
          ...(r.joined ? { beforeAppMeanMs: round(bounded(r.beforeRawSum / r.joined)) } : {}),
          lateCompletions: r.late,
          lateServerMsSum: Math.round(r.lateServerMs * 1000) / 1000,
          statusDisagreements: r.disagreements,
        })),
      binMs: this.binMs,
      bins: this.bins.map((b, i) => ({
        start: (this.firstBinKey + i) * this.binMs,
        sent: b.sent,
        neverLogged: b.neverLogged,
        lateCompletions: b.late,
        compared: b.client?.totalCount ?? 0,
        clientP50Ms: at(b.client, 'p50'),
        clientP95Ms: at(b.client, 'p95'),
        serverP50Ms: at(b.server, 'p50'),
        serverP95Ms: at(b.server, 'p95'),
        outsideP50Ms: at(b.outside, 'p50'),
        outsideP95Ms: at(b.outside, 'p95'),
      })),
    };
    if (this.routesFolded > 0 || this.table.namesFolded > 0) {
      summary.overflow = { routes: this.routesFolded, names: this.table.namesFolded };
    }
    return summary;
  }
}
