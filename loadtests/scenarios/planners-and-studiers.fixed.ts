/** The lab's scenario with both client bugs fixed (see planners-and-studiers.ts): expects 201, deletes by the body's id. */
import { check, http, sleep } from '../load/api.js';
import { JSON_HEADERS, PLANNER_THINK_S, TODO_PAYLOAD, todosUrl } from './planners-and-studiers.options.js';

export { listTodos, options } from './planners-and-studiers.options.js';

export async function createAndDeleteTodo(): Promise<void> {
  const url = todosUrl();
  const request = await http.post(url, JSON.stringify(TODO_PAYLOAD), { headers: JSON_HEADERS });
  check(request, { 'is status 201': (r) => r.status === 201 });
  await sleep(PLANNER_THINK_S);
  // Without a created todo there is nothing to delete (same as the fixed k6 script).
  if (request.status === 201) {
    const created = request.json() as { id: number | string };
    const deleteRequest = await http.del(`${url}/${created.id}`);
    check(deleteRequest, { 'is status 200': (r) => r.status === 200 });
  }
  await sleep(PLANNER_THINK_S);
}
