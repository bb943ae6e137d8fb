/**
 * `logjam compare` from CloudWatch (the fake endpoint + Logs Insights engine, the real SDK): comparing two runs costs
 * no more Logs Insights queries than analyzing each run on its own, and the comparison shows each run's evidence
 * queries. Without histograms (Logs Insights returns percentiles) latency verdicts say they rest on the floor alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAndCompare } from '../../../analyzer/compare/index.js';
import { renderComparisonText } from '../../../analyzer/compare/render-text.js';
import { analyzeRun } from '../../../analyzer/pipeline.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { FAST, putLines, startFake, type Fake } from './helpers.js';

const GROUP = '/logjam/compare';
let fake: Fake;

function run(runId: string, start: number, db: number, undefinedDeletes: number): Line[] {
  const l = logLines({ runId });
  const lines: Line[] = [];
  for (let i = 0; i < 400; i++) {
    const t = start + i * 25;
    lines.push(l.start({ id: `${runId}-${i}`, t: t - 3 }), l.finish({ id: `${runId}-${i}`, t, route: '/api/v1/todos', ms: 4 + db + (i % 6), dbMs: db, dbQueries: 1 }));
  }
  for (let i = 0; i < undefinedDeletes; i++) {
    const id = `${runId}-d${i}`;
    lines.push(l.finish({ id, t: start + i * 50, method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, ms: 2 }));
  }
  return lines;
}

const source = () => createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false });
const startQueries = () => fake.cw.calls.filter((c) => c.op.endsWith('StartQuery')).length;

beforeAll(async () => {
  fake = await startFake();
  const now = Date.now();
  putLines(fake, GROUP, [...run('cw-before', now - 30 * 60_000, 2, 20), ...run('cw-after', now - 15 * 60_000, 25, 0)]);
});

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
});

describe('compare from CloudWatch Logs Insights', () => {
  it('costs no more queries than analyzing each run, and shows the evidence queries', { timeout: 60_000 }, async () => {
    let before = startQueries();
    await analyzeRun({ source: await source(), runId: 'cw-before' });
    await analyzeRun({ source: await source(), runId: 'cw-after' });
    const separately = startQueries() - before;
    expect(separately).toBeGreaterThan(0);

    before = startQueries();
    const shared = await source();
    const { comparison } = await analyzeAndCompare({ base: { source: shared, runId: 'cw-before' }, run: { source: shared, runId: 'cw-after' } });
    const compared = startQueries() - before;
    expect(compared).toBeLessThanOrEqual(separately);
    expect(comparison.base.scanned!.queries + comparison.run.scanned!.queries).toBe(compared);
    // issue 20: each run of a comparison costs at most 10 StartQuery calls, as one analyze does
    expect(comparison.base.scanned!.queries).toBeLessThanOrEqual(10);
    expect(comparison.run.scanned!.queries).toBeLessThanOrEqual(10);
    expect(compared).toBeLessThanOrEqual(20);

    expect(comparison.overall.latency.method).toBe('floor-only');
    expect(comparison.overall.latency.mean.verdict).toBe('regression');
    const gone = comparison.findings.vanished.find((f) => f.id === 'suspicious-path');
    expect(gone?.query?.language).toBe('logs-insights');
    expect(gone!.query!.text).toContain('run_id = "cw-before"');
    const text = renderComparisonText(comparison, { markdown: false, queries: true });
    expect(text).toContain('run_id = "cw-before"');
    expect(text).toMatch(/Logs Insights queries/);
  });
});
