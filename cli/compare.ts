/**
 * `logjam compare <base-run> <run>`: what changed between two runs, and why — each run analyzed by the same pipeline
 * as `logjam analyze`, then compared with noise-aware verdicts (docs/compare.md). Both runs come from one source
 * (--logs / --log-group), or the base from another (--base-logs / --base-log-group). Exit codes: 0 done, 1 a
 * --fail-on limit breached (after the comparison is printed), 2 usage or source error.
 */
import type { Command } from 'commander';
import {
  analyzeAndCompare,
  COMPARE_FORMATS,
  describeGateResult,
  loadClientView,
  parseDeploymentFacts,
  parseGateLimits,
  type ClientView,
  type DeploymentFlags,
  type RunComparison,
  type RunSource,
} from '../analyzer/index.js';
import { LogjamError, UsageError } from '../common/errors.js';
import { addDeploymentOptions } from './capacity.js';
import { writeReportFile } from './output.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

export interface CompareFlags extends SourceFlags, DeploymentFlags {
  baseLogs?: string;
  baseLogGroup?: string;
  clientSummary?: string;
  baseClientSummary?: string;
  json?: boolean;
  markdown?: boolean;
  html?: string;
  out?: string;
  queries?: boolean;
  failOn?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('what changed between two runs, and why: latency split into pool wait / database / the rest, error rates, findings gone and new, capacity — with noise-aware verdicts')
    .argument('<base-run>', 'the run id to compare against (before: the base)')
    .argument('<run>', 'the run id to judge (after)');
  addSourceOptions(cmd);
  cmd
    .option('--base-logs <file|dir>', 'read the base run from these NDJSON logs instead of --logs/--log-group')
    .option('--base-log-group <name>', 'read the base run from this CloudWatch log group instead (same --region/--profile)')
    .option('--client-summary <file>', "the run's client summary (k6's or the runner's): client requests with no server line, check findings")
    .option('--base-client-summary <file>', "the base run's client summary")
    .option('--json', 'print the comparison as JSON (stable shape, see docs/compare.md)')
    .option('--markdown', 'print the comparison as Markdown (for a pull request)')
    .option('--html <file>', 'also write a self-contained HTML page overlaying both runs (opens offline)')
    .option('--out <file>', 'write the comparison to a file instead of stdout')
    .option('--queries', "print the findings' evidence queries in the terminal output (always in --json/--markdown)")
    .option(
      '--fail-on <limit>',
      'exit 1 when a change breaks it (and is not noise): "p95<+10%", "mean<+5ms", "error_rate<+0.5pp", "rps>-10%", "GET /api/v1/todos:p95<+10%" (repeatable)',
      collect,
    );
  cmd.addHelpText(
    'after',
    `
Verdicts (docs/compare.md): each change is a regression, an improvement or "no significant change". Latency: a
bootstrap interval of run − base (time bins resampled for the whole run) must exclude 0 AND the change must exceed
max(10 % of the base, 2 ms); a percentile needs 25 requests beyond it on each side. Rates: two-proportion test
(p < 0.05) and more than 0.1 pp. Throughput: Poisson rate test and more than 10 %.

Examples:
  logjam compare lab-buggy lab-fixed --logs runs/ --base-client-summary b.json --client-summary f.json
  logjam compare main-123 pr-456 --log-group taskoverflow --fail-on 'p95<+10%' --fail-on 'error_rate<+0.5pp'
  logjam compare before after --logs after.ndjson --base-logs before.ndjson --html compare.html

Exit codes: 0 done, 1 a --fail-on limit breached (listed on stderr), 2 usage or source error.`,
  );
  addDeploymentOptions(cmd).action(async (baseRun: string, run: string, opts: CompareFlags) => {
    await runCompare(baseRun, run, opts);
  });
}

const given = (v: string | undefined) => v !== undefined && v !== '';

/** The run's source and the base's: one shared source unless --base-logs/--base-log-group names another. */
async function openSources(opts: CompareFlags): Promise<{ base: RunSource; run: RunSource }> {
  const baseLocal = given(opts.baseLogs);
  const baseCloud = given(opts.baseLogGroup);
  if (baseLocal && baseCloud) throw new UsageError('give either --base-logs or --base-log-group, not both');
  const runCloud = given(opts.logGroup);
  const runFlags: SourceFlags = { ...opts };
  // --region/--profile may be there for a CloudWatch base only
  if (!runCloud && baseCloud) {
    delete runFlags.region;
    delete runFlags.profile;
  }
  const run = await openSource(runFlags);
  if (!baseLocal && !baseCloud) return { base: run, run };
  // --since/--until belong to the run: a base from elsewhere is found by its own run id
  const baseFlags: SourceFlags = baseLocal
    ? { logs: opts.baseLogs, followSymlinks: opts.followSymlinks }
    : { logGroup: opts.baseLogGroup, region: opts.region, profile: opts.profile, maxParallelQueries: opts.maxParallelQueries };
  return { base: await openSource(baseFlags), run };
}

export async function runCompare(baseRun: string, runRun: string, opts: CompareFlags): Promise<RunComparison> {
  if (opts.json && opts.markdown) throw new UsageError('give --json or --markdown, not both');
  const baseId = baseRun?.trim();
  const runId = runRun?.trim();
  if (!baseId || !runId) throw new UsageError('compare needs two run ids: logjam compare <base-run> <run>', '`logjam runs --logs <file>` lists the runs a source holds');
  // bad limits, facts and client summaries fail before the (possibly long) read of the logs
  const gate = parseGateLimits(opts.failOn);
  const facts = parseDeploymentFacts(opts);
  const baseClient: ClientView | undefined = opts.baseClientSummary ? await loadClientView(opts.baseClientSummary) : undefined;
  const runClient: ClientView | undefined = opts.clientSummary ? await loadClientView(opts.clientSummary) : undefined;
  const sources = await openSources(opts);
  const { comparison } = await analyzeAndCompare({
    base: { source: sources.base, runId: baseId, client: baseClient, facts },
    run: { source: sources.run, runId, client: runClient, facts },
    options: { gate },
  });
  if (opts.html) await writeReportFile(opts.html, COMPARE_FORMATS.html(comparison));

  const cloud = comparison.run.source.startsWith('cloudwatch:') || comparison.base.source.startsWith('cloudwatch:');
  const text = opts.json
    ? COMPARE_FORMATS.json(comparison)
    : opts.markdown
      ? COMPARE_FORMATS.markdown(comparison)
      : COMPARE_FORMATS.terminal(comparison, { queries: opts.queries ?? cloud });
  if (opts.out) await writeReportFile(opts.out, text);
  else process.stdout.write(text);

  const breached = (comparison.gate ?? []).filter((g) => !g.ok);
  if (breached.length > 0) {
    throw new LogjamError(
      'LJ_THRESHOLD_BREACHED',
      `${breached.length} of ${comparison.gate!.length} --fail-on limits breached:\n${breached.map((g) => `  ✗ ${describeGateResult(g)}`).join('\n')}`,
    );
  }
  return comparison;
}
