/**
 * The lab's calibration: how much one worker of the app serves on this machine, right now, and the studiers' peak
 * that overloads it by the same ratio on any machine. A fixed arrival rate cannot do that: a machine twice as
 * fast serves it with room to spare (no timeouts, so no lesson 3), a busy one drowns in it.
 *
 * The probe is a short closed loop of GET /api/v1/todos against the freshly started app (empty database, the same
 * knobs as the run): a few requests in flight keep the worker busy, so completed requests per second is its
 * capacity. Its requests carry their own run id, so the run's analysis never counts them.
 *
 * The rate is the median of its half-second windows, not the window's total over its length: on a shared machine a
 * burst of other work takes a core for a second or so, and the median reads through one or two such windows where
 * the mean drops with them (a probe read in a burst under-stated the run's capacity by up to 2 ×: no timeouts at a
 * peak meant to overload). Measured on a quiet machine, one worker also keeps getting faster for its first ~10 s
 * (V8's tiers, PostgreSQL's caches: 175 req/s at 1 s, 190 at 2–4 s, 220 at 10 s), hence a warm-up of 3 s.
 */
import { readFile } from 'node:fs/promises';
import { LogjamError } from '../common/errors.js';
import type { LabPlanners } from './lab-scenario.js';

export interface ProbeResult {
  /** completed requests per second: the median of the measured half-second windows (see above) */
  rps: number;
  /** completed requests per second in each half-second window, in order */
  windowRps?: number[];
  requests: number;
  /** mean response time in the probe, ms (≈ service time × in flight when the worker is saturated) */
  meanMs: number;
  concurrency: number;
  durationS: number;
  /** the run id the probe's requests carried (X-Run-Id) */
  runId: string;
  /** requests that failed (non-2xx or no response): a probe with failures is not a capacity measurement */
  failed: number;
  /** CPU seconds the app used over the measured window (Linux /proc), when known */
  cpuS?: number;
  /** requests per CPU second of the app: what one worker would serve with a core to itself (recorded, not used) */
  cpuRps?: number;
}

export interface ProbeOptions {
  url: string;
  runId: string;
  /** requests kept in flight: a few per worker keep every worker busy */
  concurrency: number;
  durationMs: number;
  /** not measured: the first requests warm the JIT and the pool */
  warmupMs: number;
  signal?: AbortSignal;
  /** the app's CPU time so far, in seconds (undefined when it cannot be read) */
  cpuSeconds?: () => Promise<number | undefined>;
}

/**
 * A process's CPU time (user + system), seconds, from /proc/<pid>/stat (Linux; elsewhere undefined). The clock
 * tick is 100 Hz on Linux for this interface (USER_HZ), whatever the kernel's own HZ.
 */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** The probe's windows: half a second each (six in the lab's 3 s probe). */
export const PROBE_WINDOW_MS = 500;

/** The median of the windows' rates; the whole measurement's mean when it is shorter than three windows. */
export function probeRate(windowCounts: number[], requests: number, durationS: number): number {
  if (windowCounts.length < 3) return requests / durationS;
  const rates = windowCounts.map((n) => n / (PROBE_WINDOW_MS / 1000)).sort((a, b) => a - b);
  const mid = rates.length >> 1;
  return rates.length % 2 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
}

/** Closed-loop probe of GET /api/v1/todos. */
export async function probeCapacity(o: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  const measureFrom = start + o.warmupMs;
  const end = measureFrom + o.durationMs;
  let requests = 0;
  let failed = 0;
  let totalMs = 0;
  // completions per whole window of the measured time (a last partial window is not counted in the median)
  const windows = Math.floor(o.durationMs / PROBE_WINDOW_MS);
  const windowCounts = new Array<number>(windows).fill(0);
  const loop = async (): Promise<void> => {
    while (performance.now() < end && !o.signal?.aborted) {
      const sent = performance.now();
      let ok = false;
      try {
        const res = await fetch(`${o.url}/api/v1/todos`, { headers: { 'X-Run-Id': o.runId }, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        ok = res.ok;
      } catch {
        ok = false;
      }
      const done = performance.now();
      if (sent < measureFrom || done > end) continue;
      requests++;
      totalMs += done - sent;
      if (!ok) failed++;
      const window = Math.floor((done - measureFrom) / PROBE_WINDOW_MS);
      if (ok && window < windows) windowCounts[window]!++;
    }
  };
  let cpuAtStart: Promise<number | undefined> = Promise.resolve(undefined);
  const sampler = setTimeout(() => (cpuAtStart = o.cpuSeconds?.() ?? Promise.resolve(undefined)), o.warmupMs);
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  clearTimeout(sampler);
  const [cpuStart, cpuEnd] = [await cpuAtStart, await o.cpuSeconds?.()];
  if (o.signal?.aborted) throw new LogjamError('LJ_INTERRUPTED', 'interrupted while measuring the app');
  const durationS = o.durationMs / 1000;
  const cpuS = cpuStart !== undefined && cpuEnd !== undefined && cpuEnd > cpuStart ? cpuEnd - cpuStart : undefined;
  return {
    rps: probeRate(windowCounts, requests - failed, durationS),
    ...(windows >= 3 ? { windowRps: windowCounts.map((n) => n / (PROBE_WINDOW_MS / 1000)) } : {}),
    requests,
    meanMs: requests ? totalMs / requests : 0,
    concurrency: o.concurrency,
    durationS,
    runId: o.runId,
    failed,
    ...(cpuS !== undefined && requests > 0 ? { cpuS, cpuRps: requests / cpuS } : {}),
  };
}

/**
 * One worker's capacity from a probe: what it served per wall second. Measured on a 2-core machine shared with
 * other jobs, this is the better guess of what the worker gets during the run: requests per CPU second of the app
 * (also recorded, `cpuRps`) said 135 req/s while the run, with the neighbours' load, served 33–38.
 */
export function probeCapacityRps(probe: ProbeResult): number {
  return probe.rps;
}

export interface Calibration {
  /** one worker's capacity, req/s: what it served per wall second in the probe */
  oneWorkerRps: number;
  /** the CPU_WORK_MS the arc runs with (the default, or lighter when the machine was too slow for it) */
  cpuWorkMs: number;
  /** when the default knob was too heavy here: what one worker served with it, and the knob it had */
  lightened?: { fromCpuWorkMs: number; rps: number };
  /** the studiers' peak arrival rate over one worker's capacity */
  ratio: number;
  /** think time Z of a studier after scaling, s */
  studierThinkS: number;
  /** the planners' own arrival rate, req/s (they run during the peak too) */
  plannerRps: number;
  /** the planners of every step: the handout's share of the checks for this peak (lab-scenario.ts labPlanners) */
  planners: LabPlanners;
  /** studiers at the peak (the handout's 2,500, recomputed for this machine) */
  studiersPeak: number;
  /** offered at the peak: studiers / Z + planners, req/s */
  peakArrivalRps: number;
  probe: ProbeResult;
}

/** Studiers at the peak the handout uses; the ramp's first stage is 1000 of them (40 %). */
export const HANDOUT_STUDIERS = 2500;

/** The studiers that offer `ratio` × `capacity` req/s at the peak with the planners' requests: never below 10. */
export function studiersForPeak(capacity: number, ratio: number, studierThinkS: number, plannerRps: number): number {
  return Math.max(10, Math.round(Math.max(0, ratio * capacity - plannerRps) * studierThinkS));
}

/**
 * The studiers that offer `ratio` × one worker's capacity at the peak: X = N / Z (R ≪ Z below the knee) plus
 * the planners' requests, solved for N. Never below 10, so the ramp keeps its shape on a very slow machine.
 */
export function calibrate(
  probe: ProbeResult,
  ratio: number,
  studierThinkS: number,
  planners: LabPlanners,
  plannerRps: number,
  cpuWorkMs: number,
  lightened?: Calibration['lightened'],
): Calibration {
  if (!(probe.rps > 0) || probe.failed > probe.requests / 10) {
    throw new LogjamError('LJ_APP_START', `the capacity probe got ${probe.requests} answers (${probe.failed} failed): the app is not serving`, {
      hint: 'its messages are above; try `logjam app` alone to see the problem',
    });
  }
  const capacity = probeCapacityRps(probe);
  const studiersPeak = studiersForPeak(capacity, ratio, studierThinkS, plannerRps);
  return {
    oneWorkerRps: capacity,
    cpuWorkMs,
    ...(lightened ? { lightened } : {}),
    ratio,
    studierThinkS,
    plannerRps,
    planners,
    studiersPeak,
    peakArrivalRps: studiersPeak / studierThinkS + plannerRps,
    probe,
  };
}

/**
 * The handout's planners send about a tenth of the peak's requests; at most a fifth here keeps the studiers' peak
 * (and so the timeouts) the lesson. The planners scale with the studiers (labPlanners), so only their floor of
 * MIN_PLANNER_ITERATIONS can take more than that share, on a machine that serves only a few req/s.
 */
export const MAX_PLANNER_SHARE = 0.2;

/**
 * A lightened knob keeps at least this share of its CPU work. Without the knob, the buggy run's growing todo list is
 * most of a request's cost: measured, its worker then served 0.36 × what the fixed run's did (138 against 387 req/s),
 * so the buggy run drowned in timeouts while the fixed run, at the same peak, had none — lesson 3 lost.
 */
export const MIN_KNOB_KEPT = 0.5;

/**
 * On a slow or busy machine one worker with the default CPU work could serve so little that the planners alone
 * would be most of the peak. Then the knob is lightened by the service time it must lose, once: 1/rps − 1/needed,
 * in ms, but never below MIN_KNOB_KEPT of it. Undefined = the knob stays.
 */
export function lighterCpuWork(probe: ProbeResult, cpuWorkMs: number, ratio: number, plannerRps: number): number | undefined {
  const neededRps = plannerRps / (MAX_PLANNER_SHARE * ratio);
  const capacity = probeCapacityRps(probe);
  if (cpuWorkMs <= 0 || !(capacity > 0) || capacity >= neededRps) return undefined;
  const lighter = cpuWorkMs - (1000 / capacity - 1000 / neededRps);
  return Math.max(MIN_KNOB_KEPT * cpuWorkMs, Math.round(lighter * 10) / 10);
}

/**
 * A later step's probe must serve this much more than the calibration's before its peak is raised: within it, two
 * probes of one machine differ by noise, and the steps stay comparable; beyond it, the overload would shrink.
 */
export const RAISE_PEAK_ABOVE = 1.1;

/** A later step's peak: the calibrated one, or raised to what this step's own probe calls for (laterStepPeak). */
export interface StepPeak {
  studiersPeak: number;
  /** set when raised: the calibrated peak it replaced */
  raisedFrom?: number;
}

/**
 * The peak of a later step at the calibrated size (one worker: the fixed step): the calibrated studiers, unless
 * this step's own probe served so much more that they would no longer overload it by the calibration's ratio —
 * then the studiers that do. Kept, the fixed run would miss lesson 3's premise whenever the first probe was read
 * in a burst of the machine's other work (measured: the fixed run at ρ 0.80 and 1.04 in two of five arcs, no
 * timeouts). Never lowered: a slower probe now leaves the peak where it was, and the steps compare like for like
 * unless the machine got faster. A step at another size (verify) always keeps the calibrated peak: that is what it verifies.
 */
export function laterStepPeak(c: Calibration, probe: ProbeResult, workers: number, calibratedWorkers = 1): StepPeak {
  if (workers !== calibratedWorkers || !(probe.rps > 0) || probe.failed > probe.requests / 10) return { studiersPeak: c.studiersPeak };
  if (probeCapacityRps(probe) < RAISE_PEAK_ABOVE * c.oneWorkerRps) return { studiersPeak: c.studiersPeak };
  const own = studiersForPeak(probeCapacityRps(probe), c.ratio, c.studierThinkS, c.plannerRps);
  return own > c.studiersPeak ? { studiersPeak: own, raisedFrom: c.studiersPeak } : { studiersPeak: c.studiersPeak };
}

/**
 * The studiers to run the fixed step again with, when its run did not overload the worker: no request timed out
 * and the worker served, during the run, so much more than its probe said that ratio × what it served is more than
 * RAISE_PEAK_ABOVE × the peak it had (the machine's other work stopped between the probe and the run). The run's own
 * capacity — measured over its whole length, under its own load — is the better guess of the next minute than a 3 s
 * probe. Undefined: the run stands (it timed out, or it was already near what the worker served, or another size).
 */
export function overloadAgainPeak(c: Calibration, run: { timeouts: number; capacityRps?: number }, studiersPeak: number, workers: number): number | undefined {
  if (workers !== 1 || run.timeouts > 0 || !(run.capacityRps !== undefined && run.capacityRps > 0)) return undefined;
  const again = studiersForPeak(run.capacityRps, c.ratio, c.studierThinkS, c.plannerRps);
  return again > RAISE_PEAK_ABOVE * studiersPeak ? again : undefined;
}
