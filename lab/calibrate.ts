/**
 * The lab's calibration: how much one worker of the app serves on this machine, right now, and the studiers' peak
 * that overloads it by the same ratio on any machine. A fixed arrival rate cannot do that: a machine twice as
 * fast serves it with room to spare (no timeouts, so no lesson 3), a busy one drowns in it.
 *
 * The probe is a short closed loop of GET /api/v1/todos against the freshly started app (empty database, the same
 * knobs as the run): a few requests in flight keep the worker busy, so completed requests per second is its
 * capacity. Its requests carry their own run id, so the run's analysis never counts them.
 */
import { readFile } from 'node:fs/promises';
import { LogjamError } from '../common/errors.js';
import type { LabPlanners } from './lab-scenario.js';

export interface ProbeResult {
  /** completed requests per second over the measured window */
  rps: number;
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

/** Closed-loop probe of GET /api/v1/todos. */
export async function probeCapacity(o: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  const measureFrom = start + o.warmupMs;
  const end = measureFrom + o.durationMs;
  let requests = 0;
  let failed = 0;
  let totalMs = 0;
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
    rps: requests / durationS,
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
  const target = ratio * capacity;
  const studiersPeak = Math.max(10, Math.round(Math.max(0, target - plannerRps) * studierThinkS));
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
