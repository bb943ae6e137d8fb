/**
 * The app as ECS runs it (terraform/ecs.tf): NODE_ENV=production, no DATABASE_URL, the database given as PGHOST,
 * PGPORT, PGDATABASE (task environment) and PGUSER, PGPASSWORD (Secrets Manager) — here split out of an embedded
 * PostgreSQL's URL. Single process and cluster mode (the primary migrates and forks without a DATABASE_URL), and
 * LOG_STDOUT=0 with the direct CloudWatch transport (a local CloudWatch endpoint): the lines go there, not to stdout.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { AppProcess, MAIN_JS, type Line } from './helpers.js';

let db: TestPostgres;
let fake: FakeCloudWatch;
let pgEnv: Record<string, string>;
const running: AppProcess[] = [];

beforeAll(async () => {
  db = await startTestPostgres();
  fake = await startFakeCloudWatch();
  const url = new URL(db.url);
  pgEnv = {
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
  };
});
afterAll(async () => {
  for (const app of running) app.kill('SIGKILL'); // only when a test failed half-way
  await fake?.close();
  await db?.stop();
});

/** What the ECS task has, minus anything that would let the app find the database another way. */
function taskEnv(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: '',
    DATABASE_SSL: 'off', // the embedded server has no TLS; RDS gets `require` from terraform
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_FILE: '',
    LOG_STDOUT: '',
    LOGJAM_CLOUDWATCH_LOG_GROUP: '',
    WEB_CONCURRENCY: '1',
    ...pgEnv,
    ...extra,
  };
}

function start(env: Record<string, string>): AppProcess {
  const app = new AppProcess(MAIN_JS, [], env);
  running.push(app);
  return app;
}

it('NODE_ENV=production with only PG* variables: serves, reads and writes the database', async () => {
  const app = start(taskEnv({ SERVICE_NAME: 'pg-env-single' }));
  const url = await app.url();

  const created = await fetch(`${url}/api/v1/todos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'pg-env-create' },
    body: JSON.stringify({ title: 'from PG* variables' }),
  });
  expect(created.status).toBe(201);
  const todo = (await created.json()) as { id: number; title: string };
  const read = await fetch(`${url}/api/v1/todos/${todo.id}`);
  expect(read.status).toBe(200);
  expect(((await read.json()) as { title: string }).title).toBe('from PG* variables');

  // LOG_STDOUT unset: the lines are on stdout as before
  const finish = await app.waitForLine((l) => l.event === 'request.finish' && l.request_id === 'pg-env-create');
  expect(finish).toMatchObject({ status: 201, service: 'pg-env-single' });

  app.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });
});

it('cluster mode with only PG* variables, LOG_STDOUT=0 and the direct CloudWatch transport: lines in CloudWatch, none on stdout', async () => {
  const group = 'taskoverflow-pg-env';
  fake.store.groups.set(group, { createdAt: Date.now(), streams: new Map() }); // terraform creates the group
  const app = start(
    taskEnv({
      SERVICE_NAME: 'pg-env-cluster',
      WEB_CONCURRENCY: '2',
      LOG_STDOUT: '0',
      LOGJAM_CLOUDWATCH_LOG_GROUP: group,
      LOGJAM_CLOUDWATCH_CREATE_GROUP: '0',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    }),
  );
  const url = await app.url();
  const shipped = (): Line[] => fake.events(group).map((e) => JSON.parse(e.message) as Line);
  const waitShipped = async (predicate: (l: Line) => boolean, what: string): Promise<Line> => {
    for (let i = 0; i < 600; i++) {
      const found = shipped().find(predicate);
      if (found) return found;
      if (app.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50)); // polling an in-memory store, not waiting for time
    }
    throw new Error(`${what} never reached CloudWatch; stderr:\n${app.stderr}`);
  };

  const res = await fetch(`${url}/api/v1/health`, { headers: { 'x-request-id': 'pg-env-cluster-health' } });
  expect(res.status).toBe(200);
  const finish = await waitShipped((l) => l.event === 'request.finish' && l.request_id === 'pg-env-cluster-health', 'request.finish');
  expect([1, 2]).toContain(finish.worker);
  for (const worker of [1, 2]) await waitShipped((l) => l.event === 'service.start' && l.worker === worker, `worker ${worker} service.start`);

  app.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });
  // the primary's own lines went through its transport too; stdout stayed empty the whole time
  expect(shipped().some((l) => l.event === 'service.stop' && l.worker === undefined)).toBe(true);
  expect(app.lines).toEqual([]);
  expect(fake.calls.map((c) => c.op)).not.toContain('CreateLogGroup');
});

it('a wrong PGPASSWORD: exit 2 with the reason, and the password is not echoed', async () => {
  const wrong = 'wrong-Secret-5f2c9';
  const app = start(taskEnv({ PGPASSWORD: wrong }));
  const { code } = await app.exited;
  expect(code).toBe(2);
  expect(app.stderr).toMatch(/could not start: .*password authentication failed/);
  expect(app.stderr).not.toContain(wrong);
  expect(app.stderr).not.toMatch(/\n\s+at /);
});
