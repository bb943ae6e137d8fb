/**
 * A pino-http service's own log analyzed with no logjam middleware: a small Express 5 app behind the REAL pino-http
 * (test/fixtures/pino-http/app.mjs, a child process whose stdout is saved to a file) serves a known mix of requests,
 * and the built CLI's report must count what the test sent — per route, per status, the errors' message, the slowed
 * route's time — with malformed and truncated lines counted, never a crash. Then pino-http with `customProps` adding
 * a run id (runId, run_id): `--run`, `logjam runs`, and time windows (--since/--until) within and without a run.
 * Uses dist/ (run `npx tsc -p tsconfig.build.json` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../../../analyzer/report/report.js';
import { CLI, ROOT, runBin } from '../../support/cli.js';

const APP = join(ROOT, 'test/fixtures/pino-http/app.mjs');
/** the delay of GET /slow (the app's setTimeout) */
const SLOW_MS = 150;

let dir: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npx tsc -p tsconfig.build.json)`);
  dir = mkdtempSync(join(tmpdir(), 'logjam-pino-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface App {
  port: number;
  /** SIGTERM, then wait for the process to exit (its stdout file is then complete) */
  stop(): Promise<void>;
}

/** Starts the app with its stdout going to `logFile` (a file: pino's writes to it are synchronous). */
async function startApp(logFile: string, env: Record<string, string> = {}): Promise<App> {
  const out = openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [APP], {
    env: { ...process.env, SLOW_MS: String(SLOW_MS), ...env },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening (\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`app exited (${code}) before listening: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function send(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  await res.arrayBuffer();
  return res.status;
}

/** A client that sends a request and closes the connection after `ms`, before the answer. */
function abandon(port: number, path: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path });
    req.on('error', () => resolve()); // the socket we destroyed
    req.end();
    req.on('response', () => reject(new Error('answered before the client gave up')));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

async function analyzeJson(args: string[]): Promise<AnalysisReport> {
  const r = await runBin(CLI, ['analyze', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as AnalysisReport;
}

const route = (report: AnalysisReport, method: string, template: string) =>
  report.routes.find((r) => r.method === method && r.route === template);

describe('a pino-http service (default options), analyzed from its own stdout', () => {
  const N = 30; // 200s
  const M = 10; // 404s (no route)
  const K = 5; // 500s with an error
  const S = 4; // the slowed route
  let log: string;
  let firstLine: string;

  beforeAll(async () => {
    log = join(dir, 'default.log');
    const app = await startApp(log);
    try {
      for (let i = 0; i < N; i++) expect(await send(app.port, `/items/${1000 + i}?verbose=1`)).toBe(200);
      for (let i = 0; i < M; i++) expect(await send(app.port, `/nope/${i}`)).toBe(404);
      for (let i = 0; i < K; i++) expect(await send(app.port, `/boom/${i}`)).toBe(500);
      for (let i = 0; i < S; i++) expect(await send(app.port, '/slow')).toBe(200);
      // one client that gives up before the slow answer: pino-http logs "request aborted"
      await abandon(app.port, '/slow', SLOW_MS / 3);
      await new Promise((r) => setTimeout(r, SLOW_MS));
    } finally {
      await app.stop();
    }
    firstLine = readFileSync(log, 'utf8').split('\n')[0]!;
    const real = JSON.parse(firstLine) as Record<string, unknown>;
    // what a damaged log holds: a line cut short (a crash mid-write), text that is not JSON, a pino-http line with
    // res.statusCode missing, one whose req.id is not an id, and a last line without its newline
    const noStatus = { ...real, res: {} };
    const badId = { ...real, req: { ...(real.req as object), id: 'not an id!' } };
    appendFileSync(log, `${firstLine.slice(0, firstLine.length >> 1)}\nnot json at all\n${JSON.stringify(noStatus)}\n${JSON.stringify(badId)}\n${firstLine.slice(0, 40)}`);
  }, 60_000);

  it('counts every line by format, and the damaged ones as malformed or foreign', async () => {
    const report = await analyzeJson(['--logs', log]);
    expect(report.input.formats).toEqual({ 'pino-http': N + M + K + S + 1 });
    expect(report.input.malformed).toBe(3); // the two cut lines and the text
    expect(report.input.foreign).toBe(2); // no status; an id that is not one
    expect(report.input.totalLines).toBe(N + M + K + S + 1 + 5);
  });

  it('gives the counts, statuses, error message and times the server produced', async () => {
    const report = await analyzeJson(['--logs', log]);
    // no --run: a time window over the whole input
    expect(report.run.runId).toBe('');
    expect(report.run.window).toEqual({});
    expect(report.run.totals).toMatchObject({ requests: N + M + K + S, errors4xx: M, errors5xx: K, unfinished: 0, aborts: 1 });
    // route templates from the URL (query string dropped, ids collapsed)
    expect(route(report, 'GET', '/items/:id')).toMatchObject({ count: N, matched: false, statuses: { '200': N } });
    expect(route(report, 'GET', '/nope/:id')).toMatchObject({ count: M, statuses: { '404': M } });
    expect(route(report, 'GET', '/boom/:id')).toMatchObject({ count: K, statuses: { '500': K } });
    const slow = route(report, 'GET', '/slow')!;
    expect(slow.count).toBe(S);
    expect(slow.aborts).toBe(1);
    expect(slow.latency.p50).toBeGreaterThanOrEqual(SLOW_MS);
    expect(slow.latency.p50).toBeLessThan(SLOW_MS + 1000);
    expect(route(report, 'GET', '/items/:id')!.latency.p95).toBeLessThan(SLOW_MS);
    expect(report.routes).toHaveLength(4);
    // the 500s' error, from pino-http's err on its "request errored" line, masked into one template
    const boom = report.statusClusters.find((c) => c.route === '/boom/:id' && c.status === 500)!;
    expect(boom.messages).toEqual([{ template: 'item <n> could not be loaded', count: K }]);
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain('server-errors');
    expect(ids).toContain('client-errors');
    expect(report.findings.find((f) => f.id === 'server-errors')!.counts).toMatchObject({ requests: K, status: 500 });
    expect(report.findings.find((f) => f.id === 'client-errors')!.counts).toMatchObject({ requests: M, status: 404 });
    // a counter id is qualified (host, pid, line time), so every request stays one; an example traces back
    const example = boom.exampleRequestIds[0]!;
    const trace = await runBin(CLI, ['trace', example, '--logs', log, '--json']);
    expect(trace.code).toBe(0);
    const { lines } = JSON.parse(trace.stdout) as { lines: unknown[] };
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'request.finish', status: 500, err: { type: 'Error' } });
    // only the fields the analysis needs: no headers, addresses or query of the original line
    expect(JSON.stringify(lines[0])).not.toMatch(/user-agent|remoteAddress|verbose/);
  });

  it('says in the terminal report that it is a time window, and which formats it read', async () => {
    const r = await runBin(CLI, ['analyze', '--logs', log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logjam analyze — time window start of input → end of input (not a run');
    expect(r.stdout).toContain(`input formats: ${N + M + K + S + 1} pino-http lines read`);
    expect(r.stdout).toContain('cannot tell from pino-http lines: no start lines');
    const md = await runBin(CLI, ['analyze', '--logs', log, '--markdown']);
    expect(md.stdout).toMatch(/^# logjam analysis — time window/);
    expect(md.stdout).toContain('cannot tell from pino-http lines');
    const html = join(dir, 'window.html');
    expect((await runBin(CLI, ['analyze', '--logs', log, '--html', html])).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<th>time window</th><td>time window start of input → end of input');
  });

  it('`logjam runs` says there are no run ids and prints the analyze command for their window, which works', async () => {
    const r = await runBin(CLI, ['runs', '--logs', log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`no run ids: ${N + M + K + S} requests carried no run id`);
    const command = /logjam analyze (--logs \S+ --since \S+ --until \S+)/.exec(r.stdout)!;
    expect(command).not.toBeNull();
    const report = await analyzeJson(command[1]!.split(' '));
    expect(report.run.totals.requests).toBe(N + M + K + S);
    expect(report.run.window!.since).toBeDefined();
    expect(report.run.window!.until).toBeDefined();
  });
});

describe.each(['runId', 'run_id'])('pino-http with customProps adding the run id as %s', (prop) => {
  let log: string;
  /** a time between the first run's requests and the second's */
  let mark: number;

  beforeAll(async () => {
    log = join(dir, `custom-${prop}.log`);
    const app = await startApp(log, { PINO_RUN_ID_PROP: prop });
    try {
      for (let i = 0; i < 6; i++) await send(app.port, `/items/${i}`); // no X-Run-Id: customProps adds nothing
      await send(app.port, '/items/7', { 'x-run-id': 'not a run id!' }); // rejected, never passed on
      for (let i = 0; i < 8; i++) await send(app.port, `/items/${i}`, { 'x-run-id': 'pino-run-1' });
      for (let i = 0; i < 4; i++) await send(app.port, `/nope/${i}`, { 'x-run-id': 'pino-run-1' });
      await new Promise((r) => setTimeout(r, 30));
      mark = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      for (let i = 0; i < 5; i++) await send(app.port, '/slow', { 'x-run-id': 'pino-run-2' });
    } finally {
      await app.stop();
    }
  }, 60_000);

  it('`logjam runs` lists the runs and the requests with no (valid) run id', async () => {
    const r = await runBin(CLI, ['runs', '--logs', log, '--json']);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { runs: { runId: string; requests: number }[]; untagged: { requests: number; analyze: string } };
    expect(listed.runs.map((x) => [x.runId, x.requests])).toEqual([['pino-run-1', 12], ['pino-run-2', 5]]);
    expect(listed.untagged.requests).toBe(7);
    expect(listed.untagged.analyze).toMatch(/^logjam analyze --logs \S+ --since \S+ --until \S+$/);
  });

  it('--run analyzes that run only', async () => {
    const report = await analyzeJson(['--logs', log, '--run', 'pino-run-1']);
    expect(report.run.runId).toBe('pino-run-1');
    expect(report.run.window).toBeUndefined();
    expect(report.run.totals).toMatchObject({ requests: 12, errors4xx: 4, errors5xx: 0 });
    expect(report.input.otherRuns).toBe(7 + 5);
    expect(route(report, 'GET', '/items/:id')!.count).toBe(8);
  });

  it('--since/--until select a window without --run, and narrow within a run with it', async () => {
    const after = await analyzeJson(['--logs', log, '--since', new Date(mark).toISOString()]);
    expect(after.run.window).toEqual({ since: mark });
    expect(after.run.totals.requests).toBe(5);
    expect(route(after, 'GET', '/slow')!.latency.p50).toBeGreaterThanOrEqual(SLOW_MS);
    const before = await analyzeJson(['--logs', log, '--until', new Date(mark).toISOString()]);
    expect(before.run.totals.requests).toBe(6 + 1 + 12);
    expect(before.input.outsideTimeRange).toBe(5);
    // pino-run-1 ended before the mark: nothing of it is left after it (exit 2, the run is not found there)
    const gone = await runBin(CLI, ['analyze', '--logs', log, '--run', 'pino-run-1', '--since', new Date(mark).toISOString()]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no lines for run "pino-run-1"');
    const within = await analyzeJson(['--logs', log, '--run', 'pino-run-2', '--since', new Date(mark).toISOString()]);
    expect(within.run.totals.requests).toBe(5);
  });
});
