import type { Command } from 'commander';
import { LogjamError } from '../errors.js';

// Placeholder until the command lands (replaced by its owner).
export function registerAnalyze(program: Command): void {
  program.command('analyze').description('(not built yet)').allowUnknownOption().action(() => {
    throw new LogjamError('LJ_NOT_BUILT', '`logjam analyze` is not built yet');
  });
}
