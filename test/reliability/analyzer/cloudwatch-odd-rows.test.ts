/**
 * Odd Logs Insights results (issue 9, item 4): rows missing fields, counts like "abc", a value that is an object,
 * extra fields, empty rows, status values like "__proto__". The CloudWatch source handles them the way the local
 * source handles bad lines: it never throws, leaves them out and counts them (assembleAggregate's oddValues, shown
 * as a warning in the report). First on hand-made rows (pure, exact counts), then through the real SDK client
 * against the fake CloudWatch, whose answers are corrupted on the way out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../../support/cloudwatch-sections.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { toRows, type ResultCell } from '../../../analyzer/sources/cloudwatch/rows.js';
import type { RunAggregate } from '../../../analyzer/model.js';
import { createInsightsEngine } from '../../support/fake-cloudwatch/insights.js';
import { startFakeCloudWatch, type FakeCloudWatch, type OperationHandler } from '../../support/fake-cloudwatch/server.js';
import { FAST, pointSdkAt, putLines } from '../../integration/cloudwatch-source/helpers.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { figure } from './figures.js';

type Cells = { field?: unknown; value?: unknown }[];
/** Rows as an endpoint might send them, odd types included (the SDK's types say strings). */
const rowsOf = (...rows: (Record<string, unknown> | Cells)[]) =>
  toRows(rows.map((r) => (Array.isArray(r) ? r : Object.entries(r).map(([field, value]) => ({ field, value })))) as ResultCell[][]);


const sum = (i: RunAggregate['input']) => i.parsed + i.malformed + i.oversized + i.foreign + i.otherRuns + (i.outsideTimeRange ?? 0);

describe('odd Logs Insights rows, assembled (pure)', () => {
  it('missing fields, "abc" counts, object values, extra fields, empty rows: no throw, each counted, results intact', () => {
    const good = { method: 'GET', route: '/a', requests: '4', mean: '10', p95: '20', max: '30', extra_field: 'ignored' };
    const { aggregate, oddValues } = assemble({
      // summary: p95 arrives as an object (1 odd cell); an extra field is ignored
      summary: rowsOf({ requests: '5', mean: '10', p95: { value: 20 }, max: '30', whatever: 'x' }),
      events: rowsOf({ schema: '1', event: 'request.finish', lines: '5' }, { schema: '2', event: 'request.finish', lines: '3' }, []),
      statuses: rowsOf(
        { status: '200', requests: '4' },
        { status: '500', requests: '1' },
        { requests: '7' }, // no status: left out (1)
        { status: 'abc', requests: '2' }, // unreadable status (1) and so left out (1)
        [], // empty row: left out (1)
      ),
      routes: rowsOf(
        good,
        { method: 'GET', route: '/b', requests: 'abc', mean: '1', max: '1' }, // "abc" count (1): the route has 0 requests
        { route: '/c', requests: '3' }, // no method: left out (1)
        [], // empty: left out (1)
      ),
      routeStatuses: rowsOf(
        { method: 'GET', route: '/a', status: '200', requests: '3' },
        { method: 'GET', route: '/a', status: '500', requests: '1' },
        { method: 'GET', route: '/a', status: '__proto__', requests: '9' }, // unreadable (1), left out (1)
        { method: 'GET', route: '/a', status: 'constructor', requests: '9' }, // unreadable (1), left out (1)
        { method: 'GET', route: '/a', requests: '9' }, // no status: left out (1)
      ),
      timeline: rowsOf(
        { 'bin(5s)': '2025-01-31 12:00:00.000', requests: '5', mean: '10', max: '30', duration_ms_sum: '50' },
        { requests: '99' }, // no bin: left out (1)
        { 'bin(5s)': 'not a time', requests: '99' }, // unreadable time (1), left out (1)
      ),
      // cells with no field name, and a row whose every value is an object/array/boolean: 2 + 3 odd cells
      aborts: rowsOf([{ value: 'orphan' }, { value: '7' }], [{ field: 'method', value: { x: 1 } }, { field: 'route_or_path', value: ['a'] }, { field: 'aborts', value: true }]),
    });
    // 1 (summary p95) + 4 (statuses) + 3 (routes) + 5 (route statuses) + 3 (timeline) + 5 odd cells and 2 rows left
    // out (aborts: both rows lack method/route_or_path)
    expect(oddValues).toBe(1 + 4 + 3 + 5 + 3 + 5 + 2);
    expect(aggregate.totals).toMatchObject({ requests: 5, errors5xx: 1, errors4xx: 0, aborts: 0 });
    expect(aggregate.totals.latency).toMatchObject({ mean: 10, p95: 0, max: 30 });
    const a = aggregate.routes.find((r) => r.route === '/a')!;
    expect(a.count).toBe(4);
    // only numeric status keys, only numbers: "__proto__"/"constructor" never reach the map
    expect(Object.keys(a.statuses)).toEqual(['200', '500']);
    expect(Object.values(a.statuses)).toEqual([3, 1]);
    expect(Object.hasOwn(a.statuses, 'constructor')).toBe(false);
    expect(aggregate.routes.find((r) => r.route === '/b')!.count).toBe(0);
    expect(aggregate.routes.some((r) => r.route === '/c')).toBe(false);
    expect(aggregate.bins.map((b) => b.requests)).toEqual([5, 0]);
    // accounting: schema 2 lines are foreign, the empty events row adds nothing; the sum holds
    expect(aggregate.input).toMatchObject({ totalLines: 8, parsed: 5, foreign: 3 });
    expect(sum(aggregate.input)).toBe(aggregate.input.totalLines);
    expect(() => JSON.stringify(aggregate)).not.toThrow();
    figure('CloudWatch odd rows (pure)', `${oddValues} unusable values/rows counted (objects, "abc", missing keys, empty rows, "__proto__" statuses); totals intact: 5 requests, 1 5xx`);
  });

  it('toRows: results that are not arrays, null cells, numbers as values', () => {
    expect(toRows(undefined)).toEqual([]);
    expect(toRows({} as unknown as ResultCell[][])).toEqual([]);
    const rows = toRows([[{ field: 'requests', value: 5 as unknown as string }, null as unknown as ResultCell], null as unknown as ResultCell[]]);
    expect(rows).toEqual([{ requests: '5' }, {}]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Through the SDK: the fake's real Insights engine answers, a wrapper corrupts the answer on the way out

const GROUP = '/logjam/hostile';
const RUN = 'cw-hostile-run';

interface FakeSetup {
  cw: FakeCloudWatch;
  restoreEnv(): void;
}

async function startCorrupting(corrupt?: (results: Cells[]) => Cells[]): Promise<FakeSetup> {
  const engine = createInsightsEngine();
  const inner = engine.operations.GetQueryResults!;
  const GetQueryResults: OperationHandler = async (body, store) => {
    const answer = (await inner(body, store)) as { status?: string; results?: Cells[] };
    if (!corrupt || answer.status !== 'Complete' || !answer.results) return answer;
    return { ...answer, results: corrupt(structuredClone(answer.results)) };
  };
  const cw = await startFakeCloudWatch({ operations: { ...engine.operations, GetQueryResults } });
  return { cw, restoreEnv: pointSdkAt(cw.url) };
}

function runLines(): Line[] {
  const L = logLines({ runId: RUN });
  const base = Date.now() - 10 * 60_000;
  const lines: Line[] = [];
  for (let i = 0; i < 20; i++) {
    lines.push(L.finish({ id: `c${i}`, t: base + i * 1000, status: i % 5 === 0 ? 500 : 200, ms: 10 + i, route: '/api/v1/todos' }));
  }
  lines.push(L.start({ id: 'open-1', t: base + 5000 }));
  return lines;
}

async function aggregateWith(corrupt?: (results: Cells[]) => Cells[]): Promise<RunAggregate> {
  const fake = await startCorrupting(corrupt);
  try {
    putLines({ cw: fake.cw } as Parameters<typeof putLines>[0], GROUP, runLines());
    return await createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false }).aggregate(RUN);
  } finally {
    fake.restoreEnv();
    await fake.cw.close();
  }
}

const shape = (a: RunAggregate) => ({
  requests: a.totals.requests,
  errors5xx: a.totals.errors5xx,
  unfinished: a.totals.unfinished,
  routes: a.routes.map((r) => ({ method: r.method, route: r.route, count: r.count, statuses: r.statuses })),
  binRequests: a.bins.reduce((n, b) => n + b.requests, 0),
});

describe('odd Logs Insights answers through the SDK client (fake CloudWatch)', () => {
  let clean: RunAggregate;

  beforeAll(async () => {
    clean = await aggregateWith();
  });

  afterAll(() => undefined);

  it('extra rows (empty, object values, "abc", extra fields) change nothing and are reported', async () => {
    let added = 0;
    const odd = await aggregateWith((results) => {
      added++;
      return [
        ...results,
        [],
        [{ field: 'status', value: { nested: true } }, { field: 'requests', value: 'abc' }, { field: 'zz_extra', value: '1' }],
      ];
    });
    expect(clean.totals.requests).toBe(20);
    expect(clean.totals.errors5xx).toBe(4);
    expect(clean.input.warnings).toBeUndefined();
    expect(shape(odd)).toEqual(shape(clean));
    expect(sum(odd.input)).toBe(odd.input.totalLines);
    const warning = odd.input.warnings?.find((w) => w.includes('unreadable values'));
    expect(warning).toBeDefined();
    const counted = Number(/(\d+) unreadable values/.exec(warning!)?.[1]);
    // at least the object cell of every corrupted answer, plus rows left out
    expect(counted).toBeGreaterThanOrEqual(added);
    figure('CloudWatch odd rows (SDK)', `${added} answers corrupted with an empty row and an odd row each: report identical to the clean one (20 requests, 4 5xx), ${counted} unusable values/rows reported in a warning`);
  });

  it('rows missing `status` everywhere: no throw, requests still counted, the loss reported', async () => {
    const odd = await aggregateWith((results) => results.map((cells) => cells.filter((c) => c.field !== 'status')));
    expect(odd.totals.requests).toBe(clean.totals.requests);
    expect(odd.totals.errors5xx).toBe(0); // the status rows were unusable: said in the warning, not guessed
    expect(odd.routes.find((r) => r.route === '/api/v1/todos')?.count).toBe(20);
    expect(odd.routes.find((r) => r.route === '/api/v1/todos')?.statuses).toEqual({});
    expect(odd.input.warnings?.some((w) => /\d+ unreadable values/.test(w))).toBe(true);
    figure('CloudWatch rows without status', `20 requests still counted; status breakdowns left empty and ${/(\d+) unreadable/.exec(odd.input.warnings!.join(' '))?.[1]} rows reported as unusable`);
  });
});
