/**
 * `logjam analyze --run <id>`: one run's findings from a source (local NDJSON or CloudWatch), optionally compared
 * with the client's summary, rendered for a terminal, as JSON (--json) or Markdown (--markdown). Exit codes: 0
 * done, 1 a --fail-on threshold breached (after the report is printed), 2 usage or source error.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { analyze } from '../analyses/index.js';
import { nearestRuns, RunNotFoundError } from '../aggregate/nearest-runs.js';
import { EXIT, LogjamError, SourceError, UsageError } from '../errors.js';
import type { ClientView, RunAggregate } from '../model.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { buildReport, type AnalysisReport } from '../report/report.js';
import { renderTerminal, useColor } from '../report/terminal.js';
import { loadClientView } from '../sources/client-summary.js';
import type { RunSource } from '../sources/source.js';
import { describeResult, evaluateThresholds, parseThresholds } from '../thresholds.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

export interface AnalyzeFlags extends SourceFlags {
  run?: string;
  clientSummary?: string;
  json?: boolean;
  markdown?: boolean;
  failOn?: string[];
  out?: string;
  queries?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('explain what failed in a run, and why: findings with evidence, routes, timelines')
    .requiredOption('--run <id>', 'the run id (X-Run-Id) to analyze; `logjam runs` lists them');
  addSourceOptions(cmd);
  cmd
    .option('--client-summary <file>', "k6's summary JSON or the Node runner's: compare the client's checks with the server")
    .option('--json', 'print the report as JSON (stable shape, see docs/analyzer.md)')
    .option('--markdown', 'print the report as Markdown')
    .option('--fail-on <threshold>', 'exit 1 when it does not hold: "p95<500ms", "error_rate<1%", "route:POST /api/v1/todos:p95<300ms" (repeatable)', collect)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--queries', 'print each finding\'s Logs Insights query in the terminal report (always in --json/--markdown)')
    .action(async (opts: AnalyzeFlags) => {
      await runAnalyze(opts);
    });
}

/** Aggregate the run; a run with no lines names the nearest runs the source has (whatever the source). */
async function aggregateRun(source: RunSource, runId: string): Promise<RunAggregate> {
  let agg: RunAggregate;
  try {
    agg = await source.aggregate(runId);
  } catch (err) {
    if (err instanceof SourceError && err.code === 'LJ_RUN_NOT_FOUND' && !(err instanceof RunNotFoundError)) {
      throw new RunNotFoundError(runId, nearestRuns(runId, await source.listRuns()), source.description);
    }
    throw err;
  }
  if (agg.firstTime === 0 && agg.totals.requests === 0 && agg.totals.unfinished === 0 && agg.totals.aborts === 0) {
    throw new RunNotFoundError(runId, nearestRuns(runId, await source.listRuns()), source.description);
  }
  return agg;
}

export async function runAnalyze(opts: AnalyzeFlags): Promise<AnalysisReport> {
  if (opts.json && opts.markdown) throw new UsageError('give --json or --markdown, not both');
  const runId = opts.run?.trim();
  if (!runId) throw new UsageError('--run needs a run id', '`logjam runs --logs <file>` lists the runs a source holds');
  // bad thresholds and a bad client summary fail before the (possibly long) read of the logs
  const thresholds = parseThresholds(opts.failOn);
  const client: ClientView | undefined = opts.clientSummary ? await loadClientView(opts.clientSummary) : undefined;
  const source = await openSource(opts);
  const aggregate = await aggregateRun(source, runId);
  const findings = analyze(aggregate, client);
  const results = thresholds.length ? evaluateThresholds(thresholds, aggregate) : undefined;
  const report = buildReport({ aggregate, findings, client, thresholds: results });

  const cloud = aggregate.source.startsWith('cloudwatch:');
  const text = opts.json
    ? renderJson(report)
    : opts.markdown
      ? renderMarkdown(report)
      : renderTerminal(report, {
          color: opts.out === undefined && useColor(process.stdout),
          queries: opts.queries ?? cloud,
        });
  if (opts.out) {
    try {
      await writeFile(opts.out, text);
    } catch (err) {
      throw new LogjamError('LJ_OUT_UNWRITABLE', `cannot write --out ${opts.out}: ${(err as Error).message}`, { cause: err });
    }
    process.stderr.write(`report written to ${opts.out}\n`);
  } else {
    process.stdout.write(text);
  }

  const breached = (results ?? []).filter((r) => !r.ok);
  if (breached.length > 0) {
    throw new LogjamError(
      'LJ_THRESHOLD_BREACHED',
      `${breached.length} of ${results!.length} --fail-on thresholds breached:\n${breached.map((r) => `  ✗ ${describeResult(r)}`).join('\n')}`,
      { exitCode: EXIT.thresholdsBreached },
    );
  }
  return report;
}
