#!/usr/bin/env node
/**
 * The `logjam` command: wires one commander command per file. Data goes to stdout, progress and messages to
 * stderr; errors become one clear message and an exit code (see errors.ts), never a stack trace.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { LogjamError, EXIT } from './errors.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerRuns } from './commands/runs.js';
import { registerTrace } from './commands/trace.js';
import { registerCapacity } from './commands/capacity.js';
import { registerLoad } from './commands/load.js';

// The AWS SDK warns on every CloudWatch call that its releases after early January 2027 need Node 22. logjam pins an
// SDK range that supports Node 20 (README, "Requirements"), so the warning would only be noise on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `lab` and `app` need the lab and the sample app, which stay in the repository: the published package leaves them
 * out (docs/packaging.md). Their commands are registered only when those modules are there; any other failure to
 * load them is a real error.
 */
const REPO_ONLY_DIRS = ['/lab/', '/sample-app/'];
async function loadRepoOnlyCommand<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const missing = /Cannot find module '([^']+)'/.exec(e.message ?? '')?.[1]?.replaceAll('\\', '/') ?? '';
    if (e.code === 'ERR_MODULE_NOT_FOUND' && REPO_ONLY_DIRS.some((dir) => missing.includes(dir))) return undefined;
    throw err;
  }
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('logjam')
    .description('Structured request logs for services under load, and an analyzer that explains what failed and why.')
    .version('0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Common workflows:
  logjam lab                                     the whole lab here (what \`npm start\` runs)
  logjam app  +  logjam load --endpoint …        a service under load, logs to LOG_FILE
  logjam runs --logs runs/                       which runs a source holds
  logjam analyze --run <id> --logs app.ndjson --client-summary summary.json --html report.html
  logjam analyze --run <id> --log-group taskoverflow --region us-east-1
  logjam trace <request-id> --logs app.ndjson

Exit codes: 0 done, 1 a --fail-on threshold breached, 2 usage or source error (docs/errors.md).
Docs: README.md, docs/ (lab, log schema, analyzer, capacity, reliability).`,
    );
  (await loadRepoOnlyCommand(() => import('./commands/lab.js')))?.registerLab(program);
  (await loadRepoOnlyCommand(() => import('./commands/app.js')))?.registerApp(program);
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
    process.stderr.write(`logjam: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  ${err.hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`logjam: unexpected error: ${message}\n  (set LOGJAM_DEBUG=1 for the stack trace)\n`);
  if (process.env.LOGJAM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.usageOrSource;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram();
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
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
