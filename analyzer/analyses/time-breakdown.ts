/**
 * Where the time goes per route (waiting for a pool connection, in the database, the rest = app code and the
 * event loop), and the event-loop delay over time from runtime.stats.
 */
import type { Finding, RunAggregate } from '../model.js';
import { ms, pct } from './format.js';

/** Pool wait above this share of a route's mean time is a saturated pool, not noise. */
const POOL_WAIT_SHARE = 0.2;
const MIN_REQUESTS = 10;
/** Event-loop delay p99 above this is blocking work on the loop (every request waits for it). */
export const EL_DELAY_WARN_MS = 100;

export function timeBreakdownFindings(agg: RunAggregate): Finding[] {
  const findings: Finding[] = [];
  const rows = agg.routes
    .filter((r) => r.count > 0)
    .map((r) => {
      const mean = r.latency.mean;
      const rest = Math.max(0, mean - r.dbMsMean - r.poolWaitMsMean);
      return { r, mean, rest };
    })
    .sort((a, b) => b.mean * b.r.count - a.mean * a.r.count);
  if (rows.length > 0) {
    const saturated = rows.filter(
      ({ r, mean }) => r.count >= MIN_REQUESTS && mean > 0 && r.poolWaitMsMean / mean >= POOL_WAIT_SHARE,
    );
    findings.push({
      id: 'time-breakdown',
      severity: saturated.length > 0 ? 'warning' : 'info',
      title: saturated.length
        ? `requests wait for a database connection: ${saturated
            .slice(0, 2)
            .map(({ r, mean }) => `${r.method} ${r.route} ${pct(r.poolWaitMsMean, mean)} of its time`)
            .join(', ')}`
        : 'where the time goes per route (pool wait, database, the rest)',
      explanation: saturated.length
        ? 'A large share of these requests\' time is spent waiting for a free pool connection: the pool is smaller than ' +
          'the concurrency the service is asked to handle, so requests queue in the app before the database sees them.'
        : 'Mean time per request split into pool wait, database time and the rest (app code, serialisation, event loop).',
      fix: saturated.length
        ? 'Raise the pool size (within the database\'s max_connections, see `logjam capacity`), shorten queries/transactions, or reduce concurrency per instance.'
        : 'Nothing to fix here on its own; compare with the latency and event-loop findings.',
      counts: {
        dbMsMean: Math.round(agg.totals.dbMsMean * 100) / 100,
        poolWaitMsMean: Math.round(agg.totals.poolWaitMsMean * 100) / 100,
        poolTimeouts: agg.totals.poolTimeouts,
      },
      exampleRequestIds: saturated[0]?.r.exampleRequestIds ?? [],
      query: agg.queries.routes,
      details: rows
        .slice(0, 10)
        .map(
          ({ r, mean, rest }) =>
            `${r.method} ${r.route}: mean ${ms(mean)} = pool wait ${ms(r.poolWaitMsMean)} + db ${ms(r.dbMsMean)} ` +
            `(${r.dbQueriesMean.toFixed(1)} queries) + rest ${ms(rest)}`,
        ),
    });
  }
  const rt = agg.runtime;
  if (rt) {
    const blocked = rt.elDelayP99MsMax >= EL_DELAY_WARN_MS;
    const worst = agg.bins.filter((b) => (b.elDelayP99Ms ?? 0) >= EL_DELAY_WARN_MS);
    findings.push({
      id: 'event-loop-delay',
      severity: blocked ? 'warning' : 'info',
      title: `event-loop delay p99 up to ${ms(rt.elDelayP99MsMax)} (mean ${ms(rt.elDelayP99MsMean)}), utilisation up to ${pct(rt.eluMax, 1)}`,
      explanation: blocked
        ? `The event loop was blocked for ${ms(rt.elDelayP99MsMax)} at p99 in ${worst.length} time bins: every request ` +
          'in flight waited that long on top of its own work. Synchronous work (JSON of large bodies, crypto, sync fs, ' +
          'long loops) or a CPU-starved process does this.'
        : `From ${rt.samples} runtime.stats samples: the event loop kept up (p99 delay under ${EL_DELAY_WARN_MS} ms).`,
      fix: blocked
        ? 'Profile the hot path (node --cpu-prof), move CPU work off the loop (worker threads) or add processes (cluster).'
        : 'Nothing to fix.',
      counts: {
        samples: rt.samples,
        elDelayP99MsMax: rt.elDelayP99MsMax,
        eluMax: rt.eluMax,
        heapUsedMbMax: rt.heapUsedMbMax,
        poolWaitingMax: rt.poolWaitingMax,
      },
      exampleRequestIds: [],
      query: agg.queries['timeline-runtime'],
      details: worst.slice(0, 5).map((b) => `${new Date(b.start).toISOString().slice(11, 19)}: p99 ${ms(b.elDelayP99Ms ?? 0)}, max ${ms(b.elDelayMaxMs ?? 0)}`),
    });
  }
  return findings;
}
