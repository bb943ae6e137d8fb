/**
 * A SIGKILLed app cannot stop its embedded PostgreSQL (pg_ctl runs it in its own session, on purpose): the next
 * start on the same data folder finds it alive with its owner gone, stops it, and starts its own. A graceful stop
 * then leaves nothing running.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { AppProcess, MAIN_JS } from './helpers.js';

const parent = await mkdtemp(join(tmpdir(), 'logjam-sigkill-pg-'));
await chmod(parent, 0o777);
const dataDir = join(parent, 'data');
const started: AppProcess[] = [];

/** Running (a zombie is not: an exited postmaster reparented to a pid 1 that does not reap stays one). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false; // gone in between
  }
}

async function postmasterPid(): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = text === undefined ? NaN : Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) ? pid : undefined;
}

function startApp(): AppProcess {
  const app = new AppProcess(MAIN_JS, [], { PORT: '0', HOST: '127.0.0.1', PG_DATA_DIR: dataDir, LOG_STDOUT: '1', DATABASE_URL: '', PGHOST: '' });
  started.push(app);
  return app;
}

afterAll(async () => {
  for (const app of started) app.kill('SIGKILL');
  const pid = await postmasterPid();
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGTERM'); // never leave one behind, even when failing
  await new Promise((r) => setTimeout(r, 500));
  await rm(parent, { recursive: true, force: true });
});

it("a SIGKILLed app's PostgreSQL is stopped by the next start, and a graceful stop leaves none running", async () => {
  const first = startApp();
  const url = await first.url();
  expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
  const orphan = await postmasterPid();
  expect(orphan).toBeDefined();
  first.kill('SIGKILL');
  await first.exited;
  expect(alive(orphan!)).toBe(true); // the orphan: what the next start must clean up

  const second = startApp();
  const url2 = await second.url();
  expect(second.stderr).toContain(`stopped the PostgreSQL left running on ${dataDir}`);
  expect(alive(orphan!)).toBe(false);
  const own = await postmasterPid();
  expect(own).not.toBe(orphan);
  expect((await fetch(`${url2}/api/v1/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"after"}' })).status).toBe(201);

  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  expect(alive(own!)).toBe(false);
}, 120_000);

it("with LOGJAM_STOP_WITH_PARENT (the lab's setting) the app and its PostgreSQL stop when the parent's pipe closes", async () => {
  // The parent dying (even by SIGKILL) closes our end of the pipe: closing it here is that event.
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PG_DATA_DIR: dataDir, LOG_STDOUT: '0', LOG_FILE: join(parent, 'parent.ndjson'), LOGJAM_STOP_WITH_PARENT: '1', DATABASE_URL: '', PGHOST: '' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !/listening on/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  expect(stderr).toMatch(/listening on/);
  const pid = await postmasterPid();
  expect(pid !== undefined && alive(pid)).toBe(true);
  child.stdin.destroy();
  expect(await exited).toBe(0);
  expect(alive(pid!)).toBe(false);
}, 120_000);
