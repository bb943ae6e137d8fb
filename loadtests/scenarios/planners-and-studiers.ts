/**
 * The lab's k6 scenario (loadtests/k6/planners-and-studiers.js) as a logjam scenario file, bugs kept on purpose
 * (the analyzer is meant to find them): it expects 200 from POST (the API answers 201 Created), and it deletes
 * `${url}/${request.id}` — a response has no `id`, so, exactly as in JavaScript on k6, the URL ends in
 * `/undefined`. Its twin planners-and-studiers.fixed.ts has both bugs fixed.
 */
import { check, http, sleep } from '../load/api.js';
import type { Response } from '../load/api.js';
import { JSON_HEADERS, PLANNER_THINK_S, TODO_PAYLOAD, todosUrl } from './planners-and-studiers.options.js';

export { listTodos, options } from './planners-and-studiers.options.js';

export async function createAndDeleteTodo(): Promise<void> {
  const url = todosUrl();
  const request = await http.post(url, JSON.stringify(TODO_PAYLOAD), { headers: JSON_HEADERS });
  check(request, { 'is status 200': (r: Response) => r.status === 200 });
  await sleep(PLANNER_THINK_S);
  // The lab's bug, with JavaScript's own semantics: the property does not exist, the template literal turns
  // `undefined` into the text "undefined".
  const missingId = (request as unknown as Record<string, unknown>).id;
  const deleteRequest = await http.del(`${url}/${String(missingId)}`);
  check(deleteRequest, { 'is status 200': (r) => r.status === 200 });
  await sleep(PLANNER_THINK_S);
}
