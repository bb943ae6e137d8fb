/** Requests that did not finish: aborted by the client (request.abort) or started and never finished. */
import type { Finding, RunAggregate } from '../model.js';
import { pct } from './format.js';

/** "12:00:05–12:00:09" style ranges of the bins where the count is non-zero (the first few). */
function whenRanges(agg: RunAggregate, pick: (b: RunAggregate['bins'][number]) => number): string[] {
  const out: string[] = [];
  let start: number | undefined;
  let sum = 0;
  const flush = (end: number) => {
    if (start === undefined) return;
    out.push(`${new Date(start).toISOString().slice(11, 19)}–${new Date(end).toISOString().slice(11, 19)}: ${sum}`);
    start = undefined;
    sum = 0;
  };
  for (const b of agg.bins) {
    const n = pick(b);
    if (n > 0) {
      start ??= b.start;
      sum += n;
    } else flush(b.start);
  }
  if (agg.bins.length) flush(agg.bins[agg.bins.length - 1]!.start + agg.binMs);
  return out.slice(0, 5);
}

export function abortFindings(agg: RunAggregate): Finding[] {
  const findings: Finding[] = [];
  const total = agg.totals.requests + agg.totals.aborts + agg.totals.unfinished;
  if (agg.totals.aborts > 0) {
    const routes = agg.routes.filter((r) => r.aborts > 0).sort((a, b) => b.aborts - a.aborts);
    findings.push({
      id: 'aborts',
      severity: 'warning',
      title: `${agg.totals.aborts} ${agg.totals.aborts === 1 ? 'request' : 'requests'} aborted by the client (${pct(agg.totals.aborts, total)})`,
      explanation:
        'The client closed the connection before the response finished — usually its timeout fired because the server ' +
        `was too slow. Most on: ${routes.slice(0, 3).map((r) => `${r.method} ${r.route} × ${r.aborts}`).join(', ')}.`,
      fix: 'Find what made those requests slow (time breakdown, event-loop delay, pool waits); raising the client timeout only hides it.',
      counts: { aborts: agg.totals.aborts, requests: total },
      exampleRequestIds: routes.flatMap((r) => r.exampleRequestIds).slice(0, 3),
      query: agg.queries.aborts,
      details: [
        ...routes.slice(0, 10).map((r) => `${r.method} ${r.route}: ${r.aborts} aborted`),
        ...whenRanges(agg, (b) => b.aborts).map((w) => `when: ${w}`),
      ],
    });
  }
  if (agg.totals.unfinished > 0) {
    const routes = agg.unfinishedByRoute ?? [];
    findings.push({
      id: 'unfinished',
      severity: 'warning',
      title: `${agg.totals.unfinished} ${agg.totals.unfinished === 1 ? 'request' : 'requests'} started and never finished`,
      explanation:
        'These requests have a request.start line and no finish, abort or error line: the process died or was killed ' +
        'while serving them, the run was cut off, or their last lines were lost before reaching the logs.',
      fix: 'Check for crashes/restarts (worker.exit lines), OOM kills and log.dropped around the times below; shut the service down gracefully so in-flight requests finish.',
      counts: { unfinished: agg.totals.unfinished },
      exampleRequestIds: routes.flatMap((r) => r.exampleRequestIds).slice(0, 3),
      query: agg.queries.unfinished,
      details: [
        ...routes.slice(0, 10).map((r) => `${r.method} ${r.route}: ${r.count} unfinished`),
        ...whenRanges(agg, (b) => b.unfinished ?? 0).map((w) => `started: ${w}`),
      ],
    });
  }
  return findings;
}
