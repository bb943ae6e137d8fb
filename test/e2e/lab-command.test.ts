/**
 * Issue 8, the first thing every user tries: `logjam lab` (what `npm start` runs), through the built CLI, scaled
 * down. It must finish with the lessons found and the report files written, and leave nothing running — neither
 * the sample app nor the embedded PostgreSQL — whether it ends by itself or by Ctrl-C during the load.
 *
 * The lab is spawned in its own process group, as a shell would run it in the foreground, so "Ctrl-C" is a SIGINT to
 * the whole group. Its processes are recorded while the load runs (the CLI's process tree, plus the postmaster found
 * by its data folder: pg_ctl starts it in its own session, so it is no child of the CLI) and checked afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_JS, ROOT, makeWorldWritableTempDir } from './support/app-child.js';
import { processesOf, runningWith, survivors, type ProcessInfo } from './support/processes.js';

const SMALL = ['--time-scale', '0.02', '--vu-scale', '0.05'];
/** initdb + start + load (~10 s at this scale) + analysis on a busy 2-core machine, with a wide margin */
const RUN_BOUND_MS = 150_000;

interface LabProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves with the lab's processes once the load is running (the app and its database are up by then) */
  loadRunning: Promise<{ processes: ProcessInfo[]; pgDataDir: string }>;
}

const started: LabProcess[] = [];
const tempDirs: string[] = [];

function spawnLab(runsDir: string): LabProcess {
  const child = spawn(process.execPath, [CLI_JS, 'lab', ...SMALL, '--runs-dir', runsDir], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, like a foreground job in a terminal: Ctrl-C = SIGINT to the group
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const loadRunning = new Promise<{ processes: ProcessInfo[]; pgDataDir: string }>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      stderr += chunk.toString();
      if (!stderr.includes('load test running')) return;
      child.stderr!.off('data', onData);
      child.stderr!.on('data', (more: Buffer) => (stderr += more.toString()));
      // the app relays PostgreSQL's start message: "… data in <folder> (to reset …"
      const pgDataDir = /data in (\S+) \(to reset/.exec(stderr)?.[1];
      if (!pgDataDir) return reject(new Error(`no embedded PostgreSQL data folder in the lab's messages:\n${stderr}`));
      processesOf(child.pid!, [pgDataDir]).then((processes) => resolve({ processes, pgDataDir }), reject);
    };
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`the lab exited before the load started; stderr:\n${stderr}`)));
  });
  const lab = { child, stdout: () => stdout, stderr: () => stderr, exited, loadRunning };
  started.push(lab);
  return lab;
}

/** Bounded wait for the exit; on timeout the group is killed so the test fails instead of hanging. */
async function exitWithin(lab: LabProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the lab did not exit within ${ms} ms; stderr:\n${lab.stderr()}`)), ms);
  });
  try {
    return await Promise.race([lab.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The processes the lab started that are still running, and whether a postmaster still runs on its data folder. */
async function leftBehind(processes: ProcessInfo[], pgDataDir: string): Promise<string[]> {
  const strays = [...(await survivors(processes)), ...(await runningWith(pgDataDir))];
  return [...new Set(strays.map((p) => `${p.pid} ${p.args}`))];
}

function expectTheAppAndDatabaseWereSeen(processes: ProcessInfo[], pgDataDir: string): void {
  // the stray check below is only meaningful if it had something to look for
  expect(processes.some((p) => p.args.includes('sample-app/main.js')), JSON.stringify(processes)).toBe(true);
  expect(processes.some((p) => p.args.includes(pgDataDir)), JSON.stringify(processes)).toBe(true);
}

afterEach(async () => {
  // A failed test must not leave its lab behind: stop what this file started, by pid.
  for (const lab of started.splice(0)) {
    if (lab.child.exitCode === null && lab.child.signalCode === null) {
      try {
        process.kill(-lab.child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await lab.exited;
    }
    const running = await lab.loadRunning.catch(() => undefined);
    if (running) for (const p of await survivors(running.processes)) process.kill(p.pid, 'SIGKILL');
  }
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('logjam lab (the one-command lab, built CLI, scaled down)', () => {
  it('runs to the end: lessons 1 and 2 found, every report file written, nothing left running', { timeout: RUN_BOUND_MS + 30_000 }, async () => {
    const runsDir = await makeWorldWritableTempDir('logjam-e2e-lab-');
    tempDirs.push(runsDir);
    const lab = spawnLab(runsDir);
    const { processes, pgDataDir } = await lab.loadRunning;
    expectTheAppAndDatabaseWereSeen(processes, pgDataDir);

    const { code } = await exitWithin(lab, RUN_BOUND_MS);
    expect(code, lab.stderr()).toBe(0);

    const out = lab.stdout();
    expect(out).toContain('What the lab teaches, found in this run:');
    expect(out).toMatch(/^1\. the client builds URLs from a missing field {2}✓ found$/m);
    expect(out).toMatch(/^2\. more checks fail than requests time out {2}✓ found$/m);
    expect(out).toContain('DELETE /api/v1/todos/undefined');

    const runs = await readdir(runsDir);
    expect(runs).toHaveLength(1);
    const runDir = join(runsDir, runs[0]!);
    for (const file of ['report.html', 'report.md', 'report.json', 'app.ndjson', 'summary.json']) {
      expect(existsSync(join(runDir, file)), `${file} in ${runDir}`).toBe(true);
    }

    expect(await leftBehind(processes, pgDataDir)).toEqual([]);
    expect(existsSync(join(pgDataDir, 'postmaster.pid')), 'the embedded PostgreSQL was stopped').toBe(false);
  });

  it('Ctrl-C during the load: exit 130, the app and the database stopped, nothing left running', { timeout: RUN_BOUND_MS }, async () => {
    const runsDir = await makeWorldWritableTempDir('logjam-e2e-lab-int-');
    tempDirs.push(runsDir);
    const lab = spawnLab(runsDir);
    const { processes, pgDataDir } = await lab.loadRunning;
    expectTheAppAndDatabaseWereSeen(processes, pgDataDir);

    process.kill(-lab.child.pid!, 'SIGINT');
    // the load stops, then the app drains (≤ 10 s) and stops its database: bounded, not timed
    const { code } = await exitWithin(lab, 60_000);
    expect(code, lab.stderr()).toBe(130);
    expect(lab.stderr()).toContain('stopping');

    expect(await leftBehind(processes, pgDataDir)).toEqual([]);
    expect(existsSync(join(pgDataDir, 'postmaster.pid')), 'the embedded PostgreSQL was stopped').toBe(false);
  });
});
