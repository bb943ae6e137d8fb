/**
 * One step of the lab's arc: a fresh embedded PostgreSQL and TaskOverflow (a child process, `workers` cluster
 * workers, logs to the step's folder), the capacity probe, the lab's scenario, a graceful stop, then the analysis of
 * the run from its logs with the client summary — report.html/.md/.json in the step's folder, and the step's
 * numbers (the arc compares them).
 */
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OUTPUT_FORMATS,
  analyzeRun,
  createLocalSource,
  loadClientView,
  parseDeploymentFacts,
  type AnalysisReport,
  type CapacityReport,
  type ClientView,
  type Finding,
  type RunAnalysis,
} from '../analyzer/index.js';
import { startAppProcess } from './app-process.js';
import { probeCapacity, processCpuSeconds, type ProbeResult } from './calibrate.js';
import { LAB_SCENARIO, labScenarioModule, type LabPlanners, type LabVariant } from './lab-scenario.js';

export type StepName = 'buggy' | 'fixed' | 'verify';

export interface StepSettings {
  step: StepName;
  variant: LabVariant;
  workers: number;
  runId: string;
  dir: string;
  timeScale: number;
  vuScale: number;
  timeoutMs: number;
  cpuWorkMs: number;
  poolMax: number;
  probeMs: number;
  /**
   * called with this step's probe before the load starts: the studiers at the peak (the first step of the arc
   * calibrates from it, later ones keep that number so the steps stay comparable), or, when `canRetry`, a lighter
   * CPU_WORK_MS to start over with (the machine is too slow for the knob's default)
   */
  onProbe(probe: ProbeResult, cpuWorkMs: number, canRetry: boolean): ProbeDecision;
}

export interface StepIo {
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
  say(message: string): void;
  dim(text: string): string;
}

/** What the arc compares between steps; every number is measured in this step. */
export interface StepNumbers {
  requests: number;
  checksTotal: number;
  checksFailed: number;
  /** requests with no response at all (timeouts, refused, reset) */
  noResponse: number;
  /** of them, client timeouts */
  timeouts: number;
  /**
   * failed checks minus requests with no response: every request of the lab's scenario is followed by exactly one
   * check, and a request with no response fails its check, so this is how many checks of answered requests failed
   */
  answeredCheckFailures: number;
  /** responses with status ≥ 400 the server logged */
  serverErrors: number;
  /** ρ = X / capacity, from the capacity section (undefined when no capacity was computed) */
  rho?: number;
  offeredRps?: number;
  capacityRps?: number;
  serviceTimeMs?: number;
  /** the server's p95 over finished requests, ms */
  serverP95Ms: number;
  /** the client's p95 (a request that timed out counts at the timeout), ms */
  clientP95Ms?: number;
}

export interface StepResult {
  settings: Omit<StepSettings, 'onProbe'>;
  studiersPeak: number;
  /** set when this step's own probe raised its peak (calibrate.ts laterStepPeak): the peak it replaced */
  peakRaisedFrom?: number;
  probe: ProbeResult;
  numbers: StepNumbers;
  findings: Finding[];
  capacity?: CapacityReport;
  client: ClientView;
  /** the full report (the arc prints the terminal form of one of them) */
  report: AnalysisReport;
  htmlPath: string;
  logFile: string;
  summaryPath: string;
  /** the whole analysis, for `logjam compare` between steps (what-changed.ts) */
  analysis: RunAnalysis;
  /** the client's request log (runs/<id>/<step>/client.ndjson), when the runner wrote one */
  clientLog?: string;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export function stepNumbers(analysis: RunAnalysis, client: ClientView): StepNumbers {
  const checksFailed = sum(client.checks.map((c) => c.fails));
  const checksTotal = checksFailed + sum(client.checks.map((c) => c.passes));
  const noResponse = client.noResponse ?? 0;
  const formula = (name: string): number | undefined => analysis.capacity?.formulas.find((f) => f.name === name)?.result;
  const totals = analysis.aggregate.totals;
  return {
    requests: client.requests,
    checksTotal,
    checksFailed,
    noResponse,
    timeouts: client.noResponseByReason?.timeout ?? noResponse,
    answeredCheckFailures: Math.max(0, checksFailed - noResponse),
    serverErrors: totals.errors4xx + totals.errors5xx,
    ...(analysis.capacity
      ? {
          rho: formula('utilization'),
          offeredRps: formula('closed-model.throughput') ?? formula('throughput.measured'),
          capacityRps: formula('capacity.total'),
          serviceTimeMs: analysis.capacity.inputs.serviceTimeS * 1000,
        }
      : {}),
    serverP95Ms: totals.latency.p95,
    ...(client.durationP95Ms !== undefined ? { clientP95Ms: client.durationP95Ms } : {}),
  };
}

/** What the caller decides from a probe: the studiers' peak, or (once, in the first step) a lighter CPU knob first. */
export type ProbeDecision = { studiersPeak: number; planners: LabPlanners; peakRaisedFrom?: number } | { retryCpuWorkMs: number };

interface LabApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A fresh embedded PostgreSQL and TaskOverflow for one step (or one calibration attempt). */
async function startLabApp(s: StepSettings, cpuWorkMs: number, logFile: string, io: StepIo): Promise<LabApp> {
  // A fresh database every time: the buggy test never deletes its todos, so a reused database would make each
  // run's GET /todos heavier than the last. The folder must be writable by the `postgres` user initdb runs as under root.
  const pgParent = await mkdtemp(join(tmpdir(), 'logjam-lab-pg-'));
  await chmod(pgParent, 0o777);
  io.say(`starting PostgreSQL (embedded) and TaskOverflow (${s.workers} worker${s.workers > 1 ? 's' : ''}, CPU_WORK_MS=${cpuWorkMs}, DB_POOL_MAX=${s.poolMax})…`);
  const app = await startAppProcess({
    env: {
      WEB_CONCURRENCY: String(s.workers),
      CPU_WORK_MS: String(cpuWorkMs),
      DB_POOL_MAX: String(s.poolMax),
      SERVICE_NAME: 'taskoverflow',
      PG_DATA_DIR: join(pgParent, 'data'),
    },
    logFile,
    signal: io.signal,
    onMessage: (line) => io.stderr.write(`${io.dim(`  app │ ${line}`)}\n`),
  }).catch(async (err: unknown) => {
    await rm(pgParent, { recursive: true, force: true });
    throw err;
  });
  return {
    url: app.url,
    pid: app.pid,
    stop: async () => {
      io.say('stopping the app (in-flight requests finish, logs are flushed, the database stops)…');
      const code = await app.stop();
      if (code !== 0) io.say(`the app exited with code ${code}`);
      await rm(pgParent, { recursive: true, force: true });
    },
  };
}

/** Runs one step; undefined when interrupted (the partial logs stay in the step's folder). */
export async function runStep(s: StepSettings, io: StepIo): Promise<StepResult | undefined> {
  await mkdir(s.dir, { recursive: true });
  const logFile = join(s.dir, 'app.ndjson');
  const summaryPath = join(s.dir, 'summary.json');
  let probe: ProbeResult | undefined;
  let studiersPeak = 0;
  let peakRaisedFrom: number | undefined;
  let planners: LabPlanners | undefined;
  let clientLog: string | undefined;
  let cpuWorkMs = s.cpuWorkMs;
  for (let attempt = 0; attempt < 2; attempt++) {
    const app = await startLabApp(s, cpuWorkMs, logFile, io);
    let retryCpuWorkMs: number | undefined;
    try {
      io.say(`measuring what ${s.workers} worker${s.workers > 1 ? 's' : ''} serve${s.workers > 1 ? '' : 's'} (${s.probeMs / 1000} s of GET /api/v1/todos)…`);
      probe = await probeCapacity({
        url: app.url,
        runId: `${s.runId}-probe`,
        // enough in flight that the app, not this client's round trips, is what limits the probe
        concurrency: 16 * s.workers,
        durationMs: s.probeMs,
        // a freshly started app and database are slower for their first seconds (JIT, caches): not measured
        warmupMs: 3000,
        signal: io.signal,
        // one worker is the app's process itself; a cluster's CPU is spread over its workers (not read here)
        ...(s.workers === 1 ? { cpuSeconds: () => processCpuSeconds(app.pid) } : {}),
      });
      const decision = s.onProbe(probe, cpuWorkMs, attempt === 0);
      if ('retryCpuWorkMs' in decision) {
        retryCpuWorkMs = decision.retryCpuWorkMs;
      } else {
        ({ studiersPeak, planners, peakRaisedFrom } = decision);
        // loaded here, not at the top: every CLI command imports the lab's modules to register `lab`, and the
        // runner's HTTP client (undici) alone is ~30 MB of RSS
        const { runLoad, terminalProgress } = await import('../loadtests/runner/index.js');
        const load = await runLoad(
          {
            scenarioModule: labScenarioModule(s.variant, studiersPeak, planners, s.vuScale),
            moduleLabel: { scenario: LAB_SCENARIO, variant: s.variant },
            endpoint: app.url,
            runId: s.runId,
            timeScale: s.timeScale,
            vuScale: s.vuScale,
            timeoutMs: s.timeoutMs,
            summaryPath,
          },
          {
            signal: io.signal,
            onProgress: terminalProgress(io.stderr),
            onStart: ({ maxDurationMs }) => io.say(`load test running: ${studiersPeak} studiers at the peak (at most ${Math.ceil(maxDurationMs / 1000)} s)…`),
          },
        );
        // the runner wrote the client request log next to the summary: the analysis joins it request by request
        clientLog = load.summary.logjam?.clientLog?.path;
        io.stderr.write(`\n${load.text}\n`);
      }
    } catch (err) {
      if (!io.signal.aborted) throw err;
    } finally {
      await app.stop();
    }
    if (io.signal.aborted || retryCpuWorkMs === undefined) break;
    // the attempt's lines (its probe, its process's start and stop) stay apart from the run's log
    await rename(logFile, join(s.dir, 'calibration.ndjson'));
    cpuWorkMs = retryCpuWorkMs;
  }
  if (io.signal.aborted || !probe || studiersPeak === 0) return undefined;

  io.say('analyzing the run from its logs and the client summary…');
  const client = await loadClientView(summaryPath);
  const facts = parseDeploymentFacts({
    // the lab's deployment on AWS: one Fargate task of 1 vCPU / 2 GB per worker (Node: one worker per vCPU), RDS db.t3.micro
    fargateCpu: String(1024 * s.workers),
    fargateMemory: String(2048 * s.workers),
    workers: String(s.workers),
    poolSize: String(s.poolMax),
    dbInstanceClass: 'db.t3.micro',
    // the load the test offered at its peak, as the runner's summary reports it (k6's vus_max)
    targetVus: String(client.vusMax ?? 1),
  });
  const analysis = await analyzeRun({ source: createLocalSource(logFile), runId: s.runId, client, facts, ...(clientLog ? { clientLog } : {}) });
  for (const format of [OUTPUT_FORMATS.html, OUTPUT_FORMATS.markdown, OUTPUT_FORMATS.json]) {
    await writeFile(join(s.dir, `report${format.extension}`), format.render(analysis.report, { title: `logjam — lab ${s.step} run ${s.runId}` }));
  }
  const { onProbe: _onProbe, ...rest } = s;
  const settings = { ...rest, cpuWorkMs };
  return {
    settings,
    studiersPeak,
    ...(peakRaisedFrom !== undefined ? { peakRaisedFrom } : {}),
    probe,
    numbers: stepNumbers(analysis, client),
    findings: analysis.findings,
    capacity: analysis.capacity,
    client,
    htmlPath: join(s.dir, `report${OUTPUT_FORMATS.html.extension}`),
    logFile,
    summaryPath,
    ...(clientLog ? { clientLog } : {}),
    report: analysis.report,
    analysis,
  };
}
