import { describe, expect, it } from 'vitest';
import { assemble, T0 } from '../../support/cloudwatch-sections.js';
import { chooseBinMs } from '../../../analyzer/aggregate/bins.js';


describe('Logs Insights rows -> RunAggregate', () => {
  it('merges a route split over two time pieces: counts add, means and percentiles weighted, max kept', () => {
    const piece = (requests: number, mean: number, p95: number, max: number, id: string) => ({
      method: 'GET', route: '/a', requests: String(requests), mean: String(mean), p50: '1', p90: '1', p95: String(p95), p99: '1',
      max: String(max), db_ms_mean: '2', pool_wait_ms_mean: '0', db_queries_mean: '1', first_request_id: id, last_request_id: id,
    });
    const { aggregate } = assemble({ routes: [piece(1, 10, 10, 10, 'x'), piece(3, 30, 50, 70, 'y')] });
    expect(aggregate.routes).toHaveLength(1);
    expect(aggregate.routes[0]).toMatchObject({ count: 4, matched: true, dbMsMean: 2, exampleRequestIds: ['x', 'y'] });
    expect(aggregate.routes[0]!.latency).toMatchObject({ count: 4, mean: 25, p95: 40, max: 70 });
  });

  it('collapses unmatched paths to :id templates and keeps them apart from matched routes', () => {
    const row = (path: string, status: string, requests: string) => ({ method: 'GET', path, status, requests, mean: '1', max: '1' });
    const { aggregate } = assemble({
      unmatchedRoutes: [row('/files/123', '404', '2'), row('/files/456', '404', '3'), row('/files/789', '200', '1')],
      routes: [{ method: 'GET', route: '/files/:id', requests: '7', mean: '1', max: '1' }],
    });
    const unmatched = aggregate.routes.find((r) => !r.matched)!;
    expect(unmatched).toMatchObject({ route: '/files/:id', count: 6, statuses: { '404': 5, '200': 1 } });
    expect(aggregate.routes.find((r) => r.matched)!.count).toBe(7);
  });

  it('fills contiguous bins with concurrency by Little\'s law and errors by class', () => {
    const { aggregate } = assemble({
      timeline: [{ 'bin(5s)': '2025-01-31 12:00:05.000', requests: '4', mean: '250', max: '400', duration_ms_sum: '1000' }],
      timelineErrors: [
        { 'bin(5s)': '2025-01-31 12:00:05.000', status: '503', requests: '1' },
        { 'bin(5s)': '2025-01-31 12:00:05.000', status: '404', requests: '2' },
      ],
    });
    expect(aggregate.bins.map((b) => b.start)).toEqual([T0, T0 + 5000]);
    expect(aggregate.bins[0]).toMatchObject({ requests: 0, concurrency: 0 });
    expect(aggregate.bins[1]).toMatchObject({ requests: 4, errors5xx: 1, errors4xx: 2, concurrency: 0.2 });
    expect(aggregate.bins[1]!.elu).toBeUndefined();
  });

  it('takes duplicated finish lines out of counts, and counts unreadable values instead of throwing', () => {
    const { aggregate, oddValues } = assemble({
      summary: [{ requests: '5', mean: 'abc', db_queries: '10' }],
      statuses: [{ status: '400', requests: '5' }],
      routeStatuses: [{ method: 'DELETE', route: '/t/:id', status: '400', requests: '5' }],
      routes: [{ method: 'DELETE', route: '/t/:id', requests: '5' }],
      // one request's finish stored twice (a retried batch): one row per duplicated request id and event
      duplicates: [{ request_id: 'q1', event: 'request.finish', method: 'DELETE', route: '/t/:id', path: '/t/undefined', route_or_path: '/t/:id', status: '400', lines: '2', time: String(T0 + 6000), duration_ms_sum: '6', db_queries_sum: '4' }],
      suspiciousPaths: [{ method: 'DELETE', path: '/t/undefined', status: '400', requests: '5' }],
    });
    expect(aggregate.totals).toMatchObject({ requests: 4, errors4xx: 4, dbQueries: 8 });
    expect(aggregate.input.duplicates).toBe(1);
    expect(aggregate.routes[0]).toMatchObject({ count: 4, statuses: { '400': 4 } });
    expect(aggregate.suspiciousPaths[0]).toMatchObject({ segment: 'undefined', count: 4 });
    expect(oddValues).toBe(1);
  });

  it('picks bins like the local source: 1 s doubled until at most 200 bins', () => {
    expect(chooseBinMs(T0, T0 + 100_000)).toBe(1000);
    expect(chooseBinMs(T0, T0 + 3_600_000)).toBe(32_000);
  });
});
