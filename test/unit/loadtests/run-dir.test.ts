/**
 * Run artefacts land under the current directory (`./runs/<run-id>/`), never inside the package: run from an
 * installed copy, the old default (the package root) wrote into node_modules/logjam/runs/. Runs the built module
 * (dist/) in a child process whose cwd is a temp folder, as a user's shell would. Build first (`npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.js';

const PATHS = pathToFileURL(join(ROOT, 'dist/loadtests/runner/paths.js')).href;
const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'logjam-cwd-')));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the default run folder', () => {
  it('is ./runs/<run-id> under the current directory, not under the package', () => {
    const script = `const { defaultSummaryPath } = await import(${JSON.stringify(PATHS)}); process.stdout.write(defaultSummaryPath('r-1'));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(join(cwd, 'runs', 'r-1', 'summary.json'));
    expect(r.stdout.startsWith(ROOT)).toBe(false);
  });
});
