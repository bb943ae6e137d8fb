/** 4xx and 5xx responses grouped by route and status, with the error messages the server logged for them. */
import type { ClientView, Finding, RunAggregate } from '../model.js';
import { pct, statusLabel } from './format.js';
import { labNote } from './wording.js';

/** The sample app's own 503 for an exhausted pool (docs/sample-app.md), said only for the lab's run. */
const LAB_POOL_503 = 'TaskOverflow answers 503 "database busy" when no pool connection is free within DB_ACQUIRE_TIMEOUT_MS.';

/** What a 5xx cluster's fix says: generic, plus what the run's own lines show (pool timeouts) and the lab's note. */
function serverErrorFix(agg: RunAggregate, status: number, client: ClientView | undefined): string {
  let fix = 'Open an example with `logjam trace <id>`: a 5xx is a server bug or an overloaded dependency (the logged error messages say which).';
  if (status === 503 && agg.totals.poolTimeouts > 0) {
    fix +=
      ` This run has ${agg.totals.poolTimeouts} db.pool_timeout lines: requests gave up waiting for a database connection, ` +
      'so the pool is exhausted (see the time breakdown and the capacity section).' +
      labNote(client, LAB_POOL_503);
  }
  return fix;
}

export function statusClusterFindings(agg: RunAggregate, client?: ClientView): Finding[] {
  const routeCount = new Map(agg.routes.map((r) => [`${r.method} ${r.route}`, r.count]));
  return agg.statusClusters.map((c) => {
    const routeTotal = routeCount.get(`${c.method} ${c.route}`) ?? c.count;
    const share = c.count / Math.max(routeTotal, 1);
    const serverError = c.status >= 500;
    const severity = serverError
      ? c.count / Math.max(agg.totals.requests, 1) >= 0.01
        ? 'critical'
        : 'warning'
      : share >= 0.05
        ? 'warning'
        : 'info';
    const messages = c.messages.slice(0, 5);
    // a cluster made of suspicious-path requests is explained by that finding: say so instead of guessing
    const fromSuspicious = agg.suspiciousPaths
      .filter((s) => s.method === c.method && (s.statuses[String(c.status)] ?? 0) > 0)
      .reduce((n, s) => n + (s.statuses[String(c.status)] ?? 0), 0);
    return {
      id: serverError ? 'server-errors' : 'client-errors',
      severity,
      title: `${c.method} ${c.route}: ${statusLabel(c.status)} × ${c.count} (${pct(c.count, routeTotal)} of the route)`,
      explanation:
        `${c.count} of ${routeTotal} ${c.method} ${c.route} requests answered ${statusLabel(c.status)}. ` +
        (fromSuspicious > 0
          ? `${Math.min(fromSuspicious, c.count)} of them went to a suspicious path (see the suspicious-path finding). `
          : '') +
        (messages.length
          ? `Logged errors: ${messages.map((m) => `"${m.template}" × ${m.count}`).join('; ')}.`
          : serverError
            ? 'No request.error line explains them (the handler answered the error itself).'
            : 'A 4xx is the server rejecting the request: the client sent something it does not accept.'),
      fix: serverError
        ? serverErrorFix(agg, c.status, client)
        : 'Compare the request the client sent with what the API expects (a suspicious path or a missing field usually explains a 4xx cluster).',
      counts: { requests: c.count, routeRequests: routeTotal, status: c.status },
      exampleRequestIds: c.exampleRequestIds,
      query: agg.queries['status-clusters'],
      details: c.messages.map((m) => `${m.count} × ${m.template}`),
    };
  });
}
