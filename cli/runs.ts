/** `logjam runs`: the runs a source holds — run id, first and last time, requests — as a table or --json. */
import type { Command } from 'commander';
import { table, fmtTime } from '../analyzer/index.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

interface RunsFlags extends SourceFlags {
  json?: boolean;
}

export function registerRuns(program: Command): void {
  const cmd = program.command('runs').description('list the runs a source holds (run id, first and last time, requests)');
  addSourceOptions(cmd);
  cmd.option('--json', 'print the list as JSON').action(async (opts: RunsFlags) => {
    const source = await openSource(opts);
    const runs = await source.listRuns();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ source: source.description, runs }, null, 2)}\n`);
      return;
    }
    if (runs.length === 0) {
      process.stderr.write(`no runs in ${source.description} (lines carry a run_id when requests send an X-Run-Id header)\n`);
      return;
    }
    const rows = runs.map((r) => [
      r.runId,
      fmtTime(r.firstTime),
      fmtTime(r.lastTime),
      `${((r.lastTime - r.firstTime) / 1000).toFixed(0)} s`,
      String(r.requests),
    ]);
    const lines = table(['run id', 'first', 'last', 'duration', 'requests'], rows, ['left', 'left', 'left', 'right', 'right']);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
