/**
 * What is different about the slow requests, and about the failed ones: every value of every request dimension
 * (route, status, host, process, DB queries, pool wait, response size, time slice, client dimensions when joined),
 * ranked by how over-represented it is among the group (slow: above the run's p95; failed: 5xx or aborted) against
 * the rest of the requests. Pure.
 *
 * The measure (docs/analyzer.md, "What the slow requests have in common"):
 *   lift = (a / A) / (b / B)   a of the A group requests have the value, b of the B other requests do;
 *                              b = 0 counts as 0.5 (a continuity correction: the ratio stays finite and a value seen
 *                              only in the group still ranks by how often it is seen there).
 * A value is ranked only with minimum support: a ≥ max(MIN_SUPPORT, MIN_SHARE × A), so a handful of requests can
 * never top the list; it is over-represented when, in addition, lift ≥ MIN_LIFT and the two-proportion z statistic
 * is ≥ MIN_Z (a share that large is not chance at the run's size). Ties (the same lift) go to the larger group, then
 * to the dimension listed first (route first: the most actionable), so two dimensions that pick the same requests
 * (a route and the query count only it has) name the route.
 */
import type { DimensionRankEntry, DimensionValueStats, Finding, RequestDimensions, RunAggregate, Severity } from '../model.js';
import { ms } from './format.js';

export const MIN_SUPPORT = 10;
export const MIN_SHARE = 0.05;
export const MIN_LIFT = 2;
export const MIN_Z = 3;
/** values listed in a finding's details (its `ranking` holds every ranked value) */
const DETAILS = 10;

export interface GroupCounts {
  /** group members with the value, group size */
  a: number;
  A: number;
  /** other requests with the value, their number */
  b: number;
  B: number;
}

export function lift({ a, A, b, B }: GroupCounts): number {
  if (A === 0 || B === 0) return 0;
  return a / A / (Math.max(b, 0.5) / B);
}

/** Two-proportion z statistic of a/A against b/B (0 when undefined). */
export function zScore({ a, A, b, B }: GroupCounts): number {
  if (A === 0 || B === 0) return 0;
  const pooled = (a + b) / (A + B);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / A + 1 / B));
  return se === 0 ? 0 : (a / A - b / B) / se;
}

export function minSupport(groupSize: number): number {
  return Math.max(MIN_SUPPORT, Math.ceil(MIN_SHARE * groupSize));
}

type Kind = 'slow' | 'failed';

type Counted = Pick<DimensionValueStats, 'requests' | 'slow' | 'errors5xx' | 'aborts'>;

/** The group and the rest: slow = above p95 among finished requests; failed = 5xx or aborted, against finished non-5xx. */
function split(kind: Kind, v: Counted): { group: number; rest: number } {
  return kind === 'slow' ? { group: v.slow, rest: v.requests - v.slow } : { group: v.errors5xx + v.aborts, rest: v.requests - v.errors5xx };
}

/** A dimension's own totals (a dimension that does not cover aborted requests has fewer failed ones). */
function totalsOf(values: readonly Counted[]): Counted {
  const t = { requests: 0, slow: 0, errors5xx: 0, aborts: 0 };
  for (const v of values) {
    t.requests += v.requests;
    t.slow += v.slow;
    t.errors5xx += v.errors5xx;
    t.aborts += v.aborts;
  }
  return t;
}

/** Every value with minimum support, most over-represented first. */
export function rankDimensions(d: RequestDimensions, kind: Kind): DimensionRankEntry[] {
  const entries: (DimensionRankEntry & { order: number })[] = [];
  d.dimensions.forEach((dim, order) => {
    if (kind === 'failed' && dim.definesFailure) return;
    if (dim.values.length < 2) return; // one value: every request has it, nothing to compare
    const all = split(kind, totalsOf(dim.values));
    for (const v of dim.values) {
      const mine = split(kind, v);
      const c: GroupCounts = { a: mine.group, A: all.group, b: mine.rest, B: all.rest };
      if (c.a < minSupport(c.A)) continue;
      const l = lift(c);
      const z = zScore(c);
      entries.push({
        dimension: dim.id,
        label: dim.label,
        value: v.value,
        inGroup: c.a,
        group: c.A,
        inRest: c.b,
        rest: c.B,
        lift: Math.round(l * 100) / 100,
        z: Math.round(z * 100) / 100,
        overRepresented: l >= MIN_LIFT && z >= MIN_Z,
        order,
      });
    }
  });
  return entries
    .sort((x, y) => y.lift - x.lift || y.inGroup - x.inGroup || x.order - y.order || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .map(({ order: _order, ...e }) => e);
}

const percent = (n: number, of: number) => `${of > 0 ? Math.round((100 * n) / of) : 0} %`;
const times = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

/** "route GET /x: 412 of 500 slow requests (82 %) vs 9 % of the rest (41 of 455): 9.1×" */
export function describeEntry(e: DimensionRankEntry, groupName: string): string {
  return (
    `${e.label} ${e.value}: ${e.inGroup} of ${e.group} ${groupName} (${percent(e.inGroup, e.group)}) vs ` +
    `${percent(e.inRest, e.rest)} of the rest (${e.inRest} of ${e.rest}): ${times(e.lift)}${e.overRepresented ? '' : ' (not significant)'}`
  );
}

interface Wording {
  id: string;
  groupName: string;
  what: string;
  fix: string;
}

function finding(agg: RunAggregate, d: RequestDimensions, kind: Kind, w: Wording): Finding | undefined {
  const ranking = rankDimensions(d, kind);
  const group = kind === 'slow' ? d.slow : d.errors5xx + d.aborts;
  const rest = kind === 'slow' ? d.requests - d.slow : d.requests - d.errors5xx;
  if (group < MIN_SUPPORT || rest === 0) return undefined; // too few to rank anything
  const flagged = ranking.filter((e) => e.overRepresented);
  const top = flagged[0];
  const severity: Severity = top ? 'warning' : 'info';
  const title = top
    ? `${w.what} stand out by ${top.label}: ${top.value} (${times(top.lift)} over-represented)`
    : `${w.what} look like the rest: no value over-represented (${group} ${w.groupName})`;
  const explanation =
    (kind === 'slow' ? `${group} of ${d.requests} finished requests took longer than the run's p95 (${ms(d.slowThresholdMs)}). ` : `${group} requests failed (${d.errors5xx} answered 5xx, ${d.aborts} aborted by the client). `) +
    (top
      ? `${flagged.length} dimension value${flagged.length === 1 ? ' is' : 's are'} at least ${MIN_LIFT}× more common among them than among the rest; ` +
        `the strongest: ${describeEntry(top, w.groupName)}.`
      : `No dimension value is at least ${MIN_LIFT}× more common among them than among the rest with enough requests to be more than chance: ` +
        `the cause is spread across routes, processes and time, or outside what the logs record.`);
  return {
    id: w.id,
    severity,
    title,
    explanation,
    fix: top ? w.fix : 'Look at what the requests share outside the logs (the client, the network, the database host).',
    counts: {
      group,
      rest,
      requests: d.requests,
      ...(kind === 'slow' ? { p95: d.slowThresholdMs } : { errors5xx: d.errors5xx, aborts: d.aborts }),
      overRepresented: flagged.length,
      minSupport: minSupport(group),
    },
    exampleRequestIds: [],
    // one CloudWatch query answers both (its rows carry status and event); the local source has a jq text for each
    ...((agg.queries[w.id] ?? agg.queries['slow-request-dimensions']) ? { query: agg.queries[w.id] ?? agg.queries['slow-request-dimensions'] } : {}),
    details: ranking.slice(0, DETAILS).map((e) => describeEntry(e, w.groupName)),
    ranking,
  };
}

export function requestDimensionFindings(agg: RunAggregate): Finding[] {
  const d = agg.dimensions;
  if (!d || d.requests === 0) return [];
  const out: Finding[] = [];
  const slow = finding(agg, d, 'slow', {
    id: 'slow-request-dimensions',
    groupName: 'slow requests',
    what: 'Slow requests',
    fix: 'Start with the top value: profile that route, process or time slice (its db_ms and pool_wait_ms split the time), and compare it with the rest.',
  });
  if (slow) out.push(slow);
  const failed = finding(agg, d, 'failed', {
    id: 'failed-request-dimensions',
    groupName: 'failed requests',
    what: 'Failed requests',
    fix: 'Start with the top value: the status clusters and error messages of that route, process or time slice say what failed.',
  });
  if (failed) out.push(failed);
  return out;
}
