/**
 * A crafted log for the request-dimension findings, shared by the local and the CloudWatch tests: the counts behind
 * every ratio are known by construction.
 */
import { logLines, type Line } from './log-lines.js';

export const LIST = '/api/v1/todos';
export const ONE = '/api/v1/todos/:id';

/**
 * 1000 finished requests, one every 100 ms: GET list 800 (5 slow), GET one 100 (45 slow, and the only route with 2
 * queries), POST 100 (20 of them 503); plus 10 aborted list requests. Slow = 500 ms, the rest 10 ms, so the p95 is
 * the 10 ms bucket and exactly 50 requests are above it.
 */
export function craftedSlowRouteLog(): Line[] {
  const L = logLines();
  const lines: Line[] = [];
  const seen = { list: 0, one: 0, post: 0 };
  for (let i = 0; i < 1000; i++) {
    const t = L.at(i * 100);
    if (i % 10 === 3) {
      const k = seen.one++;
      lines.push(L.finish({ t, path: '/api/v1/todos/7', route: ONE, ms: k % 20 < 9 ? 500 : 10, dbQueries: 2 }));
    } else if (i % 10 === 7) {
      const k = seen.post++;
      lines.push(L.finish({ t, method: 'POST', path: LIST, route: LIST, status: k % 5 === 0 ? 503 : 201, ms: 10, dbQueries: 1 }));
    } else {
      const k = seen.list++;
      lines.push(L.finish({ t, path: LIST, route: LIST, ms: k % 160 === 0 ? 500 : 10, dbQueries: 1 }));
    }
  }
  for (let j = 0; j < 10; j++) lines.push(L.abort({ t: L.at(j * 10_000 + 50), route: LIST }));
  return lines;
}

