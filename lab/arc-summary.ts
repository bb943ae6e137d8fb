/**
 * The lab's closing summary: what each step measured, the three lessons, the recommendation and its verification —
 * the handout's arc, with this machine's numbers. `lab.json` holds the same (ArcSummary), for scripts and tests.
 */
import { table, type Align } from '../analyzer/index.js';
import { renderBeforeAfter, type BeforeAfter } from './before-after.js';
import type { Calibration } from './calibrate.js';
import type { StepName, StepNumbers } from './lab-step.js';
import { renderLessons, type Lesson } from './lessons.js';
import type { VerifyPlan } from './verify-size.js';

export interface ArcStep {
  step: StepName;
  variant: string;
  workers: number;
  runId: string;
  dir: string;
  /** what this step's app served in its own probe, req/s */
  probeRps: number;
  studiersPeak: number;
  /** set when this step's own probe raised its peak (calibrate.ts laterStepPeak): the peak it replaced */
  peakRaisedFrom?: number;
  numbers: StepNumbers;
  findings: { id: string; severity: string; title: string; counts: Record<string, number> }[];
  /** the capacity plan's size change, e.g. "1 vCPU / 2 GB → 2 vCPU / 4 GB" */
  plan?: string;
}

export interface ArcSummary {
  version: 1;
  runId: string;
  mode: string;
  cores: number;
  settings: { timeScale: number; vuScale: number; timeoutMs: number; cpuWorkMs: number; poolMax: number; peakRatio: number };
  calibration: Calibration;
  steps: ArcStep[];
  lessons: Lesson[];
  /** the size the plan recommends, what this machine can host, and the AWS size to try */
  sizing: VerifyPlan;
  /** before (fixed, 1 worker) → after (fixed, the verified size), when the arc measured both */
  verification?: BeforeAfter;
  /** logjam compare between steps (lab/what-changed.ts): its verdict and the findings it saw vanish or appear */
  comparisons?: ArcComparison[];
  /** the first run of each step that did not overload the worker and was run again, in the order they ran */
  reruns?: ArcRerun[];
}

/** A step run a second time because its first run did not overload the worker (calibrate.ts overloadAgainPeak). */
export interface ArcRerun {
  step: StepName;
  /** the first run's folder (kept) */
  firstDir: string;
  firstStudiersPeak: number;
  firstNumbers: StepNumbers;
  /** what the worker served during the first run, req/s (its capacity from the analysis) */
  servedRps: number;
  /** the studiers at the peak of the run that counts */
  studiersPeak: number;
}

export interface ArcComparison {
  base: string;
  run: string;
  /** the lab run the base step belongs to (another one for --fixed against an earlier buggy run) */
  baseLabId: string;
  verdict: string;
  findingsVanished: string[];
  findingsAppeared: string[];
  /** the comparison as text (and .html beside it) */
  file: string;
}

interface Style {
  bold: (s: string) => string;
  green: (s: string) => string;
  dim: (s: string) => string;
  yellow: (s: string) => string;
}

const fixed = (v: number | undefined, digits = 0): string => (v === undefined ? '–' : v.toFixed(digits));

/** The handout's headline figure: the share of checks that passed (its students see 94 %). */
function checksPassed(n: StepNumbers): string {
  return n.checksTotal > 0 ? `${((100 * (n.checksTotal - n.checksFailed)) / n.checksTotal).toFixed(1)} %` : '–';
}

function stepsTable(steps: ArcStep[]): string[] {
  const rows = steps.map((s) => [
    s.step,
    String(s.workers),
    String(s.studiersPeak),
    String(s.numbers.requests),
    `${s.numbers.checksFailed} / ${s.numbers.checksTotal}`,
    checksPassed(s.numbers),
    String(s.numbers.noResponse),
    String(s.numbers.answeredCheckFailures),
    fixed(s.numbers.rho, 2),
    fixed(s.numbers.capacityRps),
    fixed(s.numbers.serverP95Ms),
  ]);
  const right: Align[] = ['left', ...Array.from({ length: 10 }, (): Align => 'right')];
  return table(['step', 'workers', 'studiers at peak', 'requests', 'failed checks', 'checks passed', 'no response', 'failed on answered', 'ρ', 'capacity req/s', 'p95 ms'], rows, right);
}

function verificationLines(summary: ArcSummary, style: Style): string[] {
  const { sizing, verification } = summary;
  const out: string[] = [];
  const verify = summary.steps.find((s) => s.step === 'verify');
  const before = summary.steps.find((s) => s.step === 'fixed');
  if (!sizing.canHost) {
    out.push(
      style.yellow(
        `this machine cannot host the recommended ${sizing.recommendedWorkers} workers (${sizing.cores} cores, shared with the load ` +
          `generator and PostgreSQL): ${verify ? `it verified ${verify.workers} workers, the largest it can` : `the largest size it can verify is ${sizing.hostableWorkers} workers`}.`,
      ),
    );
  }
  if (verify && before && verification) {
    out.push(`measured here — the fixed test at ${before.workers} worker${before.workers > 1 ? 's' : ''} → at ${verify.workers} workers (same calibrated peak):`);
    for (const line of renderBeforeAfter(verification, { before: `${before.workers} worker${before.workers > 1 ? 's' : ''}`, after: `${verify.workers} workers` })) out.push(`   ${line}`);
    const rho = verification.rhoBelowOne ? 'ρ below 1' : 'ρ still ≥ 1';
    const grew = before.numbers.capacityRps && verify.numbers.capacityRps ? verify.numbers.capacityRps / before.numbers.capacityRps : undefined;
    if (grew !== undefined && grew < 0.75 * (verify.workers / before.workers)) {
      out.push(
        style.yellow(
          `   ${verify.workers} workers served ${grew.toFixed(2)} × what ${before.workers} did: this machine's cores are taken (the load generator, ` +
            `PostgreSQL, other work), so it cannot really host this size.`,
        ),
      );
    }
    out.push(`   ${verification.verdict === 'timeouts gone' || verification.verdict === 'timeouts reduced' ? style.green(verification.verdict) : style.yellow(verification.verdict)}, ${rho}.`);
    if (!sizing.canHost || !verification.rhoBelowOne || verification.verdict === 'timeouts not reduced') {
      out.push('   This is what this machine measured, not the recommended size on AWS: verify that there (below).');
    }
  } else {
    out.push(`not measured in this run: \`npm start -- --verify\` runs the fixed test at 1 worker, then at ${sizing.workers} workers, and compares them.`);
  }
  if (sizing.aws) {
    const a = sizing.aws;
    out.push(
      `on AWS, try: ${a.tasks} task${a.tasks > 1 ? 's' : ''} of ${a.cpuUnits / 1024} vCPU / ${a.memoryMiB / 1024} GB with ${a.workersPerTask} worker${a.workersPerTask > 1 ? 's' : ''} ` +
        `(terraform/variables.tf: ${a.terraform}), then run the fixed test there and \`logjam analyze\` it.`,
    );
  }
  return out;
}

export function renderArcSummary(summary: ArcSummary, style: Style): string {
  const c = summary.calibration;
  const out: string[] = [style.bold("The lab's arc, measured on this machine"), ''];
  out.push(
    (c.lightened
      ? `calibration: with CPU_WORK_MS=${c.lightened.fromCpuWorkMs} one worker served only ${c.lightened.rps.toFixed(0)} req/s (a slow or busy machine), so the knob was lightened; `
      : 'calibration: ') +
      `one worker served ${c.oneWorkerRps.toFixed(0)} req/s in a ${c.probe.durationS} s probe (CPU_WORK_MS=${c.cpuWorkMs}${c.probe.cpuRps !== undefined ? `; ${c.probe.cpuRps.toFixed(0)} req/s per CPU second of the app` : ''}); ` +
      `the studiers' peak is ${c.ratio} × that: ${c.studiersPeak} studiers / ${c.studierThinkS} s think + ${c.plannerRps.toFixed(0)} req/s of planners ` +
      `≈ ${c.peakArrivalRps.toFixed(0)} req/s (the handout's 2,500 studiers, sized to this machine's speed now); ` +
      `${c.planners.iterations} planner iterations on ${c.planners.vus} VU${c.planners.vus > 1 ? 's' : ''} (the handout's 400 on 20, scaled with the studiers: ` +
      `the same share of the checks).`,
  );
  for (const rerun of summary.reruns ?? []) {
    const n = rerun.firstNumbers;
    out.push(
      `the ${rerun.step} test ran twice: at ${rerun.firstStudiersPeak} studiers its worker served ${rerun.servedRps.toFixed(0)} req/s (ρ ${fixed(n.rho, 2)}, ` +
        `${n.timeouts} timeouts in ${n.requests} requests: the machine served more than its probe said), so it ran again at ${c.ratio} × that, ` +
        `${rerun.studiersPeak} studiers; the table shows the second run (the first is in ${rerun.firstDir}).`,
    );
  }
  for (const s of summary.steps) {
    if (s.peakRaisedFrom !== undefined) {
      out.push(
        `the ${s.step} step's own probe served ${s.probeRps.toFixed(0)} req/s, more than the calibration's ${c.oneWorkerRps.toFixed(0)} (the machine was less busy): ` +
          `its peak was raised from ${s.peakRaisedFrom} to ${s.studiersPeak} studiers, ${c.ratio} × what it served, so part of its change in throughput is the load's.`,
      );
    }
  }
  out.push('');
  out.push(...stepsTable(summary.steps));
  out.push('');
  out.push(style.bold('What the lab teaches, found in these runs:'), '');
  out.push(...renderLessons(summary.lessons, style));
  const plan = summary.steps.find((s) => s.step === 'fixed')?.plan ?? summary.steps.find((s) => s.plan)?.plan;
  const n = summary.sizing.recommendedWorkers;
  out.push(
    `${style.bold('Recommendation:')} ${plan ?? 'no capacity plan was computed'} — ` +
      (n > 1 ? `${n} workers (Node: one per vCPU).` : 'the plan finds one worker enough for this load (no timeouts to end).'),
  );
  out.push(`${style.bold('Verification:')}`);
  for (const line of verificationLines(summary, style)) out.push(`   ${line}`);
  return out.join('\n');
}
