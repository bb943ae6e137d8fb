/**
 * `logjam/load`'s programmatic runLoad(scenarioFile | module, options): returns the summary object, writes no file
 * unless asked, and the package exports it (with types) as `logjam/load`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, http, runLoad, sleep } from '../../../loadtests/load/index.js';

let server: Server;
let endpoint: string;
let dir: string;
const paths: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-run-load-api-'));
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end(req.url?.startsWith('/ping') ? 'pong' : 'hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('runLoad() from code', () => {
  it('runs a module object and returns the summary', async () => {
    const summary = await runLoad(
      {
        options: { vus: 2, iterations: 6, thresholds: { checks: ['rate==1'] } },
        default: async () => {
          const res = await http.get(`${__ENV.ENDPOINT}/ping?vu=${__VU}`);
          check(res, { pong: (r) => r.body === 'pong' });
          await sleep(0.01);
        },
      },
      { endpoint },
    );
    expect(summary.metrics.iterations.values.count).toBe(6);
    expect(summary.root_group.checks).toMatchObject([{ name: 'pong', passes: 6, fails: 0 }]);
    expect(summary.logjam!.thresholds).toMatchObject({ failed: 0 });
    expect(new Set(paths.filter((p) => p.startsWith('/ping')))).toEqual(new Set(['/ping?vu=1', '/ping?vu=2']));
  });

  it('runs a scenario file and writes the summary only when asked', async () => {
    const file = join(dir, 'hello.mjs');
    await writeFile(
      file,
      `import { http, check } from 'logjam/load';
export const options = { iterations: 3, thresholds: { 'http_req_duration{name:hello}': ['max<5000'] } };
export default async function () { check(await http.get(__ENV.BASE + '/hi', { tags: { name: 'hello' } }), { ok: (r) => r.status === 200 }); }
`,
    );
    const summaryPath = join(dir, 'out', 'summary.json');
    const summary = await runLoad(file, { env: { BASE: endpoint }, summaryPath });
    expect(summary.metrics.http_reqs.values.count).toBe(3);
    expect(summary.metrics['http_req_duration{name:hello}']!.thresholds).toEqual({ 'max<5000': { ok: true } });
    expect(JSON.parse(await readFile(summaryPath, 'utf8'))).toMatchObject({ metrics: { http_reqs: { values: { count: 3 } } } });
  });

  it('package.json exports ./load with its types', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.exports['./load']).toEqual({ types: './dist/loadtests/load/index.d.ts', default: './dist/loadtests/load/index.js' });
  });
});
