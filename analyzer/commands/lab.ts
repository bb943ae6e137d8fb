import type { Command } from 'commander';
import { LogjamError } from '../errors.js';

// Placeholder until the command lands (replaced by its owner).
export function registerLab(program: Command): void {
  program.command('lab').description('(not built yet)').allowUnknownOption().action(() => {
    throw new LogjamError('LJ_NOT_BUILT', '`logjam lab` is not built yet');
  });
}
