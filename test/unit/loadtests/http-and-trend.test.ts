import { describe, expect, it } from 'vitest';
import { classifyNoResponse } from '../../../loadtests/runner/http.js';
import { Trend } from '../../../loadtests/runner/trend.js';
import { formatProgress } from '../../../loadtests/runner/progress.js';

const withCode = (code: string, cause?: unknown): Error => Object.assign(new Error(code), { code, cause });

describe('classifyNoResponse', () => {
  it.each([
    [withCode('ECONNREFUSED'), 'refused'],
    [withCode('UND_ERR_SOCKET', withCode('ECONNRESET')), 'reset'],
    [withCode('UND_ERR_SOCKET'), 'reset'],
    [withCode('EPIPE'), 'reset'],
    [withCode('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    [withCode('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    [withCode('ENOTFOUND'), 'other'],
    [new Error('strange'), 'other'],
  ])('%s -> %s', (err, reason) => {
    expect(classifyNoResponse(err, false)).toBe(reason);
  });
  it('calls anything that hit our own timer a timeout', () => {
    expect(classifyNoResponse(new Error('aborted'), true)).toBe('timeout');
  });
});

describe('Trend', () => {
  it('gives exact min/max/avg and percentiles within 0.1 %', () => {
    const trend = new Trend();
    for (let i = 1; i <= 10_000; i++) trend.add(i / 10); // 0.1 … 1000 ms
    const v = trend.values();
    expect(v.count).toBe(10_000);
    expect(v.min).toBe(0.1);
    expect(v.max).toBe(1000);
    expect(v.avg).toBeCloseTo(500.05, 6);
    expect(Math.abs(v.med - 500) / 500).toBeLessThan(0.002);
    expect(Math.abs(v.p90 - 900) / 900).toBeLessThan(0.002);
    expect(Math.abs(v.p95 - 950) / 950).toBeLessThan(0.002);
  });
  it('is all zeros when empty', () => {
    expect(new Trend().values()).toMatchObject({ count: 0, avg: 0, min: 0, max: 0, med: 0 });
  });
});

describe('formatProgress', () => {
  it('shows VUs, requests, req/s and failed checks', () => {
    const line = formatProgress(
      { elapsedMs: 75_500, vus: 12, vusByScenario: {}, vusMax: 40, requests: 345, iterations: 1, droppedIterations: 0, failedChecks: 7, noResponse: 0, done: false },
      12.34,
    );
    expect(line).toBe('running 01:15  VUs 12/40  requests 345  12.3 req/s  failed checks 7');
  });
});
