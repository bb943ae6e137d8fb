/**
 * The lab's load shape and its studiers (the same in both variants), shared by its two scenario files (planners-and-studiers.ts, the lab's script as written,
 * and planners-and-studiers.fixed.ts). Same executors, stages and counts as loadtests/k6/planners-and-studiers.js;
 * k6's defaults (gracefulStop 30 s, gracefulRampDown 30 s, maxDuration 10 min) apply as in k6.
 * `thinkTime` is logjam's extension (only logjam reads it): the think time per iteration, the capacity math's Z.
 */
import { check, http, sleep } from '../load/api.js';

export const STUDIER_THINK_S = 120;
export const PLANNER_THINK_S = 10;

export const TODO_PAYLOAD = {
  title: 'CSSE6400 Clout Assignment',
  description: 'Finish the cloud assignment before the deadline',
  completed: false,
  deadline_at: '2024-05-31T23:59:00',
} as const;

export const JSON_HEADERS = { 'Content-Type': 'application/json' };

export const options = {
  scenarios: {
    studiers: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 1000 },
        { duration: '2m', target: 2500 },
        { duration: '2m', target: 0 },
      ],
      exec: 'listTodos',
      thinkTime: `${STUDIER_THINK_S}s`,
    },
    planners: {
      executor: 'shared-iterations',
      vus: 20,
      iterations: 400,
      exec: 'createAndDeleteTodo',
      thinkTime: `${2 * PLANNER_THINK_S}s`,
    },
  },
};

export const todosUrl = (): string => `${__ENV.ENDPOINT ?? 'http://127.0.0.1:3000'}/api/v1/todos`;

/** The studiers: list the todos, then think. Neither variant changes it. */
export async function listTodos(): Promise<void> {
  const response = await http.get(todosUrl());
  check(response, { 'is status 200': (r) => r.status === 200 });
  await sleep(STUDIER_THINK_S);
}
