/**
 * `logjam app` through the real CLI with WEB_CONCURRENCY=2: the primary starts the embedded PostgreSQL and forks two
 * workers whose lines carry `worker`; a worker killed with SIGKILL is replaced and worker.exit says so; SIGTERM
 * stops the workers (worker.exit replaced: false), then the database, and the primary exits 0.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppProcess, CLI_JS } from './helpers.js';

let dir: string;
let app: AppProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-cluster-'));
  await chmod(dir, 0o777);
});
afterAll(async () => {
  app?.kill('SIGKILL'); // only if the test failed half-way
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('replaces a dead worker, logs it, and shuts the cluster and its database down on SIGTERM', async () => {
  const dataDir = join(dir, 'pg');
  app = new AppProcess(CLI_JS, ['app'], {
    PORT: '0',
    HOST: '127.0.0.1',
    WEB_CONCURRENCY: '2',
    PG_DATA_DIR: dataDir,
    DATABASE_URL: '',
    LOG_FILE: '',
    SERVICE_NAME: 'taskoverflow-cluster-test',
  });
  const url = await app.url();
  const started = await Promise.all([1, 2].map((w) => app!.waitForLine((l) => l.event === 'service.start' && l.worker === w)));
  expect(new Set(started.map((l) => l.pid)).size).toBe(2);

  const res = await fetch(`${url}/api/v1/health`, { headers: { 'x-request-id': 'cluster-health' } });
  expect(res.status).toBe(200);
  const finish = await app.waitForLine((l) => l.event === 'request.finish' && l.request_id === 'cluster-health');
  expect([1, 2]).toContain(finish.worker);

  process.kill(started[0]!.pid as number, 'SIGKILL');
  const exit = await app.waitForLine((l) => l.event === 'worker.exit' && l.worker === 1);
  expect(exit).toMatchObject({ replaced: true, signal: 'SIGKILL', level: 'info' });
  expect(exit.pid).not.toBe(started[0]!.pid); // written by the primary
  const replacement = await app.waitForLine((l) => l.event === 'service.start' && l.worker === 3);
  expect(replacement.pid).not.toBe(started[0]!.pid);

  // the service keeps answering (through whichever worker gets the connection)
  expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);

  app.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });
  const stops = app.lines.filter((l) => l.event === 'worker.exit' && l.replaced === false).map((l) => l.worker);
  expect(stops.sort()).toEqual([2, 3]);
  expect(app.lines.filter((l) => l.event === 'service.stop').length).toBeGreaterThanOrEqual(3); // primary + 2 workers
  // the embedded database was stopped: no postmaster.pid left behind
  expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
});
