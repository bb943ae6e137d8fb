/**
 * `slow-request-dimensions` rows (queries.ts) -> the raw per-value entries of aggregate/dimensions.ts. Pure. Each row
 * is one combination of every dimension with its finished (or aborted) requests and how many of them were slow; it
 * becomes one entry per dimension, and the finishing layer sums the entries by value (dimension-stats.ts), exactly
 * as it sums the local source's. Values are spelled by the same helpers as the local source's providers, so the
 * two sources name a value the same way.
 */
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import {
  ABORTED,
  BUCKETS,
  dimensionLabels,
  failureDefining,
  processValue,
  routeValue,
  bucketLabel,
  TIME_DIMENSION,
  NO_ROUTE,
  type RawDimensions,
  type RawDimensionValue,
} from '../../aggregate/dimensions.js';
import { DIMENSION_COLUMNS as C } from './queries.js';
import type { InsightsRow, RowReader } from './rows.js';

export interface DimensionRowsInput {
  rows: InsightsRow[];
  /** the p95 the query counted `slow` against */
  slowThresholdMs: number;
}

export function dimensionRowsToRaw(input: DimensionRowsInput, r: RowReader): RawDimensions {
  const values: RawDimensionValue[] = [];
  for (const row of input.rows) {
    const event = r.str(row, F.event);
    const n = r.num0(row, 'requests');
    const aborted = event === EVENTS.requestAbort;
    if ((!aborted && event !== EVENTS.requestFinish) || n === 0) {
      r.skipped();
      continue;
    }
    const status = r.num(row, F.status);
    const counts = {
      requests: aborted ? 0 : n,
      slow: aborted ? 0 : r.num0(row, C.slow),
      errors5xx: !aborted && status !== undefined && status >= 500 ? n : 0,
      aborts: aborted ? n : 0,
    };
    const routeKey = r.str(row, C.route);
    const host = r.str(row, F.host);
    const add = (dimension: string, value: string | undefined) => {
      if (value !== undefined) values.push({ dimension, value, ...counts });
    };
    add('route', routeValue(r.str(row, F.method), routeKey === NO_ROUTE ? undefined : routeKey));
    add('status', aborted ? ABORTED : r.str(row, F.status));
    add('host', host);
    add('process', processValue(host, r.str(row, F.pid), r.str(row, F.worker)));
    // an abort line has no query count, pool wait or response size: left out of those dimensions (as locally)
    if (!aborted) {
      add('db-queries', bucketLabel(BUCKETS.dbQueries, r.num0(row, C.dbQueries)));
      add('pool-wait', bucketLabel(BUCKETS.poolWait, r.num0(row, C.poolWait)));
      add('response-size', bucketLabel(BUCKETS.bytesOut, r.num0(row, C.bytesOut)));
    }
    const slice = r.num(row, C.slice);
    if (slice !== undefined) add(TIME_DIMENSION.id, String(slice));
  }
  return { values, labels: dimensionLabels(), definesFailure: failureDefining(), slowThresholdMs: input.slowThresholdMs, overflow: 0 };
}
