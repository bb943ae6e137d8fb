/**
 * Client checks against server statuses. A check named like `is status 200` that fails F times while a route
 * answered a different status of the same class (201) about F times means the test's expectation is wrong, not
 * the API: "the test expects 200 but the API returns 201 Created".
 */
import type { ClientView, Finding, RouteStats, RunAggregate } from '../model.js';
import { statusLabel } from './format.js';

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
  distance: number;
}

/** How close the count of a status is to the number of failures (relative; 0 = equal). */
const closeness = (count: number, fails: number) => Math.abs(count - fails) / Math.max(fails, 1);

export function statusMismatchFindings(agg: RunAggregate, client: ClientView | undefined): Finding[] {
  if (!client) return [];
  const findings: Finding[] = [];
  for (const check of client.checks) {
    if (check.fails <= 0) continue;
    const expected = expectedStatus(check.name);
    if (expected === undefined) continue;
    const method = checkMethod(check.name);
    const cls = Math.floor(expected / 100);
    let best: Candidate | undefined;
    for (const route of agg.routes) {
      if (method && !method.split('|').includes(route.method)) continue;
      for (const [s, count] of Object.entries(route.statuses)) {
        const status = Number(s);
        if (status === expected || Math.floor(status / 100) !== cls) continue;
        const distance = closeness(count, check.fails);
        if (!best || distance < best.distance) {
          best = { route, status, count, expectedCount: route.statuses[String(expected)] ?? 0, distance };
        }
      }
    }
    // within 20%: the failures and the other status are the same requests (give or take timeouts and retries)
    if (!best || best.distance > 0.2) continue;
    const { route, status, count, expectedCount } = best;
    findings.push({
      id: 'status-mismatch',
      severity: 'critical',
      title: `check "${check.name}" failed ${check.fails} times: ${route.method} ${route.route} answered ${statusLabel(status)}`,
      explanation:
        `The client's check "${check.name}" failed ${check.fails} times (passed ${check.passes}), and the server answered ` +
        `${route.method} ${route.route} with ${statusLabel(status)} ${count} times (${expectedCount} times ${expected}). ` +
        `So the test expects ${expected} but the API returns ${statusLabel(status)}: these requests succeeded, the check is wrong.`,
      fix:
        `Change the check to expect ${status} (or accept any ${cls}xx), or change the API if ${expected} is the contract. ` +
        'Until then the error rate the client reports is not the server\'s.',
      counts: { checkFails: check.fails, checkPasses: check.passes, serverStatus: status, serverCount: count, expected },
      exampleRequestIds: route.exampleRequestIds,
      query: agg.queries['route-statuses'],
    });
  }
  return findings;
}
