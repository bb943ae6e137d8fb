/**
 * The comparison model: what `logjam compare` says about a run against a base run. One object feeds every renderer
 * (terminal, Markdown, JSON, HTML); its JSON form is the stable `--json` output (docs/compare.md): fields are only
 * ever added (bump COMPARE_VERSION otherwise). JSON-safe: no Infinity, no classes.
 */
import type { EvidenceQuery, Severity } from '../model.js';
import type { Interval } from './stats.js';

export const COMPARE_VERSION = 1 as const;

export type Verdict = 'regression' | 'improvement' | 'no significant change';

/**
 * How a latency interval was made: 'block-bootstrap' (time bins resampled: the whole run), 'bootstrap-widened'
 * (requests resampled, the interval widened by the whole run's block factor: a route), 'bootstrap' (requests
 * resampled, no block factor known), 'floor-only' (no histogram: the practical floor alone decides).
 */
export type LatencyMethod = 'block-bootstrap' | 'bootstrap-widened' | 'bootstrap' | 'floor-only';

export interface Change {
  base: number;
  run: number;
  /** run − base, in the metric's unit */
  delta: number;
  /** delta / base; absent when base is 0 */
  relative?: number;
  verdict: Verdict;
  /**
   * the statistical test alone says the change is not noise (latency: the interval excludes 0, or no histogram;
   * rates: p < 0.05), whatever its size; --fail-on limits use this with their own size instead of the floor
   */
  significant: boolean;
  /** one plain phrase on why this verdict (the interval, the floor, the test) */
  why: string;
}

export interface LatencyChange extends Change {
  /** 95 % bootstrap interval of run − base, ms (absent without histograms) */
  interval?: Interval;
}

export interface RateChange extends Change {
  /** events / requests on each side */
  baseCount: number;
  baseTotal: number;
  runCount: number;
  runTotal: number;
  /** delta in percentage points */
  deltaPp: number;
  pValue: number;
}

export interface TimeParts {
  poolWait: number;
  database: number;
  rest: number;
}

/** The change of the mean split into where the time went. */
export interface MeanBreakdown {
  base: TimeParts;
  run: TimeParts;
  delta: TimeParts;
  /** each part's share of the mean's change (delta.part / Δmean); absent when the mean did not move */
  shares?: TimeParts;
  /** the part that carried most of the change, in the change's direction */
  dominant?: keyof TimeParts;
  sentence: string;
}

export interface LatencyComparison {
  method: LatencyMethod;
  baseCount: number;
  runCount: number;
  p50: LatencyChange;
  p95: LatencyChange;
  p99: LatencyChange;
  mean: LatencyChange;
  breakdown: MeanBreakdown;
  /** how much wider the time-block intervals are than the per-request ones (≥ 1), per statistic */
  widening?: Record<'p50' | 'p95' | 'p99' | 'mean', number>;
}

export interface StatusShare {
  status: string;
  baseCount: number;
  runCount: number;
  /** share of the side's finished requests (0..1) */
  baseShare: number;
  runShare: number;
}

export interface ScopeComparison {
  requests: { base: number; run: number };
  /** finished requests per second */
  throughput: Change;
  /** status >= 400 */
  errorRate: RateChange;
  /** status >= 500 */
  serverErrorRate: RateChange;
  /** aborts / (finished + aborts) */
  abortRate: RateChange;
  statusMix: StatusShare[];
  latency: LatencyComparison;
  /** the worst verdict of the scope's figures, and the headline that says it */
  verdict: Verdict;
  headline: string;
}

export interface RouteRef {
  method: string;
  route: string;
  requests: number;
}

export interface RouteComparison extends ScopeComparison {
  method: string;
  route: string;
  matched: boolean;
}

export interface OverallComparison extends ScopeComparison {
  unfinished: { base: number; run: number };
  /** client requests with no server line, when each side had a client summary */
  clientNoServerLine?: { base?: number; run?: number };
}

/** One finding (or one message template of an error cluster) matched across runs by id + key. */
export interface FindingItem {
  id: string;
  key: string;
  severity: Severity;
  title: string;
  /** the figure that says how much (requests, check failures, error lines) */
  count?: number;
  exampleRequestIds: string[];
  query?: EvidenceQuery;
}

export interface FindingChange {
  id: string;
  key: string;
  base: FindingItem;
  run: FindingItem;
  what: string;
}

export interface FindingsDiff {
  appeared: FindingItem[];
  vanished: FindingItem[];
  changed: FindingChange[];
  /** matched and unchanged */
  unchanged: number;
}

export interface CapacityRow {
  name: string;
  unit: string;
  base?: number;
  run?: number;
  /** text rows (recommended sizes, the bottleneck) */
  baseText?: string;
  runText?: string;
}

export interface CapacitySide {
  serviceTimeMs: number;
  utilization?: number;
  knee?: { concurrency: number; throughput: number };
  usl?: { alpha: number; beta: number; gamma: number; r2: number; peakConcurrency?: number; peakThroughput?: number; drawn: boolean };
  maxThroughput?: number;
  bottleneck: string;
  recommended: string;
  /** throughput against concurrency, for the overlay chart */
  points: { concurrency: number; throughput: number }[];
}

export interface CapacityComparison {
  base: CapacitySide;
  run: CapacitySide;
  rows: CapacityRow[];
}

export interface TimelinePoint {
  /** seconds since the side's first bin */
  t: number;
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RunSide {
  runId: string;
  source: string;
  firstTime: number;
  lastTime: number;
  durationS: number;
  binMs: number;
  requests: number;
  clientSummary?: string;
  scanned?: { queries: number; recordsMatched: number; recordsScanned: number; bytesScanned: number };
  /** the run's evidence queries by section id, as `analyze` shows them */
  queries: Record<string, EvidenceQuery>;
  timeline: TimelinePoint[];
}

export interface MethodStatement {
  latency: string;
  rates: string;
  throughput: string;
  bootstrap: { iterations: number; seed: number; confidence: number };
  floors: { latencyRelative: number; latencyMs: number; ratePp: number; throughputRelative: number; minRequests: number; minTailRequests: number };
}

export interface GateResult {
  threshold: string;
  scope: string;
  ok: boolean;
  /** what was measured, in words: "p95 +38.2 % (12.0 → 16.6 ms)" */
  measured: string;
  reason?: string;
}

export interface RunComparison {
  compareVersion: typeof COMPARE_VERSION;
  generatedAt: string;
  method: MethodStatement;
  base: RunSide;
  run: RunSide;
  /** the worst verdict over the whole run and the routes */
  verdict: Verdict;
  summary: string[];
  overall: OverallComparison;
  routes: RouteComparison[];
  onlyInBase: RouteRef[];
  onlyInRun: RouteRef[];
  findings: FindingsDiff;
  capacity?: CapacityComparison;
  /** --fail-on results, when given */
  gate?: GateResult[];
}
