import type { Command } from 'commander';
import { LogjamError } from '../errors.js';

// Placeholder until the command lands (replaced by its owner).
export function registerTrace(program: Command): void {
  program.command('trace').description('(not built yet)').allowUnknownOption().action(() => {
    throw new LogjamError('LJ_NOT_BUILT', '`logjam trace` is not built yet');
  });
}
