/**
 * Issue 5 item 7, end to end: the sample app (built, as a child process, embedded PostgreSQL in a temp folder), the
 * Node runner's planners-and-studiers scenario scaled down, then the analysis of each run from the app's log file
 * with the runner's client summary.
 *  - buggy variant: the analyzer must find the lab's two client bugs — `DELETE /api/v1/todos/undefined` (all 400)
 *    and the check `is status 200` failing on POST while the server answered 201 Created;
 *  - fixed variant, same app: neither finding, and every client check passes.
 * Both runs share one app and one log file: each analysis picks its own run id out of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../analyzer/model.js';
import { analyzeRun, type RunAnalysis } from '../../analyzer/pipeline.js';
import { loadClientView } from '../../analyzer/sources/client-summary.js';
import { createLocalSource } from '../../analyzer/sources/ndjson/index.js';
import type { K6Summary } from '../../loadtests/k6-summary.js';
import { runLoad } from '../../loadtests/runner/index.js';
import { startAppChild, type AppChild } from './support/app-child.js';

/**
 * 0.03 × the lab's timings: studiers ramp for ~11 s, each planner iteration thinks 0.6 s (20 iterations ≈ 12 s of
 * an 18 s budget, so a slow machine still finishes them all). 0.05 × the users: 125 studiers, 1 planner, and
 * 400 × 0.05 = 20 planner iterations.
 */
const LOAD = { scenario: 'planners-and-studiers', timeScale: 0.03, vuScale: 0.05, timeoutMs: 15_000 } as const;
const PLANNER_ITERATIONS = 20;

interface VariantRun {
  runId: string;
  summary: K6Summary;
  summaryPath: string;
}

let dir: string;
let app: AppChild;
const runs: Partial<Record<'buggy' | 'fixed', VariantRun>> = {};
const analyses: Partial<Record<'buggy' | 'fixed', RunAnalysis>> = {};

async function load(variant: 'buggy' | 'fixed'): Promise<void> {
  const runId = `e2e-lab-${variant}`;
  const summaryPath = join(dir, `${variant}-summary.json`);
  const { summary } = await runLoad({ ...LOAD, variant, endpoint: app.url, runId, summaryPath });
  runs[variant] = { runId, summary, summaryPath };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-e2e-lab-'));
  app = await startAppChild({ dir });
  try {
    await load('buggy');
    await load('fixed');
  } finally {
    // the graceful stop flushes every log line to the file before it is analyzed
    expect(await app.stop()).toBe(0);
  }
  for (const variant of ['buggy', 'fixed'] as const) {
    const run = runs[variant]!;
    const client = await loadClientView(run.summaryPath);
    analyses[variant] = await analyzeRun({ source: createLocalSource(app.logFile), runId: run.runId, client });
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const byId = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);
const titles = (findings: Finding[]): string => findings.map((f) => `${f.id}: ${f.title}`).join('\n');

describe('the lab, buggy against fixed (sample app + Node runner + analyze with the client summary)', () => {
  it('both runs completed every planner iteration (the scale still exercises the bugs 20 times)', () => {
    for (const variant of ['buggy', 'fixed'] as const) {
      const planners = runs[variant]!.summary.logjam?.scenarios?.planners;
      expect(planners?.iterations, variant).toBeGreaterThanOrEqual(PLANNER_ITERATIONS);
      expect(planners?.interruptedIterations, variant).toBe(0);
    }
  });

  it('buggy: finds DELETE /api/v1/todos/undefined, every one answered 400', () => {
    const { findings, aggregate } = analyses.buggy!;
    const deletes = runs.buggy!.summary.logjam!.scenarios!.planners!.iterations;
    const suspicious = byId(findings, 'suspicious-path');
    expect(suspicious, titles(findings)).toHaveLength(1);
    expect(suspicious[0]!.title).toContain('DELETE /api/v1/todos/undefined');
    expect(suspicious[0]!.counts).toMatchObject({ requests: deletes, errors: deletes, status_400: deletes });
    expect(suspicious[0]!.exampleRequestIds.length).toBeGreaterThan(0);
    // the client summary names the lab's scenario: the finding may name the lab's own bug
    expect(suspicious[0]!.explanation).toContain('`request.json().id`');
    expect(aggregate.suspiciousPaths).toEqual([
      expect.objectContaining({ method: 'DELETE', path: '/api/v1/todos/undefined', segment: 'undefined', count: deletes, statuses: { '400': deletes } }),
    ]);
  });

  it('buggy: finds the `is status 200` check failing on POST while the server answered 201 Created', () => {
    const { findings, aggregate } = analyses.buggy!;
    const creates = runs.buggy!.summary.logjam!.scenarios!.planners!.iterations;
    const post = aggregate.routes.find((r) => r.method === 'POST' && r.route === '/api/v1/todos');
    expect(post?.statuses).toEqual({ '201': creates });

    const mismatches = byId(findings, 'status-mismatch');
    expect(mismatches, titles(findings)).toHaveLength(1);
    const [mismatch] = mismatches;
    expect(mismatch!.title).toContain('"is status 200"');
    expect(mismatch!.title).toContain('POST /api/v1/todos');
    expect(mismatch!.counts).toMatchObject({ expected: 200, serverStatus: 201, serverCount: creates });
    expect(mismatch!.explanation).toContain('the test expects 200 but the API returns 201 Created');
  });

  it('fixed: neither finding, and every client check passed', async () => {
    const { findings, aggregate } = analyses.fixed!;
    expect(byId(findings, 'suspicious-path'), titles(findings)).toEqual([]);
    expect(byId(findings, 'status-mismatch'), titles(findings)).toEqual([]);
    expect(aggregate.suspiciousPaths).toEqual([]);

    const client = await loadClientView(runs.fixed!.summaryPath);
    const creates = runs.fixed!.summary.logjam!.scenarios!.planners!.iterations;
    expect(client.checks.length).toBeGreaterThan(0);
    for (const check of client.checks) expect(check.fails, `check "${check.name}"`).toBe(0);
    expect(client.checks.find((c) => c.name === 'is status 201')?.passes).toBe(creates);

    // the fixed test deletes the todos it created, by their real id
    const deleted = aggregate.routes.find((r) => r.method === 'DELETE' && r.route === '/api/v1/todos/:id');
    expect(deleted?.statuses).toEqual({ '200': creates });
  });
});
