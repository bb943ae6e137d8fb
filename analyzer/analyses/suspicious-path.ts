/**
 * Paths a correct client never builds: a segment that is `undefined`, `null`, `NaN`, `[object Object]` or empty.
 * They come from string templates fed a missing field — almost always a bug in the load test or the client, not
 * in the server.
 */
import type { ClientView, Finding, RunAggregate } from '../model.js';
import { pct, statusList } from './format.js';
import { labNote } from './wording.js';

const CAUSE: Record<string, string> = {
  undefined: 'the client built this URL from a missing field (an id read from the wrong object, or from a response that had none)',
  null: 'the client built this URL from a field that was null (an id the previous response did not return)',
  NaN: 'the client built this URL from a number computed from a missing value (parseInt/arithmetic on undefined)',
  '[object Object]': 'the client put a whole object into the URL instead of one of its fields (e.g. `${item}` instead of `${item.id}`)',
  '//': 'the client built this URL with an empty segment (an empty id or a doubled slash in the base URL)',
};

/** The lab's own client bug behind `/undefined` (loadtests/k6/planners-and-studiers.js), said only for the lab's run. */
const LAB_UNDEFINED =
  "In the lab's planners-and-studiers test this is the planners' DELETE: it reads `request.id`, but a k6 Response has " +
  'no `id` — the created todo\'s id is in the body, `request.json().id`.';

export function suspiciousPathFindings(agg: RunAggregate, client?: ClientView): Finding[] {
  return agg.suspiciousPaths.map((s) => {
    const errors = Object.entries(s.statuses).reduce((n, [st, c]) => (Number(st) >= 400 ? n + c : n), 0);
    const share = agg.totals.requests ? s.count / agg.totals.requests : 0;
    const critical = s.count >= 10 || share >= 0.01;
    const allErrors = errors === s.count ? `all ${Object.keys(s.statuses).length === 1 ? Object.keys(s.statuses)[0] : 'errors'}` : `${errors} errors`;
    const shown = s.template && s.template !== s.path ? `${s.path} (and similar: ${s.template})` : s.path;
    return {
      id: 'suspicious-path',
      severity: critical ? 'critical' : 'warning',
      title: `${s.method} ${shown} × ${s.count}, ${allErrors}`,
      explanation:
        `${s.count} requests (${pct(s.count, agg.totals.requests)} of the run) went to a path with a \`${s.segment}\` segment: ` +
        `${CAUSE[s.segment] ?? 'the client built a malformed URL'}. The server answered ${statusList(s.statuses)}.` +
        (s.segment === 'undefined' ? labNote(client, LAB_UNDEFINED) : ''),
      fix:
        'Fix the load test/client that builds this URL: check the value before using it (fail the iteration when the ' +
        'previous response has no id), and read ids from the parsed body. Open one example with `logjam trace <id>`.',
      counts: { requests: s.count, errors, ...Object.fromEntries(Object.entries(s.statuses).map(([k, v]) => [`status_${k}`, v])) },
      exampleRequestIds: s.exampleRequestIds,
      query: agg.queries['suspicious-paths'],
    };
  });
}
