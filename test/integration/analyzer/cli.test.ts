/**
 * The built CLI end to end on crafted logs: exit codes (0 done, 1 threshold breached, 2 usage/source error),
 * --json shape, nearest runs for an unknown run, trace output, stdin, and the `analyze` alias bin.
 * Uses dist/ (run `npx tsc -p tsconfig.build.json` first).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALIAS, CLI, ROOT, runBin } from '../../support/cli.js';
import { logLines, toNdjson, type Line } from '../../support/log-lines.js';

const FIXTURES = join(ROOT, 'test/fixtures/analyzer');

const run = runBin;

let log: string;
let summary: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npx tsc -p tsconfig.build.json)`);
  const L = logLines({ runId: 'lab-buggy' });
  const S = logLines({ runId: 'lab-fixed' });
  const lines: Line[] = [];
  for (let i = 0; i < 40; i++) {
    lines.push(L.finish({ id: `p${i}`, t: L.at(i * 100), method: 'POST', path: '/api/v1/todos', status: 201, ms: 20 + i }));
    lines.push(L.start({ id: `d${i}`, t: L.at(i * 100 + 40), method: 'DELETE', path: '/api/v1/todos/undefined' }));
    lines.push(L.dbQuery({ id: `d${i}`, t: L.at(i * 100 + 45), dbMs: 3, poolWaitMs: 1 }));
    lines.push(L.finish({ id: `d${i}`, t: L.at(i * 100 + 50), method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, ms: 10 }));
    lines.push(S.finish({ id: `f${i}`, t: S.at(600_000 + i * 100), status: 200, ms: 5 }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'logjam-cli-'));
  log = join(dir, 'lab.ndjson');
  writeFileSync(log, toNdjson(lines));
  // k6's summary of the same run: 40 POSTs checked against 200 (the API answers 201)
  const k6 = JSON.parse(readFileSync(join(FIXTURES, 'k6-summary.json'), 'utf8'));
  k6.metrics.http_reqs.values.count = 80;
  k6.root_group.groups[0].checks[0].fails = 40;
  summary = join(dir, 'summary.json');
  writeFileSync(summary, JSON.stringify(k6));
});

describe('logjam analyze (built CLI)', () => {
  it('prints the findings and exits 0', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', log]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DELETE /api/v1/todos/undefined × 40, all 400');
    expect(r.stdout).toContain('Routes');
  });

  it('compares with the client summary: the 201-against-200 mismatch', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', log, '--client-summary', summary, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const ids = report.findings.map((f: { id: string }) => f.id);
    expect(ids).toContain('status-mismatch');
    expect(report.client.requests).toBe(80);
    const mismatch = report.findings.find((f: { id: string }) => f.id === 'status-mismatch');
    expect(mismatch.explanation).toContain('the test expects 200 but the API returns 201 Created');
  });

  it('--json has the documented shape', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', log, '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.reportVersion).toBe(2);
    expect(report.run).toMatchObject({ runId: 'lab-buggy', totals: { requests: 80, errors4xx: 40 } });
    expect(report.input.totalLines).toBe(200);
    expect(report.input.otherRuns).toBe(40);
    expect(report.findings[0]).toMatchObject({ id: 'suspicious-path', severity: 'critical' });
    for (const key of ['routes', 'timeline', 'suspiciousPaths', 'statusClusters', 'queries', 'summary']) expect(report).toHaveProperty(key);
  });

  it('a breached --fail-on prints the report, lists the breach and exits 1', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', log, '--fail-on', 'p95<1s', '--fail-on', 'error_rate<1%']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Thresholds: 1 breached');
    expect(r.stderr).toContain('1 of 2 --fail-on thresholds breached');
    expect(r.stderr).toContain('error_rate<1%: error_rate = 50.00% (limit 1.00%)');
  });

  it('thresholds that hold exit 0', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-fixed', '--logs', log, '--fail-on', 'p95<1s', '--fail-on', 'route:GET /api/v1/todos:error_rate<1%']);
    expect(r.code).toBe(0);
  });

  it('bad --fail-on syntax is a usage error, exit 2, before reading the logs', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', '/does/not/exist', '--fail-on', 'p95 under 1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fail-on "p95 under 1s"');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it('an unknown run exits 2 and names the nearest runs', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-bugy', '--logs', log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no lines for run "lab-bugy"');
    const nearest = r.stderr.split('\n').filter((l) => /^\s{4}lab-/.test(l));
    expect(nearest[0]).toContain('lab-buggy');
  });

  it('no source, or both sources, is a usage error (exit 2)', async () => {
    expect((await run(CLI, ['analyze', '--run', 'x'])).code).toBe(2);
    const both = await run(CLI, ['analyze', '--run', 'x', '--logs', log, '--log-group', 'g']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('a bad client summary exits 2 with a clear message', async () => {
    const r = await run(CLI, ['analyze', '--run', 'lab-buggy', '--logs', log, '--client-summary', log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not valid JSON');
  });

  it('reads stdin with --logs - and works through the analyze alias bin, --markdown', async () => {
    const r = await run(ALIAS, ['--run', 'lab-buggy', '--logs', '-', '--markdown'], readFileSync(log, 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# logjam analysis — run `lab-buggy`');
  });
});

describe('logjam runs / trace (built CLI)', () => {
  it('runs lists every run with its request count', async () => {
    const r = await run(CLI, ['runs', '--logs', log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lab-buggy .* 80\n/);
    const json = JSON.parse((await run(CLI, ['runs', '--logs', log, '--json'])).stdout);
    expect(json.runs.map((x: { runId: string }) => x.runId)).toEqual(['lab-buggy', 'lab-fixed']);
  });

  it('trace prints the request in time order with offsets and a waterfall', async () => {
    const r = await run(CLI, ['trace', 'd3', '--logs', log]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const order = ['request.start', 'db.query', 'request.finish'].map((e) => lines.findIndex((l) => l.includes(e)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(r.stdout).toContain('+0.0ms  request.start');
    expect(r.stdout).toContain('+10.0ms  request.finish');
    expect(r.stdout).toMatch(/query 1 .*wait 1\.0ms db 3\.0ms/);
  });

  it('trace of an unknown request id exits 2', async () => {
    const r = await run(CLI, ['trace', 'nope', '--logs', log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no lines for request "nope"');
  });
});
