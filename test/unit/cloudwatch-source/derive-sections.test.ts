/**
 * The combined queries (issue 20: at most 10 per analyze) give the same report as one query per section: both sets
 * run on the crafted run's events through the fake engine's query semantics (pure, no server), and the aggregates
 * assembled from the per-section rows and from the derived ones must be equal — for a run and for a time window.
 */
import { describe, expect, it } from 'vitest';
import { chooseBinMs } from '../../../analyzer/aggregate/bins.js';
import { assembleAggregate, type SectionRows } from '../../../analyzer/sources/cloudwatch/assemble.js';
import { combinedQueries } from '../../../analyzer/sources/cloudwatch/combined-queries.js';
import { deriveSections, runServices, type CombinedRows } from '../../../analyzer/sources/cloudwatch/derive-sections.js';
import { binColumn, insightsQueries, type InsightsQueryId, type QueryParams } from '../../../analyzer/sources/cloudwatch/queries.js';
import { toRows, type InsightsRow, type ResultCell } from '../../../analyzer/sources/cloudwatch/rows.js';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';
import { runQuery, type QueryInput } from '../../support/fake-cloudwatch/insights.js';
import { craftRun, RUN_ID } from '../../integration/cloudwatch-source/crafted-run.js';

const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);
const run = craftRun(T0);
const events: QueryInput['events'] = [
  ...run.lines.map((l) => ({ timestamp: l.time, message: JSON.stringify(l), ingestionTime: l.time + 50, logStream: 'app/1' })),
  ...run.raw.map((r) => ({ timestamp: r.time, message: r.raw, ingestionTime: r.time + 50, logStream: 'app/1' })),
].sort((a, b) => a.timestamp - b.timestamp);
const rowsOf = (queryString: string): InsightsRow[] => toRows(runQuery({ events, queryString }).results);

/** Both ways for one selection: the aggregates, the derived services and what the derivation could not place. */
function bothWays(runId: string | undefined, window: { since?: number; until?: number } = {}) {
  const range = rowsOf(insightsQueries.range({ runId, ...window }))[0]!;
  const firstTime = Number(range.first_time);
  const lastTime = Number(range.last_time);
  const binMs = chooseBinMs(firstTime, lastTime);
  const params: QueryParams = { runId, ...window, binMs };
  const contextWindow = { since: Math.max(firstTime, window.since ?? -Infinity), until: Math.min(lastTime, window.until ?? Infinity) };
  const processes = rowsOf(combinedQueries.processes(params, contextWindow));
  const context: QueryParams = { ...params, ...contextWindow, services: runServices(processes, runId) };
  const one = (id: InsightsQueryId, p: QueryParams = params) => rowsOf(insightsQueries[id](p));

  const perSection: SectionRows = {
    summary: one('summary'), events: one('events'), services: one('services'), statuses: one('statuses'),
    duplicates: one('duplicates'), unfinishedRoutes: one('unfinished-routes'), poolTimeouts: one('pool-timeouts', context),
    routes: one('routes'), routeStatuses: one('route-statuses'), unmatchedRoutes: one('unmatched-routes'),
    timeline: one('timeline'), timelineErrors: one('timeline-errors'), timelineAborts: one('timeline-aborts'),
    timelineRuntime: one('timeline-runtime', context), aborts: one('aborts'), suspiciousPaths: one('suspicious-paths'),
    statusClusters: one('status-clusters'), errorMessages: one('error-messages'), runtime: one('runtime', context),
    dropped: one('dropped', context), processes: one('processes', { ...context, since: window.since, until: window.until }),
  };
  const combined: CombinedRows = {
    summary: perSection.summary, duplicates: perSection.duplicates, unfinishedRoutes: perSection.unfinishedRoutes,
    suspiciousPaths: perSection.suspiciousPaths, routes: rowsOf(combinedQueries.routes(params)),
    requestCounts: rowsOf(combinedQueries['request-counts'](params)), timeline: rowsOf(combinedQueries.timeline(params, context)),
    processes,
  };
  const derived = deriveSections(combined, runId);
  const assemble = (rows: SectionRows) =>
    assembleAggregate({ runId, source: 'cloudwatch:g', firstTime, lastTime, binMs, binColumn: binColumn(binMs), examples: 3, rows, queries: {} });
  return {
    perSection: assemble(perSection),
    derived: assemble(derived.rows),
    services: context.services,
    oldServices: [...new Set(perSection.services.map((r) => r[F.service]))].sort(),
    odd: derived.oddValues,
  };
}

describe('combined Logs Insights queries -> per-section tables', () => {
  it('a run: the same aggregate, to the last finding input, as one query per section', () => {
    const { perSection, derived, services, oldServices, odd } = bothWays(RUN_ID);
    expect(derived).toEqual(perSection);
    expect(services).toEqual(oldServices);
    expect(odd).toBe(0);
    // the crafted run exercises every derived section, so the equality above is not between empty tables
    const a = derived.aggregate;
    expect(a.totals.errors4xx * a.totals.errors5xx * a.totals.aborts * a.totals.poolTimeouts).toBeGreaterThan(0);
    expect(a.routes.some((r) => r.matched) && a.routes.some((r) => !r.matched)).toBe(true);
    expect(a.statusClusters.some((c) => c.messages.length > 0)).toBe(true);
    expect(a.bins.some((b) => b.aborts > 0) && a.bins.some((b) => b.elDelayP99Ms !== undefined) && a.bins.some((b) => b.errors5xx > 0)).toBe(true);
    expect(a.runtime?.samples).toBeGreaterThan(0);
    expect(a.input.droppedBySinks).toBeGreaterThan(0);
    expect(a.processes?.length).toBeGreaterThan(0);
  });

  it('a time window (no run id): the same aggregate as one query per section', () => {
    // the other run's requests (5 minutes before) and most of this run's
    const since = T0 - 400_000;
    const until = T0 + 50_000;
    const { perSection, derived, services, oldServices } = bothWays(undefined, { since, until });
    expect(derived).toEqual(perSection);
    expect(services).toEqual(oldServices);
    expect(derived.aggregate.totals.requests).toBeGreaterThan(5);
    expect(derived.aggregate.runtime?.samples).toBeGreaterThan(0);
  });

  it('keeps process-wide lines of other services and outside the run out, and counts rows it cannot place', () => {
    const row = (extra: InsightsRow): InsightsRow => ({ [F.host]: 'h', [F.pid]: '1', [F.schema]: String(SCHEMA_VERSION), lines: '2', ...extra });
    const derived = deriveSections(
      {
        summary: [], duplicates: [], unfinishedRoutes: [], suspiciousPaths: [], routes: [],
        requestCounts: [{ lines: '3' }], // no event: cannot be placed
        timeline: [{ lines: '1', 'bin(1m)': '2025-01-31 12:00:00.000' }], // no event either
        processes: [
          row({ [F.service]: 'api', [F.event]: EVENTS.requestFinish, [F.runId]: 'r', in_window: '1' }),
          row({ [F.service]: 'api', [F.event]: EVENTS.runtimeStats, in_window: '1', elu_sum: '1', elu_count: '2', elu_max: '0.7' }),
          row({ [F.service]: 'api', [F.event]: EVENTS.runtimeStats, in_window: '0', elu_sum: '9', elu_count: '2', elu_max: '0.9' }),
          row({ [F.service]: 'other', [F.event]: EVENTS.runtimeStats, in_window: '1', elu_sum: '9', elu_count: '2', elu_max: '0.9' }),
          row({ [F.service]: 'other', [F.event]: EVENTS.dbPoolTimeout, in_window: '1' }),
        ],
      },
      'r',
    );
    expect(derived.oddValues).toBe(2);
    expect(derived.rows.services).toEqual([{ [F.service]: 'api', [F.host]: 'h', [F.pid]: '1', lines: '2' }]);
    expect(derived.rows.runtime).toMatchObject([{ samples: '2', elu_mean: '0.5', elu_max: '0.7' }]);
    expect(derived.rows.poolTimeouts).toEqual([{ timeouts: '0', pool_wait_ms_max: '0' }]);
    expect(derived.rows.processes).toHaveLength(3);
  });

  it('counts an unreadable cell of a combined row once, not again in every section made from it', () => {
    const cells = (row: Record<string, unknown>) => Object.entries(row).map(([field, value]) => ({ field, value }));
    const [timeline, processes] = [
      { event: EVENTS.runtimeStats, 'bin(1m)': '2025-01-31 12:00:00.000', lines: '1', elu: { odd: true } },
      { event: EVENTS.serviceStart, host: 'h', pid: '1', lines: '1', first_time: '1', last_time: '1', cpus: ['odd'] },
    ].map((row) => toRows([cells(row)] as unknown as ResultCell[][]));
    const combined: CombinedRows = { summary: [], duplicates: [], unfinishedRoutes: [], suspiciousPaths: [], routes: [], requestCounts: [], timeline: timeline!, processes: processes! };
    const derived = deriveSections(combined, 'r');
    expect(derived.oddValues).toBe(2);
    const assembled = assembleAggregate({ runId: 'r', source: 'cloudwatch:g', firstTime: T0, lastTime: T0 + 1000, binMs: 60_000, binColumn: 'bin(1m)', examples: 3, rows: derived.rows, queries: {} });
    expect(assembled.oddValues).toBe(0);
  });
});
