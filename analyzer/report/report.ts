/**
 * The one report object every renderer (terminal, Markdown, JSON, HTML) draws from. Its JSON form is the stable
 * `--json` output, documented in docs/analyzer.md: fields are only ever added (bump REPORT_VERSION otherwise).
 */
import type {
  ClientJoinSummary,
  ClientView,
  EvidenceQuery,
  Finding,
  FrontDoorSummary,
  InputAccounting,
  RouteStats,
  RunAggregate,
  Severity,
  StatusCluster,
  SuspiciousPath,
  TimeBin,
} from '../model.js';
import type { CapacityReport } from '../capacity/types.js';
import type { MissingFact } from '../capacity/resolve.js';

/** Why the report has no capacity section: the facts it needs that were neither given nor logged. */
export interface CapacityMissing {
  /** "capacity: needs the CPUs per task (--cpus <n>): …" */
  line: string;
  missing: MissingFact[];
}
import type { ThresholdResult } from '../thresholds.js';

// 2: findings[].query and queries{} are {language, text} objects (were Logs Insights text)
export const REPORT_VERSION = 2 as const;

export interface RouteRow extends RouteStats {
  /** finished requests per second over the run */
  reqPerS: number;
  /** share of requests with status >= 400 (0..1) */
  errorRate: number;
  /** mean ms not spent waiting for the pool or in the database */
  restMsMean: number;
}

export interface AnalysisReport {
  reportVersion: typeof REPORT_VERSION;
  generatedAt: string;
  run: {
    /** '' for a time window (then `window` is present) */
    runId: string;
    /** present when the report is a time window (analyze without --run), not a run: its bounds as asked */
    window?: RunAggregate['window'];
    source: string;
    firstTime: number;
    lastTime: number;
    durationS: number;
    binMs: number;
    services: string[];
    workers: number;
    totals: RunAggregate['totals'];
    reqPerS: number;
    errorRate: number;
    runtime?: RunAggregate['runtime'];
    scanned?: RunAggregate['scanned'];
    overflow?: RunAggregate['overflow'];
    processes?: RunAggregate['processes'];
  };
  /** most severe first */
  findings: Finding[];
  /** severity -> number of findings */
  summary: Record<Severity, number>;
  routes: RouteRow[];
  timeline: TimeBin[];
  suspiciousPaths: SuspiciousPath[];
  statusClusters: StatusCluster[];
  unfinishedByRoute: NonNullable<RunAggregate['unfinishedByRoute']>;
  input: InputAccounting;
  client?: ClientView;
  /** --fail-on results, when thresholds were given */
  thresholds?: ThresholdResult[];
  /** the capacity section, when deployment facts were given (analyzer/capacity computes it) */
  capacity?: CapacityReport;
  /** in place of the capacity section: the facts it would need (analyze prints the section only when it has them) */
  capacityMissing?: CapacityMissing;
  /** evidence query per section id, with its language (Logs Insights for CloudWatch, jq for local files) */
  queries: Record<string, EvidenceQuery>;
  /** the client request log joined to the server's lines (--client-log) */
  clientJoin?: ClientJoinSummary;
  /** the ALB access-log join, when the input held ALB lines (docs/analyzer.md, "The front door") */
  frontDoor?: FrontDoorSummary;
}

export interface BuildReportInput {
  aggregate: RunAggregate;
  findings: Finding[];
  client?: ClientView;
  thresholds?: ThresholdResult[];
  capacity?: CapacityReport;
  join?: ClientJoinSummary;
  capacityMissing?: CapacityMissing;
  now?: Date;
}

export function buildReport(input: BuildReportInput): AnalysisReport {
  const a = input.aggregate;
  const durationS = Math.max((a.lastTime - a.firstTime) / 1000, 0);
  const seconds = Math.max(durationS, 1);
  const errors = (s: Record<string, number>) => Object.entries(s).reduce((n, [k, v]) => (Number(k) >= 400 ? n + v : n), 0);
  const summary: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of input.findings) summary[f.severity]++;
  const report: AnalysisReport = {
    reportVersion: REPORT_VERSION,
    generatedAt: (input.now ?? new Date()).toISOString(),
    run: {
      runId: a.runId,
      source: a.source,
      firstTime: a.firstTime,
      lastTime: a.lastTime,
      durationS,
      binMs: a.binMs,
      services: a.services,
      workers: a.workers,
      totals: a.totals,
      reqPerS: a.totals.requests / seconds,
      errorRate: a.totals.requests ? (a.totals.errors4xx + a.totals.errors5xx) / a.totals.requests : 0,
    },
    findings: input.findings,
    summary,
    routes: a.routes.map((r) => ({
      ...r,
      reqPerS: r.count / seconds,
      errorRate: r.count ? errors(r.statuses) / r.count : 0,
      restMsMean: Math.max(0, r.latency.mean - r.dbMsMean - r.poolWaitMsMean),
    })),
    timeline: a.bins,
    suspiciousPaths: a.suspiciousPaths,
    statusClusters: a.statusClusters,
    unfinishedByRoute: a.unfinishedByRoute ?? [],
    input: a.input,
    queries: a.queries,
  };
  if (a.window) report.run.window = a.window;
  if (a.runtime) report.run.runtime = a.runtime;
  if (a.scanned) report.run.scanned = a.scanned;
  if (a.overflow) report.run.overflow = a.overflow;
  if (a.processes) report.run.processes = a.processes;
  if (input.client) report.client = input.client;
  if (input.thresholds) report.thresholds = input.thresholds;
  if (input.capacity !== undefined) report.capacity = input.capacity;
  if (input.join) report.clientJoin = input.join;
  if (input.capacityMissing !== undefined) report.capacityMissing = input.capacityMissing;
  if (a.frontDoor) report.frontDoor = a.frontDoor;
  return report;
}
