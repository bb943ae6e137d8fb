/**
 * `logjam runs`: the runs a source holds — run id, first and last time, requests — as a table or --json, and the
 * requests that carried no run id (a service's own traffic), with the `logjam analyze` command for their window.
 */
import type { Command } from 'commander';
import { table, fmtTime, type UntaggedRequests } from '../analyzer/index.js';
import { shellWord } from '../common/format.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

interface RunsFlags extends SourceFlags {
  json?: boolean;
}


/** The exact `logjam analyze` command for the untagged requests' window, with the same source flags. */
export function windowCommand(opts: SourceFlags, u: UntaggedRequests): string {
  const source =
    opts.logs !== undefined
      ? [`--logs ${shellWord(opts.logs)}`, ...(opts.followSymlinks ? ['--follow-symlinks'] : [])]
      : [
          `--log-group ${shellWord(opts.logGroup ?? '')}`,
          ...(opts.region !== undefined ? [`--region ${shellWord(opts.region)}`] : []),
          ...(opts.profile !== undefined ? [`--profile ${shellWord(opts.profile)}`] : []),
        ];
  return ['logjam analyze', ...source, `--since ${new Date(u.firstTime).toISOString()}`, `--until ${new Date(u.lastTime).toISOString()}`].join(' ');
}

function describeUntagged(u: UntaggedRequests, runs: number): string {
  const span = `${fmtTime(u.firstTime)} → ${fmtTime(u.lastTime)} (${((u.lastTime - u.firstTime) / 1000).toFixed(0)} s)`;
  const lead = runs === 0 ? 'no run ids: ' : 'also ';
  return `${lead}${u.requests} requests carried no run id, ${span}`;
}

export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .description('list the runs a source holds (run id, first and last time, requests), and the requests with no run id');
  addSourceOptions(cmd);
  cmd.option('--json', 'print the list as JSON').action(async (opts: RunsFlags) => {
    const source = await openSource(opts);
    const { runs, untagged } = await source.inventory();
    if (opts.json) {
      const suggestion = untagged ? { untagged: { ...untagged, analyze: windowCommand(opts, untagged) } } : {};
      process.stdout.write(`${JSON.stringify({ source: source.description, runs, ...suggestion }, null, 2)}\n`);
      return;
    }
    const out: string[] = [];
    if (runs.length > 0) {
      const rows = runs.map((r) => [
        r.runId,
        fmtTime(r.firstTime),
        fmtTime(r.lastTime),
        `${((r.lastTime - r.firstTime) / 1000).toFixed(0)} s`,
        String(r.requests),
      ]);
      out.push(...table(['run id', 'first', 'last', 'duration', 'requests'], rows, ['left', 'left', 'left', 'right', 'right']));
    }
    if (untagged) {
      out.push(`${describeUntagged(untagged, runs.length)} in ${source.description}; analyze them as a time window:`);
      out.push(`  ${windowCommand(opts, untagged)}`);
    }
    if (out.length === 0) {
      process.stderr.write(`no runs in ${source.description} (lines carry a run_id when requests send an X-Run-Id header)\n`);
      return;
    }
    process.stdout.write(`${out.join('\n')}\n`);
  });
}
