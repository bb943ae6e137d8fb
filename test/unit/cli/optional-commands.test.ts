import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, loadOptionalCommands, optionalCommand } from '../../../cli/main.js';

function moduleNotFound(url: string): NodeJS.ErrnoException & { url: string } {
  return Object.assign(new Error(`Cannot find module '${url}' imported from /pkg/dist/cli/lab.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
    url,
  });
}

const names = (program: Command): string[] => program.commands.map((c) => c.name());

describe('lab and app are registered only when their modules are installed', () => {
  it('in the repository both are there, with the rest', async () => {
    expect(names(buildProgram(await loadOptionalCommands()))).toEqual(['lab', 'app', 'load', 'analyze', 'compare', 'runs', 'trace', 'capacity']);
  });

  it('a missing lab/ or sample-app/ module leaves the command out, without an error', async () => {
    const missingLab = await optionalCommand(() => Promise.reject(moduleNotFound('file:///pkg/dist/lab/run-lab.js')), ['/lab/', '/sample-app/']);
    expect(missingLab).toBeUndefined();
    expect(names(buildProgram({ lab: missingLab }))).toEqual(['load', 'analyze', 'compare', 'runs', 'trace', 'capacity']);
  });

  it('any other missing module or failure is a bug and is thrown', async () => {
    await expect(optionalCommand(() => Promise.reject(moduleNotFound('file:///pkg/dist/analyzer/oops.js')), ['/lab/'])).rejects.toThrow(/oops/);
    await expect(optionalCommand(() => Promise.reject(new SyntaxError('bad')), ['/lab/'])).rejects.toThrow(SyntaxError);
  });
});
