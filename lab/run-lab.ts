/**
 * The whole lab on this machine, in one call: its arc as measured steps — the buggy test, the fixed test, and (with
 * --verify) the fixed test against the size the capacity plan recommends — each on a fresh embedded PostgreSQL and
 * TaskOverflow, then the closing summary: the three lessons, the recommendation and its verification.
 *
 * The first step calibrates: a short probe measures what one worker serves here and now, and the studiers' peak is
 * set to a multiple of it, so the peak overloads one worker by the same ratio on a fast machine and a busy one
 * (docs/lab.md). Every later step keeps that peak, so the steps compare like for like.
 *
 * Stops cleanly at any point: an abort (Ctrl-C) ends the load, then the app shuts down gracefully, which stops the
 * database. Nothing is left running.
 */
import { appendFile, readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import { COMPARE_FORMATS, OUTPUT_FORMATS } from '../analyzer/index.js';
import { UsageError } from '../common/errors.js';
import { projectRoot } from '../common/project-root.js';
import { generateRunId } from '../loadtests/runner/options.js';
import { renderArcSummary, type ArcRerun, type ArcSummary } from './arc-summary.js';
import { beforeAfter } from './before-after.js';
import { calibrate, laterStepPeak, lighterCpuWork, overloadAgainPeak, probeCapacityRps, type Calibration } from './calibrate.js';
import { labPlanners, plannerRps, studierThinkS } from './lab-scenario.js';
import { runStep, type StepName, type StepResult } from './lab-step.js';
import { arcLessons, type LineToChange, type RunFacts } from './lessons.js';
import { planVerification } from './verify-size.js';
import { compareLabSteps, findEarlierBuggyStep, type StepComparison } from './what-changed.js';

export type LabMode = 'arc' | 'fixed' | 'verify';

export interface LabOptions {
  mode: LabMode;
  /** multiplies every stage and sleep of the lab's scenario */
  timeScale: number;
  vuScale: number;
  /** per-request timeout of the load runner, ms */
  timeoutMs: number;
  /** the sample app's CPU_WORK_MS knob: CPU time per request (see docs/lab.md for why the lab sets it) */
  cpuWorkMs: number;
  /** the sample app's DB_POOL_MAX */
  poolMax: number;
  /** the studiers' peak arrival rate over what one worker served in the probe */
  peakRatio: number;
  /** how long the capacity probe measures, ms */
  probeMs: number;
  /** where the lab's folder goes; default runs/ under the current directory */
  runsDir?: string;
  runId?: string;
}

export interface LabIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  color: boolean;
  signal: AbortSignal;
}

export interface LabResult {
  runId: string;
  dir: string;
  lessonsFound: number;
  interrupted: boolean;
  summary?: ArcSummary;
  /** logjam compare between the steps (what-changed.ts) */
  comparisons?: StepComparison[];
}

const STEPS: Record<LabMode, StepName[]> = { arc: ['buggy', 'fixed'], fixed: ['fixed'], verify: ['fixed', 'verify'] };

/** The lab's script, and the line of it that builds the DELETE URL from the missing `request.id`. */
async function lineToChange(): Promise<LineToChange | undefined> {
  const file = join('loadtests', 'k6', 'planners-and-studiers.js');
  const text = await readFile(join(projectRoot(), file), 'utf8').catch(() => undefined);
  const lines = text?.split('\n') ?? [];
  const index = lines.findIndex((l) => l.includes('${request.id}') && l.includes('http.del'));
  return index >= 0 ? { file, line: index + 1, text: lines[index]! } : undefined;
}

/** The step's report.md says how its load was sized (the HTML report does not: see lab.txt next to it). */
function calibrationMarkdown(c: Calibration, r: StepResult): string {
  return [
    '',
    '## Lab calibration',
    '',
    `- one worker served ${c.oneWorkerRps.toFixed(1)} req/s in the lab's first probe (${c.probe.durationS} s, CPU_WORK_MS=${c.cpuWorkMs})` +
      (c.lightened ? `, after CPU_WORK_MS=${c.lightened.fromCpuWorkMs} served only ${c.lightened.rps.toFixed(1)} req/s` : ''),
    `- the studiers' peak: ${c.ratio} × that = ${c.studiersPeak} studiers / ${c.studierThinkS} s think + ${c.plannerRps.toFixed(1)} req/s of planners ≈ ${c.peakArrivalRps.toFixed(1)} req/s`,
    `- the planners: ${c.planners.iterations} iterations on ${c.planners.vus} VU${c.planners.vus > 1 ? 's' : ''} (the handout's 400 on 20, scaled with the studiers: the same share of the checks)`,
    `- this step (${r.settings.step}, ${r.settings.workers} worker${r.settings.workers > 1 ? 's' : ''}): its own probe served ${r.probe.rps.toFixed(1)} req/s`,
    '',
  ].join('\n');
}

const facts = (r: StepResult): RunFacts => ({ step: r.settings.step, findings: r.findings, numbers: r.numbers, capacity: r.capacity });

export async function runLab(options: LabOptions, io: LabIo): Promise<LabResult> {
  const style = io.color ? pc : pc.createColors(false);
  const say = (msg: string): void => void io.stderr.write(`${style.cyan('lab')} ${msg}\n`);
  const runId = options.runId ?? generateRunId();
  // under the current directory, never inside the package (an installed copy lives in node_modules/logjam)
  const dir = join(options.runsDir ?? join(process.cwd(), 'runs'), runId);
  await mkdir(dir, { recursive: true });
  const shown = (p: string): string => relative(process.cwd(), p) || p;
  const steps = STEPS[options.mode];
  const cores = availableParallelism();
  say(`lab ${style.bold(runId)} — steps: ${steps.join(' → ')}, time scale ${options.timeScale}, ${cores} cores here`);

  let calibration: Calibration | undefined;
  let firstProbe: Calibration['lightened'];
  const results: Partial<Record<StepName, StepResult>> = {};
  let verifyPlan: ReturnType<typeof planVerification> | undefined;
  // A one-worker step runs a second time, once, when its first run did not overload the worker (overloadAgainPeak):
  // the probe before it was read while the machine was busier than during the run. The steps after it start from
  // the second run's peak, so the arc's steps still compare like for like. A step is queued twice only for its
  // second run, so a step with a record here is that second run.
  const reruns: ArcRerun[] = [];
  /** the studiers at the peak the next steps start from: the calibration's, or the last second run's */
  const peakNow = (): number => reruns.at(-1)?.studiersPeak ?? calibration!.studiersPeak;
  const queue = [...steps];
  for (let step = queue.shift(); step !== undefined; step = queue.shift()) {
    let workers = 1;
    const secondRunOf = reruns.find((r) => r.step === step);
    if (step === 'verify') {
      verifyPlan = planVerification(results.fixed?.capacity, cores);
      workers = verifyPlan.workers;
      say(
        verifyPlan.canHost
          ? `verifying the recommended size here: ${workers} workers`
          : `the plan recommends ${verifyPlan.recommendedWorkers} workers; this machine (${cores} cores, shared with the load generator and PostgreSQL) ` +
              `can host ${verifyPlan.hostableWorkers}: verifying ${workers}, the largest it can`,
      );
    }
    io.stderr.write(`\n${style.bold(`── ${step} run ──`)}\n`);
    const result = await runStep(
      {
        step,
        variant: step === 'buggy' ? 'buggy' : 'fixed',
        workers,
        runId: `${runId}-${step}`,
        dir: join(dir, step),
        timeScale: options.timeScale,
        vuScale: options.vuScale,
        timeoutMs: options.timeoutMs,
        cpuWorkMs: calibration?.cpuWorkMs ?? options.cpuWorkMs,
        poolMax: options.poolMax,
        probeMs: options.probeMs,
        onProbe: (probe, cpuWorkMs, canRetry) => {
          if (!calibration) {
            // the planners follow the studiers' peak, which is what the peak leaves after them: sized from the
            // studiers the peak would have alone, they are ~4 % of its requests, so the difference is negligible
            const thinkS = studierThinkS(options.timeScale);
            const planners = labPlanners(options.peakRatio * probeCapacityRps(probe) * thinkS);
            const plannersRps = plannerRps(planners, options.timeScale, options.vuScale);
            const lighter = canRetry ? lighterCpuWork(probe, cpuWorkMs, options.peakRatio, plannersRps) : undefined;
            if (lighter !== undefined) {
              firstProbe = { fromCpuWorkMs: cpuWorkMs, rps: probeCapacityRps(probe) };
              say(`one worker served only ${probeCapacityRps(probe).toFixed(0)} req/s with CPU_WORK_MS=${cpuWorkMs}: this machine is slow or busy now; starting over with CPU_WORK_MS=${lighter}`);
              return { retryCpuWorkMs: lighter };
            }
            calibration = calibrate(probe, options.peakRatio, thinkS, planners, plannersRps, cpuWorkMs, firstProbe);
            say(
              `calibrated: one worker served ${calibration.oneWorkerRps.toFixed(0)} req/s here${probe.cpuRps !== undefined ? ` (${probe.cpuRps.toFixed(0)} per CPU second of it: the rest went to the machine's other work)` : ''}; the studiers' peak is set to ` +
                `${options.peakRatio} × that: ${calibration.studiersPeak} studiers / ${calibration.studierThinkS} s think time + ` +
                `${calibration.plannerRps.toFixed(0)} req/s of planners ≈ ${calibration.peakArrivalRps.toFixed(0)} req/s; ` +
                `${planners.iterations} planner iterations on ${planners.vus} VU${planners.vus > 1 ? 's' : ''} (the handout's share of the checks)`,
            );
            return { studiersPeak: calibration.studiersPeak, planners: calibration.planners };
          }
          if (secondRunOf) {
            say(
              `${workers} worker${workers > 1 ? 's' : ''} served ${probe.rps.toFixed(0)} req/s in the probe; the peak is ${secondRunOf.studiersPeak} studiers ` +
                `(${calibration.ratio} × what the first ${step} run served)`,
            );
            return { studiersPeak: secondRunOf.studiersPeak, planners: calibration.planners };
          }
          // against the calibration's probe (probe to probe), from the peak the arc has now
          const peak = laterStepPeak({ ...calibration, studiersPeak: peakNow() }, probe, workers);
          say(
            peak.raisedFrom === undefined
              ? `${workers} worker${workers > 1 ? 's' : ''} served ${probe.rps.toFixed(0)} req/s in the probe; the peak stays at ${peakNow()} studiers`
              : `one worker served ${probe.rps.toFixed(0)} req/s in this probe, more than the calibration's ${calibration.oneWorkerRps.toFixed(0)} (the machine is less busy now): ` +
                  `the peak is raised from ${peak.raisedFrom} to ${peak.studiersPeak} studiers, so it still offers ${calibration.ratio} × what the worker serves`,
          );
          return { studiersPeak: peak.studiersPeak, planners: calibration.planners, ...(peak.raisedFrom !== undefined ? { peakRaisedFrom: peak.raisedFrom } : {}) };
        },
      },
      { stderr: io.stderr, signal: io.signal, say, dim: style.dim },
    );
    if (!result) {
      say(`interrupted: nothing is left running. The partial run's logs are in ${shown(join(dir, step))}`);
      return { runId, dir, lessonsFound: 0, interrupted: true };
    }
    results[step] = result;
    await appendFile(join(result.settings.dir, 'report.md'), calibrationMarkdown(calibration!, result));
    io.stdout.write(`\n${style.bold(`── ${step} run (${result.settings.workers} worker${result.settings.workers > 1 ? 's' : ''}) ──`)}\n`);
    io.stdout.write(OUTPUT_FORMATS.terminal.render(result.report, { color: io.color, queries: false }));
    const again = secondRunOf ? undefined : overloadAgainPeak(calibration!, result.numbers, result.studiersPeak, workers);
    if (again !== undefined) {
      // the first run's folder stays, beside the one that counts
      const firstDir = `${result.settings.dir}-not-overloaded`;
      await rename(result.settings.dir, firstDir);
      reruns.push({
        step,
        firstDir,
        firstStudiersPeak: result.studiersPeak,
        firstNumbers: result.numbers,
        servedRps: result.numbers.capacityRps!,
        studiersPeak: again,
      });
      const later = queue.length > 0 ? `; the ${queue.join(' and ')} step${queue.length > 1 ? 's' : ''} after it start${queue.length > 1 ? '' : 's'} from that peak` : '';
      say(
        `the ${step} run had no timeouts: its worker served ${result.numbers.capacityRps!.toFixed(0)} req/s during the run, ` +
          `${(result.numbers.capacityRps! / result.probe.rps).toFixed(2)} × its probe (the machine's other work eased off), so the peak ` +
          `(ρ ${result.numbers.rho?.toFixed(2) ?? '–'}) did not overload it. Running it once more at ${calibration!.ratio} × what it served: ${again} studiers ` +
          `(the first run is kept in ${shown(firstDir)})${later}`,
      );
      queue.unshift(step);
    }
  }

  const lessons = arcLessons({ buggy: results.buggy && facts(results.buggy), fixed: results.fixed && facts(results.fixed) }, await lineToChange());
  const sizing = verifyPlan ?? planVerification(results.fixed?.capacity ?? results.buggy?.capacity, cores);
  const summary: ArcSummary = {
    version: 1,
    runId,
    mode: options.mode,
    cores,
    settings: {
      timeScale: options.timeScale,
      vuScale: options.vuScale,
      timeoutMs: options.timeoutMs,
      cpuWorkMs: options.cpuWorkMs,
      poolMax: options.poolMax,
      peakRatio: options.peakRatio,
    },
    calibration: calibration!,
    steps: Object.values(results).map((r) => ({
      step: r.settings.step,
      variant: r.settings.variant,
      workers: r.settings.workers,
      runId: r.settings.runId,
      dir: r.settings.dir,
      probeRps: r.probe.rps,
      studiersPeak: r.studiersPeak,
      ...(r.peakRaisedFrom !== undefined ? { peakRaisedFrom: r.peakRaisedFrom } : {}),
      numbers: r.numbers,
      findings: r.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, counts: f.counts })),
      ...(r.capacity?.plan?.fargateChange ? { plan: r.capacity.plan.fargateChange } : {}),
    })),
    lessons,
    sizing,
    ...(reruns.length > 0 ? { reruns } : {}),
    ...(results.fixed && results.verify ? { verification: beforeAfter(results.fixed.numbers, results.verify.numbers) } : {}),
  };
  // logjam compare between the steps (and, for --fixed alone, against the latest earlier buggy run in runs/)
  const compared = Object.fromEntries(
    Object.values(results).map((r) => [r.settings.step, { step: r.settings.step, runId: r.settings.runId, analysis: r.analysis }]),
  );
  const runsDir = join(dir, '..');
  const earlierBuggy = results.fixed && !results.buggy ? await findEarlierBuggyStep(runsDir, runId) : undefined;
  const comparisons = await compareLabSteps(runId, dir, compared, earlierBuggy);
  for (const c of comparisons) {
    const against = c.base.labId === runId ? '' : ` (the buggy run of the earlier lab ${c.base.labId})`;
    io.stdout.write(`\n${style.bold(`── ${c.heading}${against} ──`)}\n`);
    io.stdout.write(COMPARE_FORMATS.terminal(c.comparison));
  }
  summary.comparisons = comparisons.map((c) => ({
    base: c.base.step,
    run: c.run.step,
    baseLabId: c.base.labId,
    verdict: c.comparison.verdict,
    findingsVanished: c.comparison.findings.vanished.map((f) => f.id),
    findingsAppeared: c.comparison.findings.appeared.map((f) => f.id),
    file: c.files[0]!,
  }));
  if (results.fixed && !results.buggy && !earlierBuggy) {
    say(`no earlier buggy lab run in ${shown(runsDir)} to compare the fix with: run \`npm start\` (the whole arc) for that`);
  }
  const text = renderArcSummary(summary, style);
  io.stdout.write(`\n${text}\n`);
  await writeFile(join(dir, 'lab.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(dir, 'lab.txt'), `${renderArcSummary(summary, pc.createColors(false))}\n`);
  const found = lessons.filter((l) => l.found).length;
  say(`${found} of 3 lessons found. The arc: ${style.bold(shown(join(dir, 'lab.txt')))} (lab.json for scripts); each run's report in ${shown(dir)}/<step>/report.html`);
  for (const r of Object.values(results)) {
    say(
      `again from the logs: logjam analyze --run ${r.settings.runId} --logs ${shown(r.logFile)} --client-summary ${shown(r.summaryPath)}` +
        (r.clientLog ? ` --client-log ${shown(r.clientLog)}` : ''),
    );
  }
  for (const c of comparisons) say(`${c.base.step} → ${c.run.step} compared: ${shown(c.files[0]!)} (and .html)`);
  return { runId, dir, lessonsFound: found, interrupted: false, summary, comparisons };
}

export function assertLabOptions(o: LabOptions): void {
  const bad = (flag: string, v: number, what = 'a positive number'): UsageError => new UsageError(`${flag} must be ${what}, got ${v}`);
  if (!(o.timeScale > 0 && o.timeScale <= 10)) throw bad('--time-scale', o.timeScale);
  if (!(o.vuScale > 0 && o.vuScale <= 10)) throw bad('--vu-scale', o.vuScale);
  if (!(o.timeoutMs > 0)) throw bad('--timeout', o.timeoutMs);
  if (!(o.cpuWorkMs >= 0 && o.cpuWorkMs <= 1000)) throw bad('--cpu-work-ms', o.cpuWorkMs, 'from 0 to 1000');
  if (!(o.poolMax >= 1 && Number.isInteger(o.poolMax))) throw bad('--pool-max', o.poolMax, 'a whole number ≥ 1');
  if (!(o.peakRatio > 0 && o.peakRatio <= 10)) throw bad('--peak-ratio', o.peakRatio, 'from 0 to 10');
  if (!(o.probeMs >= 500 && o.probeMs <= 60_000)) throw bad('--probe', o.probeMs, 'from 500ms to 60s');
}
