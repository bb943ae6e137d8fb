/**
 * `logjam lab` (what `npm start` runs): the whole load-testing lab on this machine with embedded defaults —
 * PostgreSQL, TaskOverflow, the lab's k6 scenario through the Node runner, and the analysis that finds the lab's
 * three lessons. Report on stdout, progress on stderr; report.html in the run's folder.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { parseDurationMs } from '../loadtests/runner/index.js';
import { assertLabOptions, runLab, type LabOptions } from '../lab/run-lab.js';
import { UsageError } from '../common/errors.js';
import { numberFlag as number } from './options.js';
import { useColor } from '../analyzer/index.js';

interface LabFlags {
  fixed?: boolean;
  timeScale: string;
  vuScale: string;
  timeout: string;
  cpuWorkMs: string;
  poolMax: string;
  runsDir?: string;
}

/**
 * The lab compressed ~7×: the 6-minute ramp and the planners' 400 iterations run in about 70 s, with all 2520 VUs.
 * Measured on a 2-core machine (docs/lab.md): ~82% of checks pass, the offered load is just past what the app
 * serves (ρ ≈ 1.05) and the CPU is the bottleneck — the lab's three lessons, with margin for a faster machine.
 */
export const LAB_DEFAULTS = { timeScale: '0.15', vuScale: '1', timeout: '9s', cpuWorkMs: '3', poolMax: '10' } as const;

export function labFlagsToOptions(flags: LabFlags): LabOptions {
  const timeoutMs = parseDurationMs(flags.timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout must be a duration like 6s or 500ms, got "${flags.timeout.slice(0, 50)}"`);
  const options: LabOptions = {
    variant: flags.fixed ? 'fixed' : 'buggy',
    timeScale: number('--time-scale', flags.timeScale),
    vuScale: number('--vu-scale', flags.vuScale),
    timeoutMs,
    cpuWorkMs: number('--cpu-work-ms', flags.cpuWorkMs),
    poolMax: number('--pool-max', flags.poolMax),
    runsDir: flags.runsDir,
  };
  assertLabOptions(options);
  return options;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('run the whole load-testing lab here: PostgreSQL + TaskOverflow + the k6 scenario (Node runner) + the analysis')
    .option('--fixed', 'run the fixed test (both client bugs corrected) to see what is left')
    .option('--time-scale <factor>', "multiply every stage and sleep of the lab's scenario", LAB_DEFAULTS.timeScale)
    .option('--vu-scale <factor>', 'multiply the virtual users (2500 studiers + 20 planners at 1)', LAB_DEFAULTS.vuScale)
    .option('--timeout <duration>', "per-request timeout (k6's 60 s, scaled like the rest)", LAB_DEFAULTS.timeout)
    .option('--cpu-work-ms <ms>', "synchronous work per request in the app: emulates the lab's 1 vCPU Python worker", LAB_DEFAULTS.cpuWorkMs)
    .option('--pool-max <n>', "the app's DB pool size", LAB_DEFAULTS.poolMax)
    .option('--runs-dir <dir>', 'where run folders go (default: runs/ in the project)')
    .addHelpText(
      'after',
      `
What it does: starts an embedded PostgreSQL and the sample app (logs to runs/<run-id>/app.ndjson), runs the
lab's planners-and-studiers test against it, stops the app, then analyzes the run with the client's summary:
the report on stdout, the three lessons, and runs/<run-id>/report.html (+ .md, .json).
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
