import { describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts, renderCapacityMarkdown, renderCapacityTerminal } from '../../../analyzer/capacity/index.js';
import { LogjamError } from '../../../common/errors.js';
import type { ClientView } from '../../../analyzer/model.js';
import { aggregate, curveBins, latency, route } from './fixtures.js';

// 600 requests in 60 s at a mean of 200 ms, one Node process half busy (ELU 0.5): S = 0.5 × 1 × 60 s / 600 = 0.05 s.
// 50 VUs thinking 1.8 s; one task of 1 vCPU / 2 GB.
const agg = aggregate({
  workers: 1,
  runtime: { samples: 60, elDelayP99MsMax: 15, elDelayP99MsMean: 12, eluMean: 0.5, eluMax: 0.6, heapUsedMbMax: 80, poolWaitingMax: 0, poolTotalMax: 10 },
  totals: { requests: 600, dbQueries: 600, latency: latency(200, 450) },
  routes: [route('GET', '/api/v1/todos', { count: 4000, latency: latency(250, 500) }), route('POST', '/api/v1/todos', { count: 2000, latency: latency(100, 200) })],
  bins: curveBins(Array.from({ length: 20 }, (_, i) => i + 1), (n) => Math.min(10 * n, 100)),
});
const client: ClientView = { file: 's.json', requests: 600, failedRequests: 0, checks: [], vusMax: 50, thinkTimeS: 1.8 };
// an AWS deployment: the Fargate size and the RDS class are given
const base = { fargateCpu: '1024', fargateMemory: '2048', dbInstanceClass: 'db.t3.micro' };

function line(report: ReturnType<typeof computeCapacity>, name: string) {
  const f = report.formulas.find((x) => x.name === name);
  if (!f) throw new Error(`no formula ${name}`);
  return f;
}

describe('computeCapacity', () => {
  const report = computeCapacity(agg, client, parseDeploymentFacts({ ...base, targetRps: '60' }));

  it('works out the current deployment by hand', () => {
    expect(line(report, 'workers.node-cluster').result).toBe(1);
    // a Node service: gunicorn's rule is not its business
    expect(report.formulas.some((f) => f.name === 'workers.gunicorn')).toBe(false);
    expect(line(report, 'service-time').result).toBeCloseTo(0.05, 12); // utilization law
    expect(report.inputs.serviceTimeBasis).toBe('utilization-law');
    expect(line(report, 'capacity.per-task').result).toBeCloseTo(20, 9); // 1 × 1 / 0.05 s
    expect(line(report, 'throughput.measured').result).toBeCloseTo(10, 9); // 600 / 60 s
    expect(line(report, 'littles-law').result).toBeCloseTo(2, 9); // 10 × 0.2
    expect(line(report, 'closed-model.throughput').result).toBeCloseTo(25, 9); // 50 / (0.2 + 1.8)
    expect(line(report, 'utilization').result).toBeCloseTo(1.25, 9); // 25 / 20
    expect(report.inputs.thinkTimeSource).toBe('client-summary');
    expect(report.inputs.routes[0]!.route).toBe('/api/v1/todos');
    expect(report.inputs.routes[0]!.timeShare).toBeCloseTo(1_000_000 / 1_200_000, 9);
  });

  it('takes S from the time outside the DB without runtime stats, and the response time for gunicorn', () => {
    const noRuntime = { ...agg, runtime: undefined, totals: { ...agg.totals, dbMsMean: 30, poolWaitMsMean: 20 } };
    const node = computeCapacity(noRuntime, client, parseDeploymentFacts(base));
    expect(line(node, 'service-time').result).toBeCloseTo(0.15, 12); // 200 − 30 − 20 ms
    expect(node.inputs.serviceTimeBasis).toBe('time-outside-db');
    const gunicorn = computeCapacity(agg, client, parseDeploymentFacts({ ...base, workerModel: 'gunicorn' }));
    expect(line(gunicorn, 'workers.gunicorn').result).toBe(3);
    expect(line(gunicorn, 'service-time').result).toBeCloseTo(0.2, 12);
    // 3 workers (2 × 1 + 1) × 1 thread / 0.2 s
    expect(line(gunicorn, 'capacity.per-task').result).toBeCloseTo(15, 9);
  });

  it('plans for a target with headroom: 1 vCPU / 2 GB → 4 vCPU / 8 GB', () => {
    // 60 × 1.3 = 78 req/s; ⌈78 × 0.05 / 1⌉ = 4 workers = 4 vCPUs in one task
    expect(report.plan).toMatchObject({ targetRps: 60, workers: 4, workersPerTask: 4, vcpus: 4, tasks: 1, dbConnectionsNeeded: 40, dbFits: true });
    expect(report.plan!.requiredRps).toBeCloseTo(78, 9);
    expect(report.plan!.fargateChange).toBe('1 vCPU / 2 GB → 4 vCPU / 8 GB');
  });

  it('plans for a VU target through the closed model, and finds the DB too small', () => {
    const r = computeCapacity(agg, client, parseDeploymentFacts({ ...base, targetVus: '400' }));
    // X = 400 / (0.2 + 1.8) = 200; × 1.3 = 260; ⌈260 × 0.05⌉ = 13 workers -> 16 vCPU / 32 GB; 13 × 10 = 130 connections
    expect(line(r, 'plan.target-throughput').result).toBeCloseTo(200, 9);
    expect(r.plan).toMatchObject({ workers: 13, vcpus: 13, tasks: 1, dbConnectionsNeeded: 130, dbFits: false, smallestDbClass: 'db.t3.small' });
    expect(r.plan!.fargateChange).toBe('1 vCPU / 2 GB → 16 vCPU / 32 GB');
    expect(r.plan!.notes.join(' ')).toContain('use db.t3.small');
  });

  it('spreads over more tasks when one task would exceed 16 vCPU', () => {
    const r = computeCapacity(agg, client, parseDeploymentFacts({ ...base, targetRps: '400' }));
    // 520 req/s × 0.05 s = 26 workers -> 2 tasks × 13
    expect(r.plan).toMatchObject({ workers: 26, tasks: 2, workersPerTask: 13, vcpus: 26 });
  });

  it('checks the RDS class against pool × workers × tasks', () => {
    expect(report.rds).toMatchObject({ instanceClass: 'db.t3.micro', maxConnections: 86, usableConnections: 83, connectionsNeeded: 10, fits: true, smallestFitting: 'db.t3.micro' });
    const r = computeCapacity(agg, client, parseDeploymentFacts({ cpus: '4', tasks: '3', poolSize: '10', dbInstanceClass: 'db.t3.micro' }));
    expect(r.rds).toMatchObject({ connectionsNeeded: 120, fits: false, smallestFitting: 'db.t3.small' });
  });

  it('has no RDS, Fargate or gunicorn lines when nothing describes the deployment as AWS', () => {
    const r = computeCapacity(agg, client, parseDeploymentFacts({ cpus: '4', tasks: '3', poolSize: '10', targetRps: '60' }));
    expect(r.rds).toBeUndefined();
    expect(r.inputs.deployment.awsBy).toBeUndefined();
    expect(line(r, 'db.connections-needed').result).toBe(120); // 10 × 4 workers × 3 tasks: still worth knowing
    expect(r.plan!.fargate).toBeUndefined();
    expect(r.plan!.fargateChange).toBeUndefined();
    expect(r.plan!.dbFits).toBeUndefined();
    const text = renderCapacityTerminal(r, { color: false });
    expect(text).not.toMatch(/RDS|Fargate|gunicorn|max_connections|db\.t3/);
    expect(text).toContain('connections = pool size × workers × tasks = 10 × 4 × 3 = 120 connections');

    // --deployment aws (with a class) brings them back, marked given
    const aws = computeCapacity(agg, client, parseDeploymentFacts({ cpus: '4', deployment: 'aws', dbInstanceClass: 'db.t3.micro', targetRps: '60' }));
    expect(aws.inputs.deployment.awsBy).toBe('--deployment aws');
    expect(aws.rds?.instanceClass).toBe('db.t3.micro');
    expect(aws.plan!.fargateChange).toBeDefined();
    expect(aws.inputs.facts.find((f) => f.key === 'dbInstanceClass')).toMatchObject({ value: 'db.t3.micro', source: 'given' });
    // AWS without a class: no assumed db.t3.micro, a note saying which flag checks the connections
    const noClass = computeCapacity(agg, client, parseDeploymentFacts({ cpus: '4', deployment: 'aws' }));
    expect(noClass.rds).toBeUndefined();
    expect(noClass.notes.join('\n')).toContain('RDS: give --db-instance-class');
  });

  it('carries saturation, the USL fit and the bottleneck verdict', () => {
    expect(report.saturation.knee?.concurrency).toBe(10);
    expect(report.usl.ok).toBe(true);
    expect(report.bottleneck.verdict).toBeDefined();
  });

  it('is JSON-safe (what --json prints is what the renderers read)', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('refuses a run with no finished requests', () => {
    expect(() => computeCapacity(aggregate({ totals: { requests: 0, latency: latency(0) } }), undefined, parseDeploymentFacts({}))).toThrow(LogjamError);
  });
});

describe('capacity renderers', () => {
  const report = computeCapacity(agg, client, parseDeploymentFacts({ ...base, targetRps: '60' }));

  it('print every formula with its numbers substituted', () => {
    const text = renderCapacityTerminal(report, { color: false });
    expect(text).toContain('X = N / (R + Z) = 50 / (0.2 s + 1.8 s) = 25 req/s');
    expect(text).toContain('S = ELU × processes × duration / requests = 0.5 × 1 × 60 s / 600 = 0.05 s');
    expect(text).toContain('capacity = workers × threads / S = 1 × 1 / 0.05 s = 20 req/s');
    expect(text).toContain('max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000) = LEAST(826781204 / 9531392, 5000) = 86 connections');
    expect(text).toContain('1 vCPU / 2 GB → 4 vCPU / 8 GB');
    for (const f of report.formulas) expect(text).toContain(f.formula);
    // no colour codes when colour is off
    expect(text).not.toContain('\u001b[');
    expect(renderCapacityTerminal(report, { color: true })).toContain('\u001b[1m');
  });

  it('Markdown has the same lines', () => {
    const md = renderCapacityMarkdown(report);
    expect(md).toMatch(/^## Capacity — run r1/);
    expect(md).toContain('- X = N / (R + Z) = 50 / (0.2 s + 1.8 s) = 25 req/s');
    expect(md).toContain('USL fit');
  });

  it('neutralises control characters and Markdown in names from logs', () => {
    const hostile = aggregate({
      runId: 'r1',
      routes: [route('GET', '/x\u001b[31m|`<b>', { count: 10 })],
    });
    const r = computeCapacity(hostile, undefined, parseDeploymentFacts({}));
    expect(renderCapacityTerminal(r, { color: false })).not.toContain('\u001b');
    const md = renderCapacityMarkdown(r);
    // the escape shows as text (report/sanitize.ts), its backslash escaped for Markdown
    expect(md).toContain('/x\\\\x1b\\[31m\\|\\`\\<b\\>');
  });
});
