/**
 * The subset of k6's `handleSummary` data (summary export) that logjam writes and reads. The Node runner writes
 * exactly this shape so the analyzer reads k6's summaries and ours the same way. Field names are k6's own.
 */
export interface K6TrendValues {
  avg: number;
  min: number;
  med: number;
  max: number;
  'p(90)': number;
  'p(95)': number;
  [key: string]: number;
}

export interface K6Metric<V> {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: V;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Check {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface K6Group {
  name: string;
  path: string;
  id: string;
  groups: K6Group[];
  checks: K6Check[];
}

/** A request name whose responses were mostly 4xx (the runner's EndpointGuard). */
export interface SummaryClientError {
  name: string;
  method: string;
  responses: number;
  status4xx: number;
  status404: number;
  /** 4xx / responses */
  share: number;
}

/** The load generator's own health over the run (the runner's GeneratorMonitor). */
export interface SummaryGeneratorHealth {
  /** over the whole run, ms */
  elDelayP99Ms: number;
  elDelayMaxMs: number;
  /** CPU of this process (user + system) as a share of one core: 1 = one core busy */
  cpuMean: number;
  cpuPeak: number;
  /** one-second windows over a limit */
  saturatedSeconds: number;
  windows: number;
  /** true when its latencies are partly its own queueing */
  saturated: boolean;
  limits: { elDelayP99Ms: number; cpu: number };
}

export interface K6Summary {
  root_group: K6Group;
  options?: { summaryTrendStats?: string[]; summaryTimeUnit?: string; noColor?: boolean };
  state?: { isStdOutTTY?: boolean; isStdErrTTY?: boolean; testRunDurationMs: number };
  metrics: {
    http_reqs: K6Metric<{ count: number; rate: number }>;
    http_req_duration: K6Metric<K6TrendValues>;
    http_req_failed: K6Metric<{ rate: number; passes: number; fails: number }>;
    checks: K6Metric<{ rate: number; passes: number; fails: number }>;
    iterations: K6Metric<{ count: number; rate: number }>;
    vus_max: K6Metric<{ value: number; min: number; max: number }>;
    [name: string]: K6Metric<Record<string, number>>;
  };
  /**
   * logjam's extension (absent from k6's own summaries): what the Node runner knows that k6's summary does not —
   * requests that got no response at all, by reason, and the scenario's load shape.
   */
  logjam?: {
    runId: string;
    scenario: string;
    variant: string;
    endpoint: string;
    startedAt: string;
    noResponse: { total: number; timeout: number; refused: number; reset: number; other: number };
    thinkTimeS?: number;
    timeScale?: number;
    vuScale?: number;
    /** the per-request timeout in ms (never scaled by timeScale) */
    timeoutMs?: number;
    /** requests the runner itself cut off when it stopped VUs (graceful stop expired, Ctrl-C): not server failures */
    interruptedRequests?: number;
    /** iterations cut off by a graceful ramp-down/stop expiring (k6 reports these as "interrupted" too) */
    interruptedIterations?: number;
    /** iterations that ended with a script error (counted as complete iterations, as k6 does), by message */
    iterationErrors?: { total: number; byMessage: Record<string, number> };
    /** arrival-rate iterations that were due but found no free VU (also metrics.dropped_iterations) */
    droppedIterations?: number;
    /** set when the run stopped before its scenarios ended: Ctrl-C / the caller's signal, the hard deadline, or an abortOnFail threshold */
    stoppedBy?: 'signal' | 'deadline' | 'threshold';
    /** which threshold aborted the run */
    abortReason?: string;
    /** every threshold's outcome (k6 puts the same `ok` on each metric's `thresholds`) */
    thresholds?: { failed: number; results: Array<{ metric: string; threshold: string; ok: boolean; actual?: number }> };
    /** guard rail: request names whose responses were mostly 4xx — "is the endpoint right?" */
    clientErrors?: SummaryClientError[];
    /** guard rail: the load generator's own health; saturated = its latencies are partly its own queueing */
    generator?: SummaryGeneratorHealth;
    /** the client request log (one line per request, joined to the server's lines by `logjam analyze --client-log`) */
    clientLog?: { path: string; lines: number; dropped: number; error?: string };
    /** per scenario: k6's summary merges same-named checks of all scenarios; this keeps them apart */
    scenarios?: Record<
      string,
      {
        executor: string;
        vusMax: number;
        thinkTimeS: number;
        iterations: number;
        interruptedIterations: number;
        droppedIterations?: number;
        checks: K6Check[];
      }
    >;
  };
}
