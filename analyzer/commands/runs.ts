import type { Command } from 'commander';
import { LogjamError } from '../errors.js';

// Placeholder until the command lands (replaced by its owner).
export function registerRuns(program: Command): void {
  program.command('runs').description('(not built yet)').allowUnknownOption().action(() => {
    throw new LogjamError('LJ_NOT_BUILT', '`logjam runs` is not built yet');
  });
}
