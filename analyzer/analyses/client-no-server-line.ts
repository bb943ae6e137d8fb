/**
 * Client requests the server never logged: timeouts, refused connections, requests that never arrived (or lines
 * lost on the way). Also makes "more checks fail than requests time out" visible: check failures that are not
 * missing responses are responses the test rejected.
 */
import type { ClientView, Finding, RunAggregate } from '../model.js';
import { compareClientToServer } from './client-server-counts.js';
import { pct } from './format.js';

export function clientNoServerLineFindings(agg: RunAggregate, client: ClientView | undefined): Finding[] {
  if (!client) return [];
  const findings: Finding[] = [];
  // a time window (no --run) holds whatever runs fall in it: no run id to compare the summary's with
  if (client.runId !== undefined && agg.window === undefined && client.runId !== agg.runId) {
    findings.push({
      id: 'client-summary-run',
      severity: 'warning',
      title: `the client summary is for run "${client.runId}", not "${agg.runId}"`,
      explanation: `${client.file} was written by a run with id "${client.runId}": comparing it with run "${agg.runId}" compares two different tests.`,
      fix: `Pass the summary of the same run, or analyze --run ${client.runId}.`,
      counts: {},
      exampleRequestIds: [],
    });
  }
  const { serverSeen, interrupted, missing } = compareClientToServer(agg, client);
  const noResponse = client.noResponse ?? 0;
  const checksFailed = client.checks.reduce((n, c) => n + c.fails, 0);
  const byReason = Object.entries(client.noResponseByReason ?? {}).filter(([, n]) => n > 0);
  const counts: Record<string, number> = {
    clientRequests: client.requests,
    serverRequests: serverSeen,
    missing,
    clientFailed: client.failedRequests,
    checksFailed,
  };
  if (client.noResponse !== undefined) counts.noResponse = noResponse;
  if (interrupted > 0) counts.interruptedByRunner = interrupted;
  for (const [reason, n] of byReason) counts[`noResponse_${reason}`] = n;

  const details: string[] = [
    `client sent ${client.requests} requests; the server logged ${serverSeen} (${agg.totals.requests} finished, ${agg.totals.aborts} aborted, ${agg.totals.unfinished} unfinished)`,
  ];
  if (client.noResponse !== undefined) {
    details.push(
      `no response: ${noResponse}` + (byReason.length ? ` (${byReason.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''),
    );
  }
  details.push(`checks failed: ${checksFailed}; requests with no response: ${client.noResponse ?? 'unknown (the client summary does not count them)'}`);

  if (missing <= 0 && noResponse === 0) {
    if (checksFailed > 0) {
      findings.push({
        id: 'client-checks',
        severity: 'info',
        title: `${checksFailed} client checks failed, and every request reached the server`,
        explanation:
          `The client's checks failed ${checksFailed} times, yet every request it sent has a server line: the failures are ` +
          'responses the test rejected (see status-mismatch and status clusters), not timeouts or lost requests.',
        fix: 'Read the status findings above; the server answered every request.',
        counts,
        exampleRequestIds: [],
        query: agg.queries.summary,
        details,
      });
    }
    return findings;
  }
  const share = missing / Math.max(client.requests, 1);
  const moreChecks = checksFailed > noResponse;
  findings.push({
    id: 'client-no-server-line',
    severity: share > 0.01 || noResponse > 0.01 * client.requests ? 'critical' : 'warning',
    title:
      missing > 0
        ? `${missing} client requests (${pct(missing, client.requests)}) have no server line`
        : `${noResponse} client requests got no response`,
    explanation:
      `The client counted ${client.requests} requests; the server logged ${serverSeen} ${agg.window ? 'in the time window' : `for run ${agg.runId}`}. ` +
      (missing > 0
        ? `${missing} never produced a server line: they timed out before reaching the app, were refused (backlog or ` +
          'connection limit full), were reset, or their lines were lost on the way to the logs. '
        : '') +
      (client.noResponse !== undefined
        ? `The runner saw ${noResponse} requests with no response${byReason.length ? ` (${byReason.map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''}. `
        : '') +
      (moreChecks
        ? `Checks failed ${checksFailed} times — more than the ${noResponse} requests with no response: ${checksFailed - noResponse} ` +
          'check failures are responses the test rejected, not timeouts.'
        : ''),
    fix:
      'Timeouts/refused: the service is saturated before the app sees the request — lower the arrival rate, raise the ' +
      "server's backlog/worker count, or scale out (see `logjam capacity`). Lost lines: check log.dropped and the sinks.",
    counts,
    exampleRequestIds: [],
    query: agg.queries.summary,
    details,
  });
  return findings;
}
