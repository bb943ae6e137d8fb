import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../middleware/sinks/cloudwatch/errors.js';
import { lineTime } from '../../../middleware/sinks/cloudwatch/line-time.js';
import { resolveOptions } from '../../../middleware/sinks/cloudwatch/options.js';

const aws = (name: string, status?: number) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });

describe('classifyFailure', () => {
  it('retries throttling by name, 5xx and network errors', () => {
    expect(classifyFailure(aws('ThrottlingException', 400))).toBe('retryable');
    expect(classifyFailure(aws('ServiceUnavailableException', 503))).toBe('retryable');
    expect(classifyFailure(aws('SomethingNew', 502))).toBe('retryable');
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('retryable');
  });
  it('does not retry validation and other 4xx', () => {
    expect(classifyFailure(aws('InvalidParameterException', 400))).toBe('rejected');
    expect(classifyFailure(aws('AccessDeniedException', 400))).toBe('rejected');
    expect(classifyFailure(aws('ResourceNotFoundException', 400))).toBe('missing_destination');
  });
});

describe('lineTime', () => {
  it('reads epoch ms, ISO strings, and falls back', () => {
    expect(lineTime('{"level":"info","time":1700000000123,"msg":"x"}', 0)).toBe(1_700_000_000_123);
    expect(lineTime('{"time":"2024-01-02T03:04:05.000Z"}', 0)).toBe(Date.parse('2024-01-02T03:04:05.000Z'));
    expect(lineTime('not json', 42)).toBe(42);
  });
});

describe('resolveOptions', () => {
  it('applies the documented defaults and a safe default stream name', () => {
    const o = resolveOptions({ logGroupName: 'g', service: 'svc' });
    expect(o).toMatchObject({ createLogGroup: true, maxBufferedEvents: 100_000, maxBufferedBytes: 64 * 1024 * 1024, flushIntervalMs: 1000, maxEventBytes: 262_144, maxRetries: Number.POSITIVE_INFINITY, shutdownTimeoutMs: 5000 });
    expect(o.logStreamName).toMatch(new RegExp(`^svc/.+/${process.pid}-\\d+$`));
    expect(o.logStreamName).not.toMatch(/[:*]/);
  });
  it('refuses a missing group and out-of-range numbers with a clear message', () => {
    expect(() => resolveOptions({} as never)).toThrow(/logGroupName is required/);
    expect(() => resolveOptions({ logGroupName: 'g', maxEventBytes: 10 })).toThrow(/maxEventBytes/);
  });
});
