/**
 * Client checks against server statuses. A check named like `is status 200` that fails F times while a route
 * answered a different status of the same class (201) about F times means the test's expectation is wrong, not
 * the API: "the test expects 200 but the API returns 201 Created".
 */
import type { ClientView, Finding, RouteStats, RunAggregate } from '../model.js';
import { statusLabel } from './format.js';
import { labNote } from './wording.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** The status a check expects, from its name: "is status 200", "status is 201", "returns 204", "200 OK". */
export function expectedStatus(checkName: string): number | undefined {
  const m = /\b(?:status|code)\D{0,12}?\b([1-5]\d\d)\b/i.exec(checkName) ?? /\b([1-5]\d\d)\b/.exec(checkName);
  return m ? Number(m[1]) : undefined;
}

/** A method named in the check ("POST is status 200", "create todo: status 201" -> POST). */
export function checkMethod(checkName: string): string | undefined {
  const upper = checkName.toUpperCase();
  const named = METHODS.find((m) => new RegExp(`\\b${m}\\b`).test(upper));
  if (named) return named;
  if (/\b(create|add|new)\b/i.test(checkName)) return 'POST';
  if (/\b(delete|remove)\b/i.test(checkName)) return 'DELETE';
  if (/\b(update|edit)\b/i.test(checkName)) return 'PUT|PATCH';
  return undefined;
}

interface Candidate {
  route: RouteStats;
  status: number;
  count: number;
  expectedCount: number;
}

/**
 * Every response of a different status in the expected class (201 where the check wants 200) failed the check, if
 * the check ran on it. So a route whose count of such a status fits within the check's failures explains that many
 * failures — whatever else (timeouts, 4xx of other requests sharing the check name, as in the lab) made up the rest.
 * The largest such group is reported. It is not claimed when another check expects exactly that status, passed,
 * and ran at least that often: then those responses were checked by that one.
 */
function bestCandidate(agg: RunAggregate, client: ClientView, check: ClientView['checks'][number], expected: number): Candidate | undefined {
  const method = checkMethod(check.name);
  const cls = Math.floor(expected / 100);
  // a few duplicates or retries may count a response twice on one side
  const fitsWithin = check.fails * 1.05 + 1;
  let best: Candidate | undefined;
  for (const route of agg.routes) {
    if (method && !method.split('|').includes(route.method)) continue;
    for (const [s, count] of Object.entries(route.statuses)) {
      const status = Number(s);
      if (status === expected || Math.floor(status / 100) !== cls || count > fitsWithin) continue;
      // Checked by a check that expects exactly this status and ran on at least this many responses. Its failures
      // count too: a 201 the server finished after the client had timed out fails "is status 201" with no
      // response, yet it is that check's (a late completion), not a mismatch of this one.
      const checkedElsewhere = client.checks.some(
        (c) => c !== check && expectedStatus(c.name) === status && c.passes > 0 && c.passes + c.fails >= count,
      );
      if (checkedElsewhere) continue;
      if (!best || count > best.count) best = { route, status, count, expectedCount: route.statuses[String(expected)] ?? 0 };
    }
  }
  return best;
}

/** The lab's own check bug (loadtests/k6/planners-and-studiers.js), said only for the lab's run. */
const LAB_POST_201 =
  "In the lab's planners-and-studiers test this is the planners' check `is status 200` after POST /api/v1/todos, " +
  'which creates a todo and so answers 201 Created.';

export function statusMismatchFindings(agg: RunAggregate, client: ClientView | undefined): Finding[] {
  if (!client) return [];
  const findings: Finding[] = [];
  for (const check of client.checks) {
    if (check.fails <= 0) continue;
    const expected = expectedStatus(check.name);
    if (expected === undefined) continue;
    const best = bestCandidate(agg, client, check, expected);
    if (!best) continue;
    const { route, status, count, expectedCount } = best;
    const cls = Math.floor(expected / 100);
    const noResponse = Math.min(client.noResponse ?? 0, check.fails - count);
    const rest = check.fails - count - noResponse;
    const breakdown =
      `Of its ${check.fails} failures, ${count} are these ${statusLabel(status)} answers` +
      (client.noResponse !== undefined ? `, at most ${noResponse} are requests that got no response at all` : '') +
      (rest > 0 ? `, and ${rest} are other answers (errors of requests that share the check's name)` : '') +
      '.';
    findings.push({
      id: 'status-mismatch',
      key: `check "${check.name}": ${route.method} ${route.route} ${status}`,
      severity: count >= 0.1 * check.fails ? 'critical' : 'warning',
      title: `check "${check.name}" failed ${check.fails} times: ${route.method} ${route.route} answered ${statusLabel(status)} × ${count}`,
      explanation:
        `The client's check "${check.name}" failed ${check.fails} times (passed ${check.passes}), and the server answered ` +
        `${route.method} ${route.route} with ${statusLabel(status)} ${count} times (${expectedCount} times ${expected}). ` +
        `So the test expects ${expected} but the API returns ${statusLabel(status)}: these requests succeeded, the check is wrong. ` +
        breakdown +
        (route.method === 'POST' && status === 201 ? labNote(client, LAB_POST_201) : ''),
      fix:
        `Change the check to expect ${status} (or accept any ${cls}xx), or change the API if ${expected} is the contract. ` +
        "Until then the error rate the client reports is not the server's.",
      counts: { checkFails: check.fails, checkPasses: check.passes, serverStatus: status, serverCount: count, expected, noResponse, otherFailures: rest },
      exampleRequestIds: route.exampleRequestIds,
      query: agg.queries['route-statuses'],
    });
  }
  return findings;
}
