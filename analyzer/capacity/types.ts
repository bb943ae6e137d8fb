/**
 * The capacity report's shapes. Everything here is JSON-safe (no Infinity, no undefined-in-arrays, no classes):
 * `logjam capacity --json` prints a CapacityReport as is, and the terminal, Markdown and HTML renderers all read it.
 */

/** One line of the math, printed with its numbers substituted so a person can check it by hand. */
export interface FormulaLine {
  /** stable key, e.g. "closed-model.throughput" */
  name: string;
  /** the symbolic form, e.g. "X = N / (R + Z)" */
  formula: string;
  /** the same with numbers in place, e.g. "X = 2500 / (0.85 s + 6 s)" */
  substituted: string;
  result: number;
  unit: string;
  /** one plain sentence on what the number means, when it needs one */
  note?: string;
}

export type WorkerModel = 'node-cluster' | 'gunicorn';

/** Where a deployment fact came from: the service's own lines (service.start, runtime.stats), a flag, or a default. */
export type FactSource = 'measured' | 'given' | 'assumed';

/** The facts the capacity math uses, each with its origin in `DeploymentFacts.provenance`. */
export type FactKey = 'cpus' | 'workers' | 'tasks' | 'poolSize' | 'threads' | 'dbInstanceClass' | 'fargate' | 'memoryLimit' | 'nodeVersion' | 'platform';

export interface FactOrigin {
  source: FactSource;
  /** how it is known: the flag (`--cpus 2`), the log field (`service.start cpus`), or why the default */
  detail: string;
}

/** One row of the report's facts table: every fact with its value and where it came from. */
export interface FactRow {
  key: FactKey;
  label: string;
  value: string;
  source: FactSource;
  detail: string;
}

/** How the service is deployed and what it should handle: from flags, then the service's own lines, then defaults. */
export interface DeploymentFacts {
  /** vCPUs of one task (or host) */
  cpus: number;
  workerModel: WorkerModel;
  /** workers (processes) per task; absent = the worker model's formula from `cpus` */
  workers?: number;
  /** requests one worker serves at the same time (gunicorn threads; 1 for a CPU-bound Node worker) */
  threads: number;
  tasks: number;
  /** DB pool size per worker */
  poolSize: number;
  /** the RDS class, when given (--db-instance-class): the RDS connection check needs it */
  dbInstanceClass?: string;
  /** the current Fargate task size, when deployed on Fargate */
  fargate?: { cpuUnits: number; memoryMiB: number };
  target?: { kind: 'rps'; rps: number } | { kind: 'vus'; vus: number };
  /** think time Z between a user's requests, seconds (flag; else the client summary's; else 0) */
  thinkTimeS?: number;
  /** spare capacity on top of the target, as a fraction (0.3 = 30%) */
  headroom: number;
  /** flags that were not given and took a default (e.g. "--cpus 1"), so the report can say what it assumed */
  defaulted?: string[];
  /** where each fact came from (facts.ts marks flags and defaults; resolve.ts puts in what the service logged) */
  provenance: Partial<Record<FactKey, FactOrigin>>;
  /**
   * What describes the deployment as AWS (`--deployment aws`, a Fargate or RDS flag, or the platform the service
   * logged); absent: not AWS, so no RDS, Fargate lines. `--deployment other` says it is not, whatever was logged.
   */
  awsBy?: string;
  deployment?: 'aws' | 'other';
  /** informational facts the service logged (service.start) */
  memoryLimitMb?: number;
  nodeVersion?: string;
  platform?: string;
}

export interface RouteServiceTime {
  method: string;
  route: string;
  count: number;
  meanMs: number;
  p95Ms: number;
  dbMsMean: number;
  poolWaitMsMean: number;
  /** share of all request time spent in this route (count × mean / Σ count × mean) */
  timeShare: number;
}

export interface CapacityInputs {
  runId: string;
  durationS: number;
  requests: number;
  /** measured mean response time R, seconds */
  meanResponseS: number;
  p95ResponseS: number;
  /** the service time S the capacity math uses, seconds (see serviceTimeBasis for how it was measured) */
  serviceTimeS: number;
  serviceTimeBasis: 'utilization-law' | 'time-outside-db' | 'response-time';
  routes: RouteServiceTime[];
  /** users N of the closed model: the client summary's VUs, when known */
  vus?: number;
  thinkTimeS: number;
  thinkTimeSource: 'flag' | 'client-summary' | 'default';
  /** requests in flight (Little's law per time bin): mean and max over the usable bins */
  inFlightMean: number;
  inFlightMax: number;
  deployment: DeploymentFacts & { workersPerTask: number; workersSource: 'flag' | 'measured' | 'formula' };
  /** every fact the math used, with its value and origin (measured / given / assumed), in a fixed order */
  facts: FactRow[];
}

export interface FargateSize {
  cpuUnits: number;
  memoryMiB: number;
}

export interface RdsSection {
  instanceClass: string;
  nominalMemoryGiB: number;
  dbInstanceClassMemoryBytes: number;
  maxConnections: number;
  /** max_connections minus superuser_reserved_connections */
  usableConnections: number;
  /** pool size × workers × tasks of the current deployment */
  connectionsNeeded: number;
  fits: boolean;
  /** the smallest class whose usable connections hold `connectionsNeeded` (absent when none in the table does) */
  smallestFitting?: string;
  tableSource: string;
}

export interface PlanSection {
  target: { kind: 'rps' | 'vus'; value: number };
  /** the throughput to plan for before headroom, req/s */
  targetRps: number;
  requiredRps: number;
  workers: number;
  workersPerTask: number;
  vcpus: number;
  tasks: number;
  currentFargate?: FargateSize;
  fargate?: FargateSize;
  /** "1 vCPU / 2 GB → 4 vCPU / 8 GB" */
  fargateChange?: string;
  dbConnectionsNeeded: number;
  /** against the RDS class, when one was given */
  dbFits?: boolean;
  smallestDbClass?: string;
  notes: string[];
}

export interface SaturationPoint {
  /** bin start, epoch ms */
  time: number;
  /** mean requests in flight during the bin (Little's law) */
  concurrency: number;
  /** requests finished per second in the bin */
  throughput: number;
  latencyMeanMs: number;
  latencyP95Ms: number;
}

export interface Knee {
  concurrency: number;
  throughput: number;
  /** throughput gained per extra request in flight below and above the knee, req/s per request */
  slopeBelow: number;
  slopeAbove: number;
  latencyBelowMs: number;
  latencyAboveMs: number;
}

export interface SaturationSection {
  points: SaturationPoint[];
  /** bins left out, by reason, so nothing is dropped silently */
  dropped: { empty: number; rampEdge: number };
  knee?: Knee;
  /** why there is no knee, in plain words */
  kneeNote: string;
}

export type UslResult =
  | {
      ok: true;
      alpha: number;
      beta: number;
      gamma: number;
      r2: number;
      points: number;
      /** concurrency at the peak; absent when β = 0 (the model never turns down) */
      peakConcurrency?: number;
      peakThroughput?: number;
      /** R² below USL_MIN_R2: the curve is not drawn and no peak is claimed */
      poorFit?: true;
      note?: string;
    }
  | { ok: false; points: number; reason: string };

export type BottleneckKind = 'cpu' | 'db-pool' | 'database' | 'client-or-network' | 'none';

export interface BottleneckCandidate {
  kind: Exclude<BottleneckKind, 'none'>;
  /** 0..1; ≥ 0.5 counts as a verdict */
  score: number;
  evidence: string[];
}

export interface BottleneckVerdict {
  verdict: BottleneckKind;
  /** candidates, strongest first */
  ranked: BottleneckCandidate[];
  /** the numbers the scores came from */
  metrics: Record<string, number>;
  summary: string;
}

export interface CapacityReport {
  inputs: CapacityInputs;
  formulas: FormulaLine[];
  plan?: PlanSection;
  /** only when the deployment is described as AWS and its RDS class is given */
  rds?: RdsSection;
  saturation: SaturationSection;
  usl: UslResult;
  bottleneck: BottleneckVerdict;
  /** assumptions the math made that a reader should know */
  notes: string[];
}
