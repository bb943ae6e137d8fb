/**
 * `logjam analyze --run <id>`: one run's findings from a source (local NDJSON or CloudWatch), optionally compared
 * with the client's summary; without --run, every request of the time window (--since/--until, else the whole
 * input) whatever its run id, as a service's own traffic carries none. Rendered for a terminal, as JSON (--json)
 * or Markdown (--markdown). Exit codes: 0 done, 1 a --fail-on threshold breached (after the report is printed),
 * 2 usage or source error.
 */
import type { Command } from 'commander';
import { parseDeploymentFacts, analyzeRun, OUTPUT_FORMATS, stdoutFormat, useColor, loadClientView, describeResult, parseThresholds, type DeploymentFlags, type ClientView, type AnalysisReport } from '../analyzer/index.js';
import { LogjamError, UsageError } from '../common/errors.js';
import { addDeploymentOptions } from './capacity.js';
import { writeReportFile } from './output.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

export interface AnalyzeFlags extends SourceFlags, DeploymentFlags {
  run?: string;
  clientSummary?: string;
  clientLog?: string;
  json?: boolean;
  markdown?: boolean;
  failOn?: string[];
  out?: string;
  queries?: boolean;
  html?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('explain what failed in a run (or a time window of any traffic), and why: findings with evidence, routes, timelines')
    .option('--run <id>', 'the run id (X-Run-Id) to analyze; `logjam runs` lists them. Without it: every request in --since/--until (else the whole input), a time window, not a run');
  addSourceOptions(cmd);
  cmd
    .option(
      '--alb-logs <file|dir>',
      'AWS ALB access logs (the .log.gz files S3 holds, or a folder of them) to join with the app lines by X-Amzn-Trace-Id; ALB lines inside --logs are found too. Local only: ALB logs never reach CloudWatch Logs',
    )
    .option('--client-summary <file>', "k6's summary JSON or the Node runner's: compare the client's checks with the server")
    .option('--client-log <file>', "the client's request log (runs/<id>/client.ndjson, or k6 --out json= with loadtests/k6/logjam.js): join request by request")
    .option('--json', 'print the report as JSON (stable shape, see docs/analyzer.md)')
    .option('--markdown', 'print the report as Markdown')
    .option('--fail-on <threshold>', 'exit 1 when it does not hold: "p95<500ms", "error_rate<1%", "route:POST /api/v1/todos:p95<300ms" (repeatable)', collect)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--queries', 'print each finding\'s Logs Insights query in the terminal report (always in --json/--markdown)')
    .option('--html <file>', 'also write a self-contained HTML report with charts (opens offline)');
  // The capacity section's deployment facts (same flags as `logjam capacity`): what the service logged fills in what
  // they leave out; without the CPUs (and the pool, for a service with a DB) the report says which flag to give.
  addDeploymentOptions(cmd).action(async (opts: AnalyzeFlags) => {
      await runAnalyze(opts);
    });
}

export async function runAnalyze(opts: AnalyzeFlags): Promise<AnalysisReport> {
  const format = stdoutFormat(opts);
  const runId = opts.run?.trim();
  if (opts.run !== undefined && !runId) {
    throw new UsageError('--run needs a run id', '`logjam runs --logs <file>` lists the runs a source holds; leave --run out to analyze a time window');
  }
  // bad thresholds and a bad client summary fail before the (possibly long) read of the logs
  const thresholds = parseThresholds(opts.failOn);
  const client: ClientView | undefined = opts.clientSummary ? await loadClientView(opts.clientSummary) : undefined;
  const facts = parseDeploymentFacts(opts);
  const source = await openSource(opts);
  const clientLog = opts.clientLog?.trim() || undefined;
  // the capacity section only when its facts are given or logged by the service; else one line names the missing ones
  const { report } = await analyzeRun({ source, runId, client, thresholds, facts, capacityFacts: 'require', ...(clientLog ? { clientLog } : {}) });
  const results = report.thresholds;
  if (opts.html) await writeReportFile(opts.html, OUTPUT_FORMATS.html.render(report, { title: runId ? `logjam analyze — run ${runId}` : 'logjam analyze — time window' }));

  const cloud = report.run.source.startsWith('cloudwatch:');
  const text = format.render(report, {
    color: opts.out === undefined && useColor(process.stdout),
    queries: opts.queries ?? cloud,
  });
  if (opts.out) {
    await writeReportFile(opts.out, text);
  } else {
    process.stdout.write(text);
  }

  const breached = (results ?? []).filter((r) => !r.ok);
  if (breached.length > 0) {
    throw new LogjamError(
      'LJ_THRESHOLD_BREACHED',
      `${breached.length} of ${results!.length} --fail-on thresholds breached:\n${breached.map((r) => `  ✗ ${describeResult(r)}`).join('\n')}`,
    );
  }
  return report;
}
