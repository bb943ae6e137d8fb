import type { Command } from 'commander';
import { LogjamError } from '../errors.js';

// Placeholder until the command lands (replaced by its owner).
export function registerApp(program: Command): void {
  program.command('app').description('(not built yet)').allowUnknownOption().action(() => {
    throw new LogjamError('LJ_NOT_BUILT', '`logjam app` is not built yet');
  });
}
