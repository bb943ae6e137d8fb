/**
 * Issue 16's "done when", through the built CLI (`npm run build` first) against a tiny HTTP server that is not the
 * sample app: a scenario file written from docs/loadtests.md (TypeScript, in a temp folder with no node_modules,
 * importing `logjam/load`), open-model arrival rates (rate delivered against a fast server; dropped iterations, not
 * a slower rate, against a slow one), thresholds (per tag, exit 99), script errors with file and line, guard rails,
 * and the summary read back by the analyzer's client-summary reader.
 *
 * Counts asserted are the ones the schedule fixes (iterations started + dropped), never speed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../support/cli.js';
import type { CliResult } from '../../support/cli.js';
import { clientViewFromSummary } from '../../../analyzer/sources/client-summary.js';
import type { K6Summary } from '../../../loadtests/k6-summary.js';

/** A shop that is not TaskOverflow: GET /items fast, GET /slow answers after 1.5 s, anything else 404. */
let server: Server;
let endpoint: string;
const seen = { items: 0, orders: 0, slow: 0, other: 0 };
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`build first (npm run build): ${CLI} is missing`);
  dir = await mkdtemp(join(tmpdir(), 'logjam-scenario-file-'));
  server = createServer((req, res) => {
    if (req.url?.startsWith('/items')) {
      seen.items++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([{ id: 1, name: 'kettle' }]));
    } else if (req.url === '/orders' && req.method === 'POST') {
      seen.orders++;
      res.statusCode = 201;
      res.end('{"id":7}');
    } else if (req.url?.startsWith('/slow')) {
      seen.slow++;
      setTimeout(() => res.end('ok'), 1500);
    } else {
      seen.other++;
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(name: string, source: string, extra: string[] = []): Promise<CliResult & { summary?: K6Summary }> {
  const file = join(dir, name);
  await writeFile(file, source);
  const summaryPath = join(dir, `${name}.summary.json`);
  const outcome = await runCli(['load', name, '--endpoint', endpoint, '--summary', summaryPath, ...extra], dir);
  const summary = existsSync(summaryPath) ? (JSON.parse(await readFile(summaryPath, 'utf8')) as K6Summary) : undefined;
  await rm(summaryPath, { force: true });
  return { ...outcome, summary };
}

/** The first ```ts block of docs/loadtests.md: the example a new user copies. */
async function docsExample(): Promise<string> {
  const docs = await readFile(join(import.meta.dirname, '..', '..', '..', 'docs', 'loadtests.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(docs);
  if (!block) throw new Error('docs/loadtests.md has no ```ts block');
  return block[1]!;
}

describe('a scenario file written from docs/loadtests.md, against a service that is not the sample app', () => {
  it("runs the docs' example as it stands (scaled down): both scenarios, its checks and thresholds; exit 0", async () => {
    const ordersBefore = seen.orders;
    const { code, stderr, summary } = await run('docs-example.ts', await docsExample(), [
      '--env',
      'USER_NAME=ada',
      '--time-scale',
      '0.1',
      '--vu-scale',
      '0.1',
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    const lj = summary!.logjam!;
    // browse: 50 per 1 s × 0.1 VU scale = 5 per 0.1 s (time-scaled timeUnit) for 3 s = 150 starts on the schedule
    expect(lj.scenarios!.browse!.iterations + (lj.scenarios!.browse!.droppedIterations ?? 0)).toBe(150);
    // buyers: 5 VUs × 10 iterations at VU scale 0.1 = 1 VU × 1 iteration, after startTime 1 s
    expect(lj.scenarios!.buyers).toMatchObject({ executor: 'per-vu-iterations', iterations: 1 });
    expect(seen.orders - ordersBefore).toBe(1);
    expect(summary!.root_group.checks.map((c) => c.name)).toEqual(['is 200', 'has items', 'created']);
    expect(lj.thresholds!.results.map((r) => [r.metric, r.threshold, r.ok])).toEqual([
      ['http_req_duration', 'p(95)<500', true],
      ['http_req_duration{name:list items}', 'p(99)<800', true],
      ['http_req_failed', 'rate<0.05', true],
      ['checks', 'rate>0.99', true],
    ]);
  });

  it('runs the TypeScript example: requests, checks, groups, __ENV, thresholds per tag; exit 0', async () => {
    const { code, stderr, summary } = await run(
      'browse.ts',
      `import { http, check, sleep, group } from 'logjam/load';

interface Item { id: number; name: string }

export const options = {
  scenarios: {
    browse: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 5, exec: 'browse' },
    buyers: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '500ms' },
  },
  thresholds: {
    'http_req_duration{name:list items}': ['p(95)<1000'],
    checks: ['rate>0.99'],
  },
};

export async function browse(): Promise<void> {
  const res = await http.get(\`\${__ENV.ENDPOINT}/items?page=1\`, { tags: { name: 'list items' } });
  check(res, { 'is 200': (r) => r.status === 200, 'has items': (r) => (r.json() as Item[]).length > 0 });
}

export default async function (): Promise<void> {
  await group('checkout', async () => {
    const res = await http.post(\`\${__ENV.ENDPOINT}/items\`, { item: 1, user: __ENV.USER_NAME });
    check(res, { 'bought': (r) => r.status === 200 });
  });
  await sleep(0.05);
}
`,
      ['--env', 'USER_NAME=ada'],
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    expect(summary!.metrics.iterations.values.count).toBe(40 + 6);
    expect(summary!.metrics['http_req_duration{name:list items}']!.values.count ?? 40).toBeGreaterThan(0);
    expect(summary!.metrics['http_req_duration{name:list items}']!.thresholds).toEqual({ 'p(95)<1000': { ok: true } });
    expect(summary!.metrics.checks.thresholds).toEqual({ 'rate>0.99': { ok: true } });
    expect(summary!.root_group.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([
      ['is 200', 40, 0],
      ['has items', 40, 0],
      ['bought', 6, 0],
    ]);
    expect(summary!.logjam!.scenarios!.buyers).toMatchObject({ executor: 'per-vu-iterations', iterations: 6 });
    // the analyzer reads it as a k6 summary
    const view = clientViewFromSummary(summary, 'browse.ts.summary.json');
    expect(view).toMatchObject({ requests: 46, failedRequests: 0, iterations: 46 });
  });

  it('constant-arrival-rate against a fast server: 20/s for 3 s starts 60 iterations (within 5 %), none dropped', async () => {
    const { code, summary } = await run(
      'rate.js',
      `import { http } from 'logjam/load';
export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '3s', preAllocatedVUs: 10 } } };
export default async function () { await http.get(__ENV.ENDPOINT + '/items'); }
`,
    );
    expect(code).toBe(0);
    const started = summary!.metrics.iterations.values.count + (summary!.logjam!.droppedIterations ?? 0);
    expect(Math.abs(started - 60)).toBeLessThanOrEqual(3);
    expect(summary!.logjam!.droppedIterations).toBe(0);
    expect(summary!.metrics.dropped_iterations!.values.count).toBe(0);
  });

  it('against a slow server it keeps the schedule and counts dropped iterations instead of slowing down', async () => {
    const { code, summary, stdout } = await run(
      'slow.js',
      `import { http } from 'logjam/load';
export const options = {
  scenarios: { s: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 4, gracefulStop: '3s' } },
};
export default async function () { await http.get(__ENV.ENDPOINT + '/slow'); }
`,
    );
    expect(code).toBe(0);
    const lj = summary!.logjam!;
    // 40 due; 4 VUs each stuck 1.5 s can take at most ~8 of them: the rest were dropped, not delayed
    const done = summary!.metrics.iterations.values.count;
    expect(done + lj.droppedIterations! + (lj.interruptedIterations ?? 0)).toBe(40);
    expect(lj.droppedIterations).toBeGreaterThanOrEqual(28);
    expect(summary!.metrics.vus_max.values.value).toBe(4);
    expect(stdout).toContain('dropped_iterations');
  });

  it('a failing threshold exits 99 (as k6), with the summary still written', async () => {
    const { code, summary, stdout } = await run(
      'gate.js',
      `import { http, check } from 'logjam/load';
export const options = { iterations: 5, thresholds: { checks: ['rate>0.99'], 'http_reqs{name:never sent}': ['count>0'] } };
export default async function () { check(await http.get(__ENV.ENDPOINT + '/items'), { 'is 201': (r) => r.status === 201 }); }
`,
    );
    expect(code).toBe(99);
    expect(summary!.metrics.checks.thresholds).toEqual({ 'rate>0.99': { ok: false } });
    expect(summary!.logjam!.thresholds!.failed).toBe(2);
    expect(stdout).toContain('exit code 99');
  });

  it('abortOnFail stops the run early and still exits 99', async () => {
    const { code, summary } = await run(
      'abort.js',
      `import { http } from 'logjam/load';
export const options = { vus: 2, duration: '20s', thresholds: { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] } };
export default async function () { await http.get(__ENV.ENDPOINT + '/missing'); }
`,
    );
    expect(code).toBe(99);
    expect(summary!.logjam!.stoppedBy).toBe('threshold');
    expect(summary!.state!.testRunDurationMs).toBeLessThan(15_000);
  });

  it('warns early when most responses of a request name are 404 ("is the endpoint right?"), in the summary too', async () => {
    const { code, stderr, summary } = await run(
      'typo.js',
      `import { http } from 'logjam/load';
export const options = { vus: 2, iterations: 30 };
export default async function () { await http.get(__ENV.ENDPOINT + '/api/v1/todos', { tags: { name: 'todos' } }); }
`,
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: 100% of 10 responses to GET todos are 404 Not Found — is the endpoint right\?/);
    expect(summary!.logjam!.clientErrors).toEqual([{ name: 'todos', method: 'GET', responses: 30, status4xx: 30, status404: 30, share: 1 }]);
    expect(summary!.logjam!.generator).toMatchObject({ saturated: expect.any(Boolean), windows: expect.any(Number) });
  });

  it('a throw in an iteration is counted with file and line and does not stop the run', async () => {
    const { code, stderr, summary } = await run(
      'throws.ts',
      `import { http } from 'logjam/load';
export const options = { vus: 1, iterations: 4 };
export default async function (): Promise<void> {
  await http.get(\`\${__ENV.ENDPOINT}/items\`);
  if (__ITER % 2 === 1) throw new Error('odd iteration');
}
`,
    );
    expect(code).toBe(0);
    expect(summary!.metrics.iterations.values.count).toBe(4);
    expect(summary!.metrics.http_reqs.values.count).toBe(4);
    expect(summary!.logjam!.iterationErrors).toEqual({ total: 2, byMessage: { 'Error: odd iteration (at throws.ts:5)': 2 } });
    expect(stderr).toContain('script error: throws.ts:5: Error: odd iteration');
  });

  it('setup() runs once and its data reaches every iteration; a failing setup() is exit 2 with its place', async () => {
    const ok = await run(
      'setup.mjs',
      `import { http, check } from 'logjam/load';
export const options = { vus: 2, iterations: 4 };
export function setup() { return { path: '/items' }; }
export default async function (data) { check(await http.get(__ENV.ENDPOINT + data.path), { 'got items': (r) => r.status === 200 }); }
`,
    );
    expect(ok.code).toBe(0);
    expect(ok.summary!.root_group.checks).toMatchObject([{ name: 'got items', passes: 4, fails: 0 }]);
    const failing = await run('setup-fails.mjs', `export function setup() {\n  throw new Error('no token');\n}\nexport default async function () {}\n`);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain('setup() failed at setup-fails.mjs:2: Error: no token');
  });

  it('a syntax error is one line with the file and line, exit 2, no stack trace', async () => {
    const { code, stderr, stdout } = await run('broken.ts', `import { http } from 'logjam/load';\nexport default async function () {\n  const x = ;\n}\n`);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot load scenario file broken\.ts(:\d+)?: SyntaxError/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });
});
