/**
 * The rows of the combined queries (combined-queries.ts) -> the per-section tables assemble.ts reads (SectionRows),
 * as if each section's own query (queries.ts) had run. Pure. Mostly one section row per combined row, renamed:
 * assemble.ts and the finishing layer sum entries by key, so a row split further (by event, by schema version, by
 * sink, over two time pieces) adds up to the same numbers. Only single-row sections (runtime, pool-timeouts) and the
 * per-process list of `services` are folded here.
 *
 * A row that cannot be placed (no event) is counted in `oddValues`, as assemble.ts counts a row it cannot use, and
 * so are the combined rows' unreadable cells: every section row made from one is a new object, so assemble.ts
 * (which counts the unreadable cells of the rows it is given) does not count them a second time.
 */
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type { SectionRows } from './assemble.js';
import { COMBINED_COLUMNS as C } from './combined-queries.js';
import { oddCellCount, RowReader, type InsightsRow } from './rows.js';

/** The rows of the combined queries; the sections queried on their own pass through. */
export interface CombinedRows {
  summary: InsightsRow[];
  duplicates: InsightsRow[];
  unfinishedRoutes: InsightsRow[];
  suspiciousPaths: InsightsRow[];
  dimensions?: InsightsRow[];
  routes: InsightsRow[];
  requestCounts: InsightsRow[];
  timeline: InsightsRow[];
  processes: InsightsRow[];
}

export interface DerivedSections {
  rows: SectionRows;
  /** unreadable cells of the combined rows and rows that could not be placed */
  oddValues: number;
}

/** Lines of the schema version the sections read (other versions are only counted, by `events`). */
const isCurrentSchema = (row: InsightsRow, r: RowReader) => r.num(row, F.schema) === SCHEMA_VERSION;

/** How many of a `processes` row's lines are the selection's: the run's, or (a time window) the request lines. */
function selectedLines(row: InsightsRow, runId: string | undefined, r: RowReader): number {
  if (runId === undefined) return r.num0(row, C.requestLines);
  return row[F.runId] === runId ? r.num0(row, 'lines') : 0;
}

/** The run's services: those of its own lines of the current schema version (what `services` lists). */
export function runServices(processRows: InsightsRow[], runId: string | undefined): string[] {
  const r = new RowReader();
  const services = new Set<string>();
  for (const row of processRows) {
    const service = r.str(row, F.service);
    if (service && isCurrentSchema(row, r) && selectedLines(row, runId, r) > 0) services.add(service);
  }
  return [...services].sort();
}

export function deriveSections(combined: CombinedRows, runId: string | undefined): DerivedSections {
  const r = new RowReader();
  const out: SectionRows = {
    summary: combined.summary,
    duplicates: combined.duplicates,
    unfinishedRoutes: combined.unfinishedRoutes,
    suspiciousPaths: combined.suspiciousPaths,
    ...(combined.dimensions ? { dimensions: combined.dimensions } : {}),
    events: [], services: [], statuses: [], poolTimeouts: [], routes: [], routeStatuses: [], unmatchedRoutes: [],
    timeline: [], timelineErrors: [], timelineAborts: [], timelineRuntime: [], aborts: [], statusClusters: [],
    errorMessages: [], runtime: [], dropped: [], processes: [],
  };

  // routes: a matched route's row has its route; an unmatched path's row carries its status in place of the route
  for (const row of combined.routes) {
    if (r.str(row, F.route) !== undefined) out.routes.push({ ...row });
    else out.unmatchedRoutes.push({ ...row, ...present(F.path, row.route_or_path), ...present(F.status, row[C.statusUnlessMatched]) });
  }

  for (const row of combined.requestCounts) {
    const lines = row.lines ?? '';
    const examples = { ...present('first_request_id', row.first_request_id), ...present('last_request_id', row.last_request_id) };
    const event = r.str(row, F.event);
    if (event === EVENTS.requestFinish) {
      out.statuses.push({ ...present(F.status, row[F.status]), requests: lines });
      if (r.str(row, F.route) !== undefined) out.routeStatuses.push({ ...pick(row, [F.method, F.route, F.status]), requests: lines });
      const status = r.num(row, F.status);
      if (status !== undefined && status >= 400) {
        out.statusClusters.push({ ...pick(row, [F.method, 'route_or_path', F.status]), requests: lines, ...examples });
      }
    } else if (event === EVENTS.requestAbort) {
      out.aborts.push({ ...pick(row, [F.method, 'route_or_path']), aborts: lines, ...examples });
    } else if (event === EVENTS.requestError) {
      out.errorMessages.push({ ...pick(row, [F.method, 'route_or_path', F.status, 'message']), errors: lines });
    } else {
      r.skipped();
    }
  }

  for (const row of combined.timeline) {
    const event = r.str(row, F.event);
    if (event === EVENTS.requestFinish) {
      out.timeline.push({ ...row, requests: row.lines ?? '' });
      const bin = Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('bin(')));
      // one row per class: assemble.ts only tells 5xx from 4xx, so a representative status stands for its class
      for (const [status, column] of [['500', 'errors_5xx'], ['400', 'errors_4xx']] as const) {
        if (r.num0(row, column) > 0) out.timelineErrors.push({ ...bin, status, requests: row[column]! });
      }
    } else if (event === EVENTS.requestAbort) {
      out.timelineAborts.push({ ...row, aborts: row.lines ?? '' });
    } else if (event === EVENTS.runtimeStats) {
      out.timelineRuntime.push({ ...row });
    } else {
      r.skipped();
    }
  }

  deriveProcessSections(combined.processes, runId, out, r);
  const combinedRows = [combined.routes, combined.requestCounts, combined.timeline, combined.processes].flat();
  return { rows: out, oddValues: r.oddValues + oddCellCount(combinedRows) };
}

/** events, services, processes, runtime, dropped and pool-timeouts from the per-process rows. */
function deriveProcessSections(rows: InsightsRow[], runId: string | undefined, out: SectionRows, r: RowReader): void {
  const services = new Set(runServices(rows, runId));
  // the process-wide lines of the run's services only (with no service known, every one, as the queries do)
  const ofRunServices = (row: InsightsRow) => services.size === 0 || services.has(row[F.service] ?? '');
  const perProcess = new Map<string, InsightsRow & { lines: string }>();
  const runtime = { samples: 0, p99Max: 0, p99Sum: 0, p99Count: 0, eluMax: 0, eluSum: 0, eluCount: 0, heap: 0, waiting: 0, total: 0, poolMax: 0 };
  const timeouts = { count: 0, waitMax: 0 };
  for (const row of rows) {
    const event = r.str(row, F.event);
    const selected = selectedLines(row, runId, r);
    const currentSchema = isCurrentSchema(row, r);
    if (selected > 0) {
      out.events.push({ ...pick(row, [F.event, F.schema]), lines: String(selected) });
      if (currentSchema) {
        const key = JSON.stringify([row[F.service], row[F.host], row[F.pid], row[F.worker]]);
        const entry = perProcess.get(key);
        if (entry) entry.lines = String(Number(entry.lines) + selected);
        else perProcess.set(key, { ...pick(row, [F.service, F.host, F.pid, F.worker]), lines: String(selected) });
      }
    }
    if (!ofRunServices(row)) continue;
    if (r.str(row, F.pid) !== undefined) out.processes!.push({ ...row });
    if (r.num(row, C.inWindow) !== 1) continue;
    const lines = r.num0(row, 'lines');
    if (event === EVENTS.runtimeStats) {
      runtime.samples += lines;
      runtime.p99Max = Math.max(runtime.p99Max, r.num0(row, 'el_delay_p99_ms_max'));
      runtime.p99Sum += r.num0(row, 'el_delay_p99_ms_sum');
      runtime.p99Count += r.num0(row, 'el_delay_p99_ms_count');
      runtime.eluMax = Math.max(runtime.eluMax, r.num0(row, 'elu_max'));
      runtime.eluSum += r.num0(row, 'elu_sum');
      runtime.eluCount += r.num0(row, 'elu_count');
      runtime.heap = Math.max(runtime.heap, r.num0(row, 'heap_used_mb_max'));
      runtime.waiting = Math.max(runtime.waiting, r.num0(row, 'pool_waiting_max'));
      runtime.total = Math.max(runtime.total, r.num0(row, 'pool_total_max'));
      runtime.poolMax = Math.max(runtime.poolMax, r.num0(row, F.poolMax));
    } else if (event === EVENTS.logDropped) {
      out.dropped.push({ ...pick(row, [F.sink, F.reason]), lines: String(lines), ...present(F.dropped, row[F.dropped]) });
    } else if (event === EVENTS.dbPoolTimeout && currentSchema) {
      timeouts.count += lines;
      timeouts.waitMax = Math.max(timeouts.waitMax, r.num0(row, 'pool_wait_ms_max'));
    }
  }
  out.services.push(...perProcess.values());
  if (runtime.samples > 0) {
    const mean = (sum: number, n: number) => String(n > 0 ? sum / n : 0);
    out.runtime.push({
      samples: String(runtime.samples),
      el_delay_p99_ms_max: String(runtime.p99Max),
      el_delay_p99_ms_mean: mean(runtime.p99Sum, runtime.p99Count),
      elu_mean: mean(runtime.eluSum, runtime.eluCount),
      elu_max: String(runtime.eluMax),
      heap_used_mb_max: String(runtime.heap),
      pool_waiting_max: String(runtime.waiting),
      pool_total_max: String(runtime.total),
      pool_max_max: String(runtime.poolMax),
    });
  }
  out.poolTimeouts.push({ timeouts: String(timeouts.count), pool_wait_ms_max: String(timeouts.waitMax) });
}

/** `{ [field]: value }` when the value is there (a row never holds undefined). */
function present(field: string, value: string | undefined): InsightsRow {
  return value === undefined ? {} : { [field]: value };
}

function pick(row: InsightsRow, fields: string[]): InsightsRow {
  return Object.fromEntries(fields.filter((f) => row[f] !== undefined).map((f) => [f, row[f]!]));
}
