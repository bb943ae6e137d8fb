import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../common/duration.js';
import { parseDurationMs } from '../../../loadtests/runner/index.js';
import { parseTimeFlag } from '../../../cli/source-options.js';

describe('one duration parser for --timeout and --since/--until', () => {
  it('reads every unit, and a bare number only with a default unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2W')).toBe(1_209_600_000);
    expect(parseDuration('90')).toBeUndefined();
    expect(parseDuration('90', { defaultUnit: 's' })).toBe(90_000);
    expect(parseDuration('1h', { units: ['ms', 's', 'm'] })).toBeUndefined();
    expect(parseDuration('5 parsecs')).toBeUndefined();
  });

  it('the runner --timeout and the relative --since keep their rules through it', () => {
    expect(parseDurationMs('60s')).toBe(60_000);
    expect(parseDurationMs('1.5')).toBe(1500);
    expect(parseDurationMs('2h')).toBeUndefined();
    expect(parseDurationMs('0s')).toBeUndefined();
    const now = Date.UTC(2026, 0, 2);
    expect(parseTimeFlag('--since', '1d ago', now)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeFlag('--since', '30m', now)).toBe(now - 1_800_000);
    expect(() => parseTimeFlag('--since', 'yesterday-ish', now)).toThrow(/is not a time/);
  });
});
