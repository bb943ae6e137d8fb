import { describe, expect, it } from 'vitest';
import { buildSummary, renderTextSummary } from '../../../loadtests/runner/summary.js';
import type { MetricsSnapshot } from '../../../loadtests/runner/metrics.js';

const trend = { count: 4, avg: 25, min: 10, med: 20, max: 50, p90: 40, p95: 45, p99: 49 };
const snapshot: MetricsSnapshot = {
  requests: 100,
  failedRequests: 10,
  noResponse: { timeout: 3, refused: 1, reset: 2, other: 0 },
  interruptedRequests: 0,
  duration: trend,
  iterationDuration: trend,
  iterations: 50,
  interruptedIterations: 4,
  iterationErrors: { total: 0, byMessage: {} },
  droppedIterations: 0,
  checks: [
    { name: 'is status 200', passes: 60, fails: 20 },
    { name: 'is status 201', passes: 20, fails: 0 },
  ],
  checkPasses: 80,
  checkFails: 20,
  vusMax: 120,
  vusPeak: 118,
  scenarios: [
    { name: 'studiers', executor: 'ramping-vus', vusMax: 100, thinkTimeS: 6, iterations: 40, interruptedIterations: 4, droppedIterations: 0, checks: [] },
    { name: 'planners', executor: 'shared-iterations', vusMax: 20, thinkTimeS: 1, iterations: 10, interruptedIterations: 0, droppedIterations: 0, checks: [] },
  ],
};
const run = {
  runId: 'r1',
  scenario: 'planners-and-studiers',
  variant: 'buggy',
  endpoint: 'http://127.0.0.1:3000',
  startedAt: new Date('2024-01-01T00:00:00Z'),
  durationMs: 10_000,
  timeScale: 0.05,
  vuScale: 0.04,
  timeoutMs: 60_000,
};

describe('buildSummary', () => {
  const summary = buildSummary(snapshot, run);

  it("computes k6's rates: counters per second, checks pass rate", () => {
    expect(summary.metrics.http_reqs.values).toEqual({ count: 100, rate: 10 });
    expect(summary.metrics.iterations.values).toEqual({ count: 50, rate: 5 });
    expect(summary.metrics.checks.values).toEqual({ rate: 0.8, passes: 80, fails: 20 });
  });

  it('uses k6 Rate semantics for http_req_failed: "passes" are the failed requests', () => {
    expect(summary.metrics.http_req_failed.values).toEqual({ rate: 0.1, passes: 10, fails: 90 });
  });

  it("names the trend stats the way k6 does", () => {
    expect(summary.metrics.http_req_duration.values).toEqual({ avg: 25, min: 10, med: 20, max: 50, 'p(90)': 40, 'p(95)': 45 });
  });

  it('fills the logjam block: no-response counts by reason, think time of the busiest scenario', () => {
    expect(summary.logjam).toMatchObject({
      runId: 'r1',
      noResponse: { total: 6, timeout: 3, refused: 1, reset: 2, other: 0 },
      thinkTimeS: 6,
      timeScale: 0.05,
      vuScale: 0.04,
      startedAt: '2024-01-01T00:00:00.000Z',
    });
    expect(summary.metrics.vus_max.values).toEqual({ value: 120, min: 120, max: 120 });
  });

  it('gives checks their k6 path and id (md5 of the path)', () => {
    expect(summary.root_group.checks[0]).toEqual({
      name: 'is status 200',
      path: '::is status 200',
      id: '548d37ca5f33793206f7832e7cea54fb',
      passes: 60,
      fails: 20,
    });
  });
});

describe('renderTextSummary', () => {
  const text = renderTextSummary(buildSummary(snapshot, run), { summaryPath: '/tmp/s.json' });
  it('marks failing checks ✗ with their pass percentage and passing ones ✓', () => {
    expect(text).toContain('✗ is status 200');
    expect(text).toContain('75% — ✓ 60 / ✗ 20');
    expect(text).toContain('✓ is status 201');
  });
  it('prints the k6 metric lines and the no-response breakdown', () => {
    expect(text).toMatch(/checks\.+: 80\.00%/);
    expect(text).toMatch(/http_req_duration\.+: avg=25\.00ms min=10\.00ms med=20\.00ms max=50\.00ms p\(90\)=40\.00ms p\(95\)=45\.00ms/);
    expect(text).toMatch(/http_req_failed\.+: 10\.00%/);
    expect(text).toMatch(/http_reqs\.+: 100\s+10\.00\/s/);
    expect(text).toMatch(/iterations\.+: 50\s+5\.00\/s/);
    expect(text).toMatch(/vus_max\.+: 120/);
    expect(text).toContain('timeout 3, refused 1, reset 2, other 0');
    expect(text).toContain('/tmp/s.json');
  });
  it('has no colour codes unless asked', () => {
    expect(text).not.toContain('\x1b[');
  });
});
