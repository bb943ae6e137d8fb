/**
 * `logjam load` as a user runs it: the built CLI (run `npm run build` first) in a child process.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../support/cli.js';
import { freePort } from '../../../sample-app/db/embedded.js';
import { startTaskOverflowStub } from './taskoverflow-stub.js';

let dir: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`build first (npm run build): ${CLI} is missing`);
  dir = await mkdtemp(join(tmpdir(), 'logjam-load-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('logjam load (built CLI)', () => {
  it('against a port with nothing listening: one clear message naming the endpoint, exit 2, no stack trace', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await runCli(['load', '--endpoint', endpoint, '--time-scale', '0.01']);
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot reach ${endpoint}`);
    expect(stderr).toContain('connection refused');
    expect(stderr).toContain('logjam app');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('rejects an unknown scenario with exit 2 and lists the known ones', async () => {
    const { code, stderr } = await runCli(['load', '--scenario', 'soak']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown scenario "soak"');
    expect(stderr).toContain('planners-and-studiers');
  });

  it.each([
    [['--variant', 'nope'], /unknown variant/],
    [['--endpoint', 'file:///etc/passwd'], /http:\/\/ or https:\/\//],
    [['--run-id', 'bad id'], /--run-id/],
    [['--time-scale', 'fast'], /--time-scale/],
    [['--timeout', 'never'], /--timeout/],
  ])('rejects %o with exit 2', async (args, message) => {
    const { code, stderr } = await runCli(['load', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('runs the scenario, prints the run id on stderr and the summary JSON on stdout with --json, exit 0', async () => {
    const stub = await startTaskOverflowStub();
    try {
      const summaryPath = join(dir, 'nested', 'folder', 'summary.json');
      const { code, stdout, stderr } = await runCli([
        'load',
        '--endpoint',
        stub.endpoint,
        '--time-scale',
        '0.005',
        '--vu-scale',
        '0.01',
        '--run-id',
        'cli-run-1',
        '--summary',
        summaryPath,
        '--json',
      ]);
      expect(code).toBe(0); // failed checks (the buggy variant) do not fail the run, like k6 without thresholds
      expect(stderr).toContain('run id: cli-run-1');
      const summary = JSON.parse(stdout);
      expect(summary.logjam.runId).toBe('cli-run-1');
      expect(summary.metrics.checks.values.fails).toBeGreaterThan(0);
      expect(JSON.parse(await readFile(summaryPath, 'utf8'))).toEqual(summary);
      expect(stub.received.length).toBeGreaterThan(0);
      expect(stub.received.every((r) => r.runId === 'cli-run-1')).toBe(true);
      // not a terminal: no progress line
      expect(stderr).not.toContain('\r');
    } finally {
      await stub.close();
    }
  });

  it('prints the k6-like text summary by default', async () => {
    const stub = await startTaskOverflowStub();
    try {
      const { code, stdout } = await runCli([
        'load', '--endpoint', stub.endpoint, '--time-scale', '0.005', '--vu-scale', '0.01', '--variant', 'fixed',
        '--summary', join(dir, 'text.json'),
      ]);
      expect(code).toBe(0);
      expect(stdout).toContain('✓ is status 201');
      expect(stdout).toMatch(/http_req_duration\.+: avg=/);
      expect(stdout).toMatch(/vus_max\.+: 26/); // 2500 × 0.01 + 1 planner
    } finally {
      await stub.close();
    }
  });
});
