/**
 * `logjam load [file]`: a scenario file written against `logjam/load` (k6's API), or the lab's named scenario,
 * from Node (no k6 needed). Exit 99 when a threshold failed (as k6). Text summary (or --json) on stdout; the run id,
 * live progress (terminals only) and messages on stderr. Exit 0 when the run happened — failed checks included,
 * like k6 without thresholds — 2 for bad arguments or an endpoint nothing listens on, 130 after Ctrl-C (the
 * summary of what ran is still printed and written).
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { UsageError } from '../common/errors.js';
import { numberFlag as factor } from './options.js';
import { parseDurationMs, DEFAULT_ENDPOINT } from '../loadtests/runner/options.js';
import { SCENARIOS } from '../loadtests/scenarios/index.js';
import type { RunInput } from '../loadtests/runner/run-load.js';

interface LoadFlags {
  scenario?: string;
  env?: string[];
  variant?: string;
  endpoint?: string;
  runId?: string;
  timeScale: string;
  vuScale: string;
  timeout: string;
  summary?: string;
  /** --client-log <file>, or false for --no-client-log */
  clientLog?: string | false;
  json?: boolean;
}

/** --env KEY=VALUE (repeatable) -> __ENV */
export function parseEnvFlags(pairs: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env takes KEY=VALUE, got "${pair.slice(0, 50)}"`, 'example: --env BASE_PATH=/api');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** CLI strings -> runner input; the runner validates the values themselves. */
export function flagsToInput(flags: LoadFlags, file?: string): RunInput {
  const timeoutMs = parseDurationMs(flags.timeout);
  if (timeoutMs === undefined) {
    throw new UsageError(`--timeout must be a positive duration, got "${flags.timeout.slice(0, 50)}"`, 'examples: 60s, 500ms, 2m');
  }
  if (file !== undefined && flags.scenario !== undefined) throw new UsageError('give a scenario file or --scenario, not both');
  return {
    ...(file !== undefined ? { scenarioFile: file } : {}),
    env: parseEnvFlags(flags.env),
    scenario: flags.scenario,
    variant: flags.variant,
    endpoint: file !== undefined ? flags.endpoint : (flags.endpoint ?? DEFAULT_ENDPOINT),
    runId: flags.runId,
    timeScale: factor('--time-scale', flags.timeScale),
    vuScale: factor('--vu-scale', flags.vuScale),
    timeoutMs,
    summaryPath: flags.summary,
    ...(flags.clientLog === false ? { clientLogPath: null } : flags.clientLog !== undefined ? { clientLogPath: flags.clientLog } : {}),
  };
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .argument('[file]', 'a scenario file (.js/.mjs/.ts/.mts) written against logjam/load (docs/loadtests.md)')
    .description("run a load test from Node: a k6-style scenario file, or the lab's scenario (default)")
    .option('--scenario <name>', `a named scenario instead of a file (${Object.keys(SCENARIOS).join(', ')}; the default without a file)`)
    .option('--variant <name>', "buggy (the lab's script as written) or fixed", 'buggy')
    .option('-e, --env <KEY=VALUE>', "__ENV value for the scenario, k6's -e (repeatable)", (v: string, all: string[] = []) => [...all, v])
    .option('--endpoint <url>', `base URL of the service, probed first and given as __ENV.ENDPOINT (named scenarios: default ${DEFAULT_ENDPOINT})`)
    .option('--run-id <id>', 'run id sent as X-Run-Id on every request (default: run-<yyyymmdd-hhmmss>-<hex>)')
    .option('--time-scale <factor>', 'multiply every duration: stages, sleeps, timeUnit, startTime, graceful stops (0.05 runs the lab in ~20 s)', '1')
    .option('--vu-scale <factor>', 'multiply VU counts, iterations and arrival rates (each stays at least 1)', '1')
    .option('--timeout <duration>', 'per-request timeout, NOT scaled by --time-scale', '60s')
    .option('--summary <file>', 'where the summary JSON goes (default: runs/<run-id>/summary.json)')
    .option('--client-log <file>', 'the client request log, one line per request (default: client.ndjson next to the summary)')
    .option('--no-client-log', 'write no client request log')
    .option('--json', 'print the summary JSON on stdout instead of the text summary')
    .addHelpText(
      'after',
      `
Exit codes: 0 the run happened (failed checks included), 99 a threshold failed (as k6), 2 bad arguments, a bad
scenario file or endpoint unreachable, 130 Ctrl-C.
Examples: logjam load checkout.ts --endpoint http://127.0.0.1:8080 -e USER=demo
          logjam load --time-scale 0.05 --vu-scale 0.1 --endpoint http://127.0.0.1:3000`,
    )
    .action(async (file: string | undefined, flags: LoadFlags) => {
      const input = flagsToInput(flags, file);
      // the runner (its HTTP client, undici, ~30 MB) loads only when a load test runs: every other command of the
      // CLI (analyze above all) imports this module to register the command
      const { runLoad, renderTextSummary, terminalProgress } = await import('../loadtests/runner/index.js');
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
          // on a terminal, the message replaces the progress line (which redraws below it)
          onWarning: (message) => process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[2K" : ""}${message}\n`),
          onStart: ({ options, summaryPath, clientLogPath, maxDurationMs }) => {
            const what = file ?? `${options.scenario} (${options.variant})`;
            const where = file !== undefined && flags.endpoint === undefined ? '' : ` → ${options.endpoint}`;
            process.stderr.write(
              `run id: ${options.runId}\n` +
                `${what}${where}, time scale ${options.timeScale}, ` +
                `VU scale ${options.vuScale}; stops within ${Math.ceil(maxDurationMs / 1000)} s\n` +
                `summary JSON: ${summaryPath}\n` +
                (clientLogPath ? `client request log: ${clientLogPath}\n` : ''),
            );
          },
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
        } else {
          const color = process.stdout.isTTY === true && pc.isColorSupported;
          process.stdout.write(renderTextSummary(result.summary, { color, summaryPath: result.summaryPath }));
        }
        if (result.exitCode !== 0) process.exitCode = result.exitCode;
        if (stop.signal.aborted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
