/**
 * The state a test leaves behind, from the server's own statuses: per resource route, how many items the run
 * created (2xx POST on the collection) and how many it deleted (2xx DELETE on the collection's `/:id` route — the
 * id in the path is an item that existed, in a run from an empty database one the run created). Created but never
 * deleted is data the next run (or the next person to open the app) finds there: the lab's buggy test leaves every
 * planner's todo behind because its DELETEs go to `/undefined`.
 *
 * A balanced test (every create followed by its delete) gives no finding. Only matched route templates count, so
 * the collection and its item route are the server's own (`/api/v1/todos`, `/api/v1/todos/:id`).
 */
import type { Finding, RouteStats, RunAggregate } from '../model.js';
import { pct, statusList } from './format.js';

export interface ResourceBalance {
  /** the collection route, e.g. /api/v1/todos */
  route: string;
  /** the item route deletes went to, e.g. /api/v1/todos/:id (absent when the run sent no DELETE there) */
  itemRoute?: string;
  created: number;
  deleted: number;
  /** DELETEs on the item route that did not answer 2xx, by status */
  failedDeletes: Record<string, number>;
  exampleRequestIds: string[];
}

const is2xx = (status: string): boolean => status.startsWith('2') && status.length === 3;

function count(route: RouteStats, pick: (status: string) => boolean): number {
  return Object.entries(route.statuses).reduce((n, [s, c]) => (pick(s) ? n + c : n), 0);
}

/** `/a/b/:id` is the item route of `/a/b`: one more segment, a route parameter. */
function isItemRouteOf(item: string, collection: string): boolean {
  if (!item.startsWith(`${collection}/`)) return false;
  const rest = item.slice(collection.length + 1);
  return rest.startsWith(':') && !rest.includes('/');
}

/** Per collection route that created something: created against deleted. Pure. */
export function resourceBalances(agg: RunAggregate): ResourceBalance[] {
  const matched = agg.routes.filter((r) => r.matched);
  const out: ResourceBalance[] = [];
  for (const post of matched.filter((r) => r.method === 'POST')) {
    const created = count(post, is2xx);
    if (created === 0) continue;
    const deletes = matched.filter((r) => r.method === 'DELETE' && isItemRouteOf(r.route, post.route));
    const failedDeletes: Record<string, number> = {};
    for (const d of deletes) {
      for (const [s, c] of Object.entries(d.statuses)) if (!is2xx(s)) failedDeletes[s] = (failedDeletes[s] ?? 0) + c;
    }
    out.push({
      route: post.route,
      ...(deletes[0] ? { itemRoute: deletes[0].route } : {}),
      created,
      deleted: deletes.reduce((n, d) => n + count(d, is2xx), 0),
      failedDeletes,
      exampleRequestIds: [...post.exampleRequestIds, ...deletes.flatMap((d) => d.exampleRequestIds)].slice(0, 3),
    });
  }
  return out;
}

/** "todos" from /api/v1/todos: what the items are called, for the sentence. */
function itemsName(route: string): string {
  const literal = route.split('/').filter((s) => s && !s.startsWith(':'));
  return literal[literal.length - 1] ?? 'items';
}

export function stateLeftBehindFindings(agg: RunAggregate): Finding[] {
  return resourceBalances(agg)
    .filter((b) => b.deleted < b.created)
    .map((b) => {
      const left = b.created - b.deleted;
      const name = itemsName(b.route);
      const failed = Object.values(b.failedDeletes).reduce((n, c) => n + c, 0);
      const why =
        failed > 0
          ? ` ${failed} DELETE ${b.itemRoute} did not succeed (${statusList(b.failedDeletes)}): look at the URLs the test builds for them.`
          : b.itemRoute
            ? ' Every DELETE the server received succeeded: the test deleted fewer than it created (a request that timed out on the client never told it the id to delete).'
            : ' The run sent no DELETE to an item of this collection at all.';
      return {
        id: 'state-left-behind',
        // a test that tried to delete and failed to (the lab's /undefined) left most of its data by mistake; one that
        // never deletes may mean to (a create-only test), and a few left are creates whose answer the client lost
        severity: failed > 0 && left >= b.created / 2 ? 'warning' : 'info',
        title: `${b.created} ${name} created, ${b.deleted} deleted: the test leaves ${left} ${name} behind`,
        explanation:
          `POST ${b.route} answered 2xx ${b.created} times, and DELETE ${b.itemRoute ?? `${b.route}/:id`} answered 2xx ` +
          `${b.deleted} times: ${left} (${pct(left, b.created)}) of the ${name} this run created are still in the database ` +
          `after it.${why} The next run starts from a fuller database (every list request gets heavier), and anyone who ` +
          `opens the app afterwards sees the test's data.`,
        fix:
          'Make the test delete what it creates, by the id in the create response (request.json().id), or clean up in ' +
          'teardown(); run each test against a fresh database so runs stay comparable.',
        counts: { created: b.created, deleted: b.deleted, left, failedDeletes: failed },
        exampleRequestIds: b.exampleRequestIds,
        query: agg.queries['route-statuses'],
        details: [`POST ${b.route}: ${b.created} × 2xx`, `DELETE ${b.itemRoute ?? `${b.route}/:id`}: ${b.deleted} × 2xx${failed ? `, ${statusList(b.failedDeletes)}` : ''}`],
      } satisfies Finding;
    });
}
