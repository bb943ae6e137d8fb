/**
 * `logjam load`: the lab's load test from Node (no k6 needed). Text summary (or --json) on stdout; the run id,
 * live progress (terminals only) and messages on stderr. Exit 0 when the run happened — failed checks included,
 * like k6 without thresholds — 2 for bad arguments or an endpoint nothing listens on, 130 after Ctrl-C (the
 * summary of what ran is still printed and written).
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { UsageError } from '../common/errors.js';
import { numberFlag as factor } from './options.js';
import { runLoad, parseDurationMs, renderTextSummary, terminalProgress, SCENARIOS, DEFAULT_ENDPOINT } from '../loadtests/runner/index.js';
import type { LoadOptionsInput } from '../loadtests/runner/index.js';

interface LoadFlags {
  scenario: string;
  variant?: string;
  endpoint: string;
  runId?: string;
  timeScale: string;
  vuScale: string;
  timeout: string;
  summary?: string;
  json?: boolean;
}

/** CLI strings -> runner input; the runner validates the values themselves. */
export function flagsToInput(flags: LoadFlags): LoadOptionsInput {
  const timeoutMs = parseDurationMs(flags.timeout);
  if (timeoutMs === undefined) {
    throw new UsageError(`--timeout must be a positive duration, got "${flags.timeout.slice(0, 50)}"`, 'examples: 60s, 500ms, 2m');
  }
  return {
    scenario: flags.scenario,
    variant: flags.variant,
    endpoint: flags.endpoint,
    runId: flags.runId,
    timeScale: factor('--time-scale', flags.timeScale),
    vuScale: factor('--vu-scale', flags.vuScale),
    timeoutMs,
    summaryPath: flags.summary,
  };
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description("run a load test from Node, the same traffic as the lab's k6 script (loadtests/k6/)")
    .option('--scenario <name>', `scenario to run (${Object.keys(SCENARIOS).join(', ')})`, 'planners-and-studiers')
    .option('--variant <name>', "buggy (the lab's script as written) or fixed", 'buggy')
    .option('--endpoint <url>', 'base URL of the service under test', DEFAULT_ENDPOINT)
    .option('--run-id <id>', 'run id sent as X-Run-Id on every request (default: run-<yyyymmdd-hhmmss>-<hex>)')
    .option('--time-scale <factor>', 'multiply every stage, sleep and graceful stop (0.05 runs the lab in ~20 s)', '1')
    .option('--vu-scale <factor>', 'multiply VU targets and iterations (each stays at least 1)', '1')
    .option('--timeout <duration>', 'per-request timeout, NOT scaled by --time-scale', '60s')
    .option('--summary <file>', 'where the summary JSON goes (default: runs/<run-id>/summary.json)')
    .option('--json', 'print the summary JSON on stdout instead of the text summary')
    .addHelpText(
      'after',
      `
Exit codes: 0 the run happened (failed checks included), 2 bad arguments or endpoint unreachable, 130 Ctrl-C.
Example: logjam load --time-scale 0.05 --vu-scale 0.1 --endpoint http://127.0.0.1:3000`,
    )
    .action(async (flags: LoadFlags) => {
      const input = flagsToInput(flags);
      const stop = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write('\nstopping: finishing the summary (Ctrl-C again to quit at once)\n');
          stop.abort();
        } else {
          process.exit(130);
        }
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await runLoad(input, {
          signal: stop.signal,
          onProgress: terminalProgress(process.stderr),
          onStart: ({ options, summaryPath, maxDurationMs }) => {
            process.stderr.write(
              `run id: ${options.runId}\n` +
                `${options.scenario} (${options.variant}) → ${options.endpoint}, time scale ${options.timeScale}, ` +
                `VU scale ${options.vuScale}; stops within ${Math.ceil(maxDurationMs / 1000)} s\n` +
                `summary JSON: ${summaryPath}\n`,
            );
          },
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
        } else {
          const color = process.stdout.isTTY === true && pc.isColorSupported;
          process.stdout.write(renderTextSummary(result.summary, { color, summaryPath: result.summaryPath }));
        }
        if (stop.signal.aborted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
