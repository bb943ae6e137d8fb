/** `logjam trace <request-id>`: every line of one request in time order, with offsets and a small waterfall. */
import type { Command } from 'commander';
import { LogjamError } from '../common/errors.js';
import { renderTrace, useColor } from '../analyzer/index.js';
import { addSourceOptions, openSource, type SourceFlags } from './source-options.js';

interface TraceFlags extends SourceFlags {
  json?: boolean;
}

export function registerTrace(program: Command): void {
  const cmd = program
    .command('trace')
    .description('every line of one request in time order, with offsets and a waterfall of its database queries')
    .argument('<request-id>', 'the request id (X-Request-Id / request_id), e.g. from a finding\'s examples');
  addSourceOptions(cmd);
  cmd.option('--json', 'print the lines as JSON').action(async (requestId: string, opts: TraceFlags) => {
    const source = await openSource(opts);
    const lines = await source.trace(requestId);
    if (lines.length === 0) {
      throw new LogjamError('LJ_REQUEST_NOT_FOUND', `no lines for request "${requestId}" in ${source.description}`, {
        hint: 'request ids are in each finding\'s examples (`logjam analyze --run <id>`); check the source and time range',
      });
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ requestId, source: source.description, lines }, null, 2)}\n`);
      return;
    }
    process.stdout.write(renderTrace(requestId, lines, useColor(process.stdout)));
  });
}
