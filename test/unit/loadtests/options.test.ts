import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/errors.js';
import { generateRunId, parseDurationMs, resolveLoadOptions } from '../../../loadtests/runner/options.js';
import { flagsToInput } from '../../../cli/load.js';

describe('resolveLoadOptions', () => {
  it('fills the documented defaults', () => {
    const options = resolveLoadOptions({}, () => 'fixed-id');
    expect(options).toEqual({
      scenario: 'planners-and-studiers',
      variant: 'buggy',
      endpoint: 'http://127.0.0.1:3000',
      runId: 'fixed-id',
      timeScale: 1,
      vuScale: 1,
      timeoutMs: 60_000,
      summaryPath: undefined,
    });
  });

  it('rejects an unknown scenario, listing the known ones', () => {
    const attempt = (): unknown => resolveLoadOptions({ scenario: 'soak' });
    expect(attempt).toThrow(UsageError);
    try {
      attempt();
    } catch (err) {
      expect((err as UsageError).hint).toContain('planners-and-studiers');
      expect((err as UsageError).exitCode).toBe(2);
    }
  });

  it.each([
    [{ variant: 'broken' }, /unknown variant/],
    [{ endpoint: 'not a url' }, /not a URL/],
    [{ endpoint: 'ftp://127.0.0.1' }, /http:\/\/ or https:\/\//],
    [{ endpoint: 'http://127.0.0.1:3000/?q=1' }, /query string/],
    [{ runId: 'has space' }, /--run-id/],
    [{ runId: 'x'.repeat(129) }, /--run-id/],
    [{ runId: 'evil\r\nX-Injected: 1' }, /--run-id/],
    [{ timeScale: 0 }, /--time-scale/],
    [{ vuScale: -1 }, /--vu-scale/],
    [{ timeScale: Number.NaN }, /--time-scale/],
    [{ timeoutMs: 0 }, /--timeout/],
  ])('rejects %o', (input, message) => {
    expect(() => resolveLoadOptions(input)).toThrow(message);
  });

  it('normalises the endpoint (no trailing slash) and keeps a path prefix', () => {
    expect(resolveLoadOptions({ endpoint: 'https://example.test/base/' }).endpoint).toBe('https://example.test/base');
  });
});

describe('generateRunId / parseDurationMs', () => {
  it('makes run-<yyyymmdd-hhmmss>-<4 hex> ids that the middleware accepts', () => {
    expect(generateRunId(new Date('2024-05-01T02:03:04Z'), 'beef')).toBe('run-20240501-020304-beef');
    expect(generateRunId()).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{4}$/);
  });

  it('parses durations in ms, s (default) and m', () => {
    expect(parseDurationMs('60s')).toBe(60_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1.5')).toBe(1500);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('0s')).toBeUndefined();
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});

describe('logjam load flags', () => {
  const flags = { scenario: 'planners-and-studiers', endpoint: 'http://127.0.0.1:3000', timeScale: '0.05', vuScale: '1', timeout: '2s' };
  it('turns CLI strings into runner input', () => {
    expect(flagsToInput(flags)).toMatchObject({ timeScale: 0.05, vuScale: 1, timeoutMs: 2000 });
  });
  it('rejects a non-numeric factor and a bad timeout with a usage error', () => {
    expect(() => flagsToInput({ ...flags, timeScale: 'fast' })).toThrow(UsageError);
    expect(() => flagsToInput({ ...flags, timeout: 'forever' })).toThrow(/--timeout/);
  });
});
