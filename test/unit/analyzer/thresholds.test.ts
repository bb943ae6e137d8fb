import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/errors.js';
import { evaluateThresholds, parseThreshold, parseThresholds } from '../../../analyzer/thresholds.js';
import { logLines } from '../../support/log-lines.js';
import { aggregateLines } from './helpers.js';

describe('--fail-on parsing', () => {
  it('reads run-wide and per-route thresholds with units', () => {
    expect(parseThreshold('p95<500ms')).toMatchObject({ metric: 'p95', op: '<', limit: 500 });
    expect(parseThreshold('p99 < 1s')).toMatchObject({ metric: 'p99', limit: 1000 });
    expect(parseThreshold('error_rate<1%')).toMatchObject({ metric: 'error_rate', limit: 0.01 });
    expect(parseThreshold('error_rate<=0.05')).toMatchObject({ op: '<=', limit: 0.05 });
    expect(parseThreshold('rps>=50')).toMatchObject({ metric: 'rps', op: '>=', limit: 50 });
    expect(parseThreshold('route:POST /api/v1/todos:p95<300ms')).toMatchObject({
      metric: 'p95',
      limit: 300,
      route: { method: 'POST', route: '/api/v1/todos' },
    });
    expect(parseThreshold('route:/api/v1/todos/:id:error_rate<1%').route).toEqual({ route: '/api/v1/todos/:id' });
  });

  it('rejects bad syntax with a UsageError (exit 2)', () => {
    for (const bad of ['p95', 'p95<', 'p96<500ms', 'error_rate<5', 'p95<1%', 'route:POST:p95<1ms', 'requests<10ms', '']) {
      expect(() => parseThreshold(bad), bad).toThrow(UsageError);
    }
    expect(() => parseThresholds(['p95<1s', 'nope'])).toThrow(/nope/);
  });
});

describe('--fail-on evaluation', () => {
  it('passes and breaches against the run and its routes', async () => {
    const L = logLines();
    const lines = [
      ...Array.from({ length: 90 }, (_, i) => L.finish({ id: `g${i}`, t: L.at(i * 100), ms: 50 })),
      ...Array.from({ length: 10 }, (_, i) => L.finish({ id: `p${i}`, method: 'POST', t: L.at(i * 100), ms: 800, status: 500 })),
    ];
    const agg = await aggregateLines(lines);
    const results = evaluateThresholds(
      parseThresholds(['p50<100ms', 'p99<500ms', 'error_rate<1%', 'route:GET /api/v1/todos:p95<100ms', 'route:POST /api/v1/todos:p95<100ms', 'route:DELETE /nope:p95<1s']),
      agg,
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, false, false]);
    expect(results[2]!.actual).toBeCloseTo(0.1);
    expect(results[5]!.reason).toBe('no requests for this route');
  });
});
