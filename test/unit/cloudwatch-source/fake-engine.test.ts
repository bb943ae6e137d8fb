/** The test oracle itself: the fake Logs Insights engine computes what the real service would. */
import { describe, expect, it } from 'vitest';
import { FAKE_MAX_ROWS, formatTimestamp, runQuery } from '../../support/fake-cloudwatch/insights.js';

const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);
const events = (lines: Record<string, unknown>[]) =>
  lines.map((l, i) => ({ timestamp: Number(l.time ?? T0 + i), message: JSON.stringify(l), ingestionTime: 0, logStream: 's' }));

describe('fake Logs Insights engine', () => {
  const lines = [
    { time: T0, run_id: 'r', event: 'request.finish', method: 'GET', route: '/a', status: 200, duration_ms: 10, request_id: 'a1' },
    { time: T0 + 1000, run_id: 'r', event: 'request.finish', method: 'GET', route: '/a', status: 500, duration_ms: 30, request_id: 'a2', err: { message: 'boom' } },
    { time: T0 + 6000, run_id: 'r', event: 'request.finish', method: 'GET', path: '/b/1', status: 404, duration_ms: 20, request_id: 'b1' },
    { time: T0 + 7000, run_id: 'other', event: 'request.finish', method: 'GET', route: '/a', status: 200, duration_ms: 99, request_id: 'o1' },
  ];

  it('stats by fields and bins, with every value a string and timestamps in the console format', () => {
    const out = runQuery({
      events: events(lines),
      queryString: 'filter run_id = "r" | stats count(*) as n, max(duration_ms) as max, pct(duration_ms, 50) as p50 by bin(5s)',
    });
    expect(out.results).toEqual([
      [
        { field: 'bin(5s)', value: formatTimestamp(T0) },
        { field: 'n', value: '2' },
        { field: 'max', value: '30' },
        { field: 'p50', value: '10' },
      ],
      [
        { field: 'bin(5s)', value: '2025-01-31 12:00:05.000' },
        { field: 'n', value: '1' },
        { field: 'max', value: '20' },
        { field: 'p50', value: '20' },
      ],
    ]);
    expect(out.statistics).toMatchObject({ recordsScanned: 4, recordsMatched: 3 });
  });

  it('leaves absent group fields out of the row, flattens nested fields, and runs a second stage', () => {
    const out = runQuery({
      events: events(lines),
      queryString:
        'filter run_id = "r" | fields coalesce(route, path) as rp | stats count(*) as n, earliest(request_id) as first by route, rp, err.message | sort n desc',
    });
    const rows = out.results.map((cells) => Object.fromEntries(cells.map((c) => [c.field, c.value])));
    expect(rows).toContainEqual({ rp: '/b/1', n: '1', first: 'b1' });
    expect(rows).toContainEqual({ route: '/a', rp: '/a', 'err.message': 'boom', n: '1', first: 'a2' });
    const twoStage = runQuery({
      events: events(lines),
      queryString: 'stats count(*) as lines by run_id | filter lines > 1 | stats count(*) as runs, sum(lines) as total',
    });
    expect(twoStage.results).toEqual([[{ field: 'runs', value: '1' }, { field: 'total', value: '3' }]]);
  });

  it('filters with like /regex/ (case-insensitive with (?i)), in, not ispresent, and comparisons', () => {
    const q = (filter: string) =>
      runQuery({ events: events(lines), queryString: `filter ${filter} | stats count(*) as n` }).results[0]![0]!.value;
    expect(q('path like /(?i)\\/B\\//')).toBe('1');
    expect(q('status in [200, 404]')).toBe('3');
    expect(q('not ispresent(route)')).toBe('1');
    expect(q('status >= 400 and run_id = "r"')).toBe('2');
    expect(q('run_id != "r" or status = 404')).toBe('2');
  });

  it('returns at most 10,000 rows and raw rows with @ptr', () => {
    const many = Array.from({ length: FAKE_MAX_ROWS + 5 }, (_, i) => ({ time: T0, n: i }));
    const out = runQuery({ events: events(many), queryString: 'fields n' });
    expect(out.results).toHaveLength(FAKE_MAX_ROWS);
    expect(out.results[0]!.map((c) => c.field)).toEqual(['n', '@ptr']);
  });

  it('rejects what the service would reject', () => {
    expect(() => runQuery({ events: [], queryString: 'stats frob(x)' })).toThrow(/unknown stats function/);
    expect(() => runQuery({ events: [], queryString: 'filter a = "x' })).toThrow(/unterminated/);
  });
});
