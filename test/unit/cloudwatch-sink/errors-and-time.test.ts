import fc from 'fast-check';
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
  it('reads the first numeric time like a leftmost regex match, whatever comes before or after it', () => {
    // the first "time" is a string or an object here: the numeric one after it is the timestamp
    expect(lineTime('{"time":"soon","x":{"time":{}},"time":1700000000001}', 0)).toBe(1_700_000_000_001);
    expect(lineTime('{"time":12345678901234567,"time":5}', 0)).toBe(5); // 17 digits are not a timestamp
    expect(lineTime('{"time":1700000000123.5}', 0)).toBe(1_700_000_000_123);
    expect(lineTime('{"time":1700000000123\u2028}', 0)).toBe(1_700_000_000_123);
    expect(lineTime('{"time":9007199254740993}', 0)).toBe(Number('9007199254740993'));
    expect(lineTime('{"time":17x,"t":1}', 7)).toBe(7);
  });
  it('agrees with the plain regex reading on arbitrary lines (the fast path changes no timestamp)', () => {
    const epoch = /"time":(\d{1,16})(?:[.,}\s])/;
    const iso = /"time":"([^"]{1,64})"/;
    const reference = (line: string, fallback: number) => {
      const n = epoch.exec(line);
      if (n) return Number(n[1]);
      const t = iso.exec(line);
      const parsed = t ? Date.parse(t[1]!) : NaN;
      return Number.isFinite(parsed) ? parsed : fallback;
    };
    const piece = fc.constantFrom('"time":', '"time":"', '1', '7', '0', '9', '.', ',', '}', ' ', '\n', '\u2028', '"', 'x', '2024-01-02T03:04:05Z', '{', '1700000000123', '12345678901234567');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const line = pieces.join('');
        expect(lineTime(line, -1)).toBe(reference(line, -1));
      }),
      { numRuns: 3000 },
    );
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
