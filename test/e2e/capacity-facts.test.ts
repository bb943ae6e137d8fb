/**
 * Issue 15 item 4, end to end: the capacity section sizes from what the service itself logged. The real sample app
 * (built, a child process, embedded PostgreSQL) with DB_POOL_MAX=4 serves a short closed-loop run; then the built
 * CLI's `logjam analyze` on its log must say pool 4 and this machine's CPUs, both measured (no flag gives them),
 * with no RDS, Fargate or gunicorn line (nothing says AWS). The same log without its service.start lines gets one
 * "capacity: needs …" line naming the missing facts and their flags; with the AWS flags the RDS and Fargate lines
 * appear, marked given.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../middleware/schema.js';
import { CLI, runBin } from '../support/cli.js';

const runCli = (args: string[]) => runBin(CLI, args);
import { makeWorldWritableTempDir, startAppChild } from './support/app-child.js';
import { closedLoop } from './support/closed-loop.js';

const RUN_ID = 'e2e-capacity-facts';
let dir: string;
let logFile: string;
let withoutStart: string;

beforeAll(async () => {
  dir = await makeWorldWritableTempDir('logjam-e2e-facts-');
  const app = await startAppChild({ dir, env: { DB_POOL_MAX: '4' } });
  try {
    // longer than one runtime.stats interval (5 s), so a runtime.stats line with pool_max falls inside the run
    const result = await closedLoop({ url: `${app.url}/api/v1/todos`, runId: RUN_ID, concurrency: 4, requests: 100_000, maxDurationMs: 6_500 });
    expect(result.statuses['200'], 'the app answered the load').toBeGreaterThan(20);
  } finally {
    // the graceful stop flushes the log file before it is read
    expect(await app.stop()).toBe(0);
  }
  logFile = app.logFile;
  // the same log as a service that never wrote service.start (an older middleware, a hand-rolled logger)
  const lines = (await readFile(logFile, 'utf8')).split('\n');
  const kept = lines.filter((l) => !l.includes(`"event":"${EVENTS.serviceStart}"`));
  expect(kept.length).toBeLessThan(lines.length);
  withoutStart = join(dir, 'no-service-start.ndjson');
  await writeFile(withoutStart, kept.join('\n'));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('capacity facts from the service itself (real sample app, DB_POOL_MAX=4)', () => {
  it('says pool 4 and the machine’s CPUs, both measured, with no AWS lines', async () => {
    const r = await runCli(['analyze', '--run', RUN_ID, '--logs', logFile]);
    expect(r.code, r.stderr).toBe(0);
    const cpus = availableParallelism();
    expect(r.stdout).toContain(`CPUs per task: ${cpus} — measured (service.start cpus)`);
    expect(r.stdout).toContain('DB pool per worker: 4 — measured (service.start pool_max)');
    expect(r.stdout).toContain('workers per task: 1 — measured (1 process served the run)');
    expect(r.stdout).toMatch(/deployment: 1 task\(s\) × \d+ CPU\(s\), 1 worker\(s\) per task × 1 thread\(s\), pool 4 per worker\n/);
    expect(r.stdout).toContain('connections = pool size × workers × tasks = 4 × 1 × 1 = 4 connections');
    expect(r.stdout).not.toMatch(/RDS|Fargate|gunicorn|max_connections|db\.t3|pool 10/);

    const json = JSON.parse((await runCli(['analyze', '--run', RUN_ID, '--logs', logFile, '--json'])).stdout);
    const facts = Object.fromEntries(json.capacity.inputs.facts.map((f: { key: string }) => [f.key, f]));
    expect(facts.cpus).toMatchObject({ value: String(cpus), source: 'measured' });
    expect(facts.poolSize).toMatchObject({ value: '4', source: 'measured' });
    expect(facts.nodeVersion).toMatchObject({ source: 'measured' });
    expect(json.capacity.rds).toBeUndefined();
  }, 60_000);

  it('without service.start: one line naming the missing facts and the flags that give them', async () => {
    const r = await runCli(['analyze', '--run', RUN_ID, '--logs', withoutStart]);
    expect(r.code, r.stderr).toBe(0);
    // runtime.stats carries pool_max, so the pool is still known: the CPUs are what is missing
    expect(r.stdout).toMatch(/^capacity: needs the CPUs per task \(--cpus <n>\): the run's processes logged no service\.start line/m);
    expect(r.stdout).not.toContain('Capacity — run');
    const given = await runCli(['analyze', '--run', RUN_ID, '--logs', withoutStart, '--cpus', '2']);
    expect(given.stdout).toContain('CPUs per task: 2 — given (--cpus 2)');
    expect(given.stdout).toContain('DB pool per worker: 4 — measured (runtime.stats pool_max)');
  }, 60_000);

  it('with the AWS flags: RDS and Fargate lines, marked given; the flag wins over the log and the difference is said', async () => {
    const r = await runCli([
      'analyze', '--run', RUN_ID, '--logs', logFile,
      '--fargate-cpu', '1024', '--fargate-memory', '2048', '--db-instance-class', 'db.t3.micro', '--target-rps', '50',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('RDS PostgreSQL connections (db.t3.micro)');
    expect(r.stdout).toContain('RDS class: db.t3.micro — given (--db-instance-class db.t3.micro)');
    expect(r.stdout).toContain('Fargate task: 1 vCPU / 2 GB — given (--fargate-cpu 1024 --fargate-memory 2048)');
    expect(r.stdout).toContain('CPUs per task: 1 — given (--fargate-cpu 1024)');
    expect(r.stdout).toMatch(/; Fargate 1 vCPU \/ 2 GB → /);
    expect(r.stdout).toContain('DB pool per worker: 4 — measured (service.start pool_max)');
    if (availableParallelism() !== 1) expect(r.stdout).toMatch(/CPUs per task: 1 given \(--fargate-cpu 1024\); the service logged \d+/);
  }, 60_000);
});
