/**
 * `logjam capacity --run <id>`: the capacity math for one run — workers, closed-model load, utilization, RDS
 * connections, a plan for a target, saturation (knee, USL) and the bottleneck verdict. Same source flags as
 * `analyze`. Data on stdout (terminal text, --markdown or --json); --html also writes a self-contained report.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../common/errors.js';
import { parseDeploymentFacts, renderCapacityMarkdown, renderCapacityTerminal, analyzeRun, OUTPUT_FORMATS, useColor, loadClientView, type ClientView, type DeploymentFlags } from '../analyzer/index.js';
import { writeReportFile } from './output.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

interface CapacityFlags extends SourceFlags, DeploymentFlags {
  run?: string;
  clientSummary?: string;
  json?: boolean;
  markdown?: boolean;
  html?: string;
}

/**
 * The deployment flags (parsed by parseDeploymentFacts from the options object). Exported so `analyze` can offer the
 * same flags for its capacity section.
 */
export function addDeploymentOptions(cmd: Command): Command {
  return cmd
    .option('--cpus <n>', "CPUs per task (default: what the service logged in service.start, else --fargate-cpu, else 1)")
    .addOption(new Option('--worker-model <model>', 'how workers are counted by default').choices(['node', 'gunicorn']).default('node'))
    .option('--workers <n>', 'worker processes per task (default: service.start workers, else the processes that served the run)')
    .option('--threads <n>', 'requests one worker serves at once (default 1)')
    .option('--tasks <n>', 'tasks (or hosts) running the service (default: the hosts that served the run)')
    .option('--pool-size <n>', 'DB pool size per worker (default: the pool_max the service logged, else 10)')
    .addOption(new Option('--deployment <kind>', 'aws: RDS and Fargate lines (also implied by the flags below or an ECS platform the service logged); other: not AWS').choices(['aws', 'other']))
    .option('--db-instance-class <class>', 'RDS instance class: checks the connections against its max_connections (AWS)')
    .option('--fargate-cpu <units>', 'current Fargate task CPU: units (256…16384) or vCPUs (0.25…16) (AWS)')
    .option('--fargate-memory <mib>', 'current Fargate task memory: MiB, or e.g. 2GB (AWS)')
    .addOption(new Option('--target-rps <n>', 'plan for this many requests per second').conflicts('targetVus'))
    .addOption(new Option('--target-vus <n>', 'plan for this many virtual users (closed model)').conflicts('targetRps'))
    .option('--think-time <s>', 'think time Z per user, seconds (default: the client summary, else 0)')
    .option('--headroom <pct>', 'spare capacity on top of the target, e.g. 30% (default 30%)');
}

export function registerCapacity(program: Command): void {
  const cmd = program
    .command('capacity')
    .description('capacity math from a run: workers, closed-model load, utilization, RDS connections, saturation, bottleneck')
    .requiredOption('--run <id>', 'the run id (X-Run-Id) to analyze; `logjam runs` lists them');
  addSourceOptions(cmd);
  cmd.option('--client-summary <file>', "k6's or the runner's summary JSON: VUs, think time, client-side failures");
  addDeploymentOptions(cmd)
    .option('--json', 'print the report as JSON')
    .option('--markdown', 'print the report as Markdown')
    .option('--html <file>', 'also write a self-contained HTML report (opens offline)')
    .action(async (opts: CapacityFlags) => {
      if (opts.json && opts.markdown) throw new UsageError('give --json or --markdown, not both');
      if (!opts.run || opts.run.trim() === '') throw new UsageError('--run needs a run id');
      // Validate every flag before touching the source: a typo should not cost a Logs Insights query.
      const facts = parseDeploymentFacts(opts);
      const source = await openSource(opts);
      let client: ClientView | undefined;
      if (opts.clientSummary !== undefined) client = await loadClientView(opts.clientSummary);
      const analysis = await analyzeRun({ source, runId: opts.run.trim(), client, facts });
      const report = analysis.capacity!;

      if (opts.html !== undefined) {
        const title = `logjam capacity — run ${analysis.report.run.runId}`;
        await writeReportFile(opts.html, OUTPUT_FORMATS.html.render(analysis.report, { title }));
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (opts.markdown) process.stdout.write(renderCapacityMarkdown(report));
      else {
        process.stdout.write(renderCapacityTerminal(report, { color: useColor(process.stdout) }));
      }
    });
}
