/**
 * `logjam lab` (what `npm start` runs): the whole load-testing lab on this machine with embedded defaults —
 * PostgreSQL, TaskOverflow, the lab's k6 scenario through the Node runner, and the analysis that finds the lab's
 * three lessons. Report on stdout, progress on stderr; report.html in the run's folder.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { parseDurationMs } from '../loadtests/runner/options.js';
import { assertLabOptions, runLab, type LabOptions } from '../lab/run-lab.js';
import { UsageError } from '../common/errors.js';
import { numberFlag as number } from './options.js';
import { useColor } from '../analyzer/index.js';

interface LabFlags {
  fixed?: boolean;
  verify?: boolean;
  timeScale: string;
  vuScale: string;
  timeout?: string;
  cpuWorkMs: string;
  poolMax: string;
  peakRatio: string;
  probe: string;
  runsDir?: string;
}

/**
 * The lab compressed 12.5×: the 6-minute ramp and the planners (scaled with the studiers) run in about 35 s per
 * step, so the default arc (buggy, then fixed) stays under 2 minutes. The studiers' peak is calibrated per machine
 * (docs/lab.md): 1.5 × what one worker served in the probe — measured, the least that times requests out after the
 * fixes with a margin for the probe's error, and little enough that most checks of the buggy run still pass, as in
 * the handout.
 */
export const LAB_DEFAULTS = { timeScale: '0.08', vuScale: '1', cpuWorkMs: '3', poolMax: '10', peakRatio: '1.5', probe: '3s' } as const;

/** k6's default per-request timeout; the lab scales it with the rest, so timeouts happen at the same point of the curve. */
const K6_TIMEOUT_MS = 60_000;

export function labFlagsToOptions(flags: LabFlags): LabOptions {
  if (flags.fixed && flags.verify) throw new UsageError('--fixed and --verify are two different arcs: give one (--verify runs the fixed test itself)');
  const timeScale = number('--time-scale', flags.timeScale);
  const timeoutMs = flags.timeout === undefined ? Math.round(K6_TIMEOUT_MS * timeScale) : parseDurationMs(flags.timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout must be a duration like 6s or 500ms, got "${(flags.timeout ?? '').slice(0, 50)}"`);
  const probeMs = parseDurationMs(flags.probe);
  if (probeMs === undefined) throw new UsageError(`--probe must be a duration like 3s, got "${flags.probe.slice(0, 50)}"`);
  const options: LabOptions = {
    mode: flags.verify ? 'verify' : flags.fixed ? 'fixed' : 'arc',
    timeScale,
    vuScale: number('--vu-scale', flags.vuScale),
    timeoutMs,
    cpuWorkMs: number('--cpu-work-ms', flags.cpuWorkMs),
    poolMax: number('--pool-max', flags.poolMax),
    peakRatio: number('--peak-ratio', flags.peakRatio),
    probeMs,
    runsDir: flags.runsDir,
  };
  assertLabOptions(options);
  return options;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('run the whole load-testing lab here: PostgreSQL + TaskOverflow + the k6 scenario (Node runner) + the analysis')
    .option('--fixed', 'run only the fixed test (both client bugs corrected) to see what is left')
    .option('--verify', 'run the fixed test at 1 worker, then at the size the capacity plan recommends (as many workers as this machine can host), and compare')
    .option('--time-scale <factor>', "multiply every stage and sleep of the lab's scenario", LAB_DEFAULTS.timeScale)
    .option('--vu-scale <factor>', "multiply the planners (at 1: the handout's share of the checks, scaled with the calibrated studiers)", LAB_DEFAULTS.vuScale)
    .option('--timeout <duration>', "per-request timeout (default: k6's 60 s × the time scale)")
    .option('--cpu-work-ms <ms>', "CPU time per request in the app: emulates the lab's 1 vCPU Python worker", LAB_DEFAULTS.cpuWorkMs)
    .option('--pool-max <n>', "the app's DB pool size", LAB_DEFAULTS.poolMax)
    .option('--peak-ratio <r>', "the studiers' peak arrival rate over what one worker served in the probe", LAB_DEFAULTS.peakRatio)
    .option('--probe <duration>', 'how long the capacity probe measures before each run', LAB_DEFAULTS.probe)
    .option('--runs-dir <dir>', 'where run folders go (default: runs/ in the project)')
    .addHelpText(
      'after',
      `
What it does, per step (default: the buggy test, then the fixed one; --fixed: the fixed one; --verify: the fixed
one at 1 worker, then at the recommended size): starts an embedded PostgreSQL and the sample app (logs to
runs/<lab-id>/<step>/app.ndjson), measures what the app serves (the first probe calibrates the studiers' peak),
runs the lab's planners-and-studiers test, stops the app, and analyzes the run with the client's summary
(runs/<lab-id>/<step>/report.html, .md, .json). Then the closing summary: the three lessons, the recommendation
and its verification (runs/<lab-id>/lab.txt; lab.json for scripts).
Ctrl-C stops everything cleanly (the load, the app, the database). Exit codes: 0 done, 2 could not run, 130 Ctrl-C.
See docs/lab.md for the walkthrough.`,
    )
    .action(async (flags: LabFlags) => {
      const options = labFlagsToOptions(flags);
      const stop = new AbortController();
      const onSignal = (): void => {
        if (!stop.signal.aborted) process.stderr.write('\nstopping: the load first, then the app and the database — please wait\n');
        else process.stderr.write('still stopping the app and the database…\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runLab(options, {
          stdout: process.stdout,
          stderr: process.stderr,
          color: useColor(process.stdout) && pc.isColorSupported,
          signal: stop.signal,
        });
        if (result.interrupted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
