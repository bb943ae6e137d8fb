/**
 * The lab's k6 scenario (loadtests/k6/planners-and-studiers*.js) as data and iteration functions, for the Node
 * runner. Keep the two in step: same executors, stages, sleeps, payload and check names.
 *
 *  - studiers: ramping-vus 0 → 1000 (2 min) → 2500 (2 min) → 0 (2 min); GET the todo list, check 200, think 120 s.
 *  - planners: shared-iterations, 20 VUs, 400 iterations; POST a todo, check, think 10 s, DELETE it, check, 10 s.
 *
 * The `buggy` variant keeps the lab's two client bugs on purpose (the analyzer is meant to find them):
 * it expects 200 from POST (the API answers 201 Created), and it deletes `${url}/${request.id}` — the response
 * object has no `id`, so, exactly as in JavaScript on k6, the URL ends in `/undefined`.
 */
import type { HttpResponse } from '../runner/http-response.js';
import type { ScenarioSpec, Vu } from '../runner/types.js';
import type { ScenarioDefinition } from './types.js';

/** k6's defaults for the options the lab's script leaves out. */
const K6_GRACEFUL_STOP_S = 30;
const K6_GRACEFUL_RAMP_DOWN_S = 30;
const K6_MAX_DURATION_S = 600;

const STUDIER_THINK_S = 120;
const PLANNER_THINK_S = 10;

export const TODO_PAYLOAD = {
  title: 'CSSE6400 Clout Assignment',
  description: 'Finish the cloud assignment before the deadline',
  completed: false,
  deadline_at: '2024-05-31T23:59:00',
} as const;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

const is = (status: number) => (r: HttpResponse) => r.status === status;

function listTodos(url: string) {
  return async (vu: Vu): Promise<void> => {
    const response = await vu.http.get(url);
    vu.check(response, { 'is status 200': is(200) });
    await vu.sleep(STUDIER_THINK_S);
  };
}

function createAndDeleteTodoBuggy(url: string) {
  return async (vu: Vu): Promise<void> => {
    const request = await vu.http.post(url, JSON.stringify(TODO_PAYLOAD), { headers: JSON_HEADERS });
    vu.check(request, { 'is status 200': is(200) });
    await vu.sleep(PLANNER_THINK_S);
    // The lab's bug, reproduced with JavaScript's own semantics: the property does not exist, the template
    // literal turns `undefined` into the text "undefined".
    const missingId = (request as unknown as Record<string, unknown>).id;
    const deleteRequest = await vu.http.del(`${url}/${missingId}`);
    vu.check(deleteRequest, { 'is status 200': is(200) });
    await vu.sleep(PLANNER_THINK_S);
  };
}

function createAndDeleteTodoFixed(url: string) {
  return async (vu: Vu): Promise<void> => {
    const request = await vu.http.post(url, JSON.stringify(TODO_PAYLOAD), { headers: JSON_HEADERS });
    vu.check(request, { 'is status 201': is(201) });
    await vu.sleep(PLANNER_THINK_S);
    // Without a created todo there is nothing to delete (same as the fixed k6 script).
    if (request.status === 201) {
      const created = request.json() as { id: number | string };
      const deleteRequest = await vu.http.del(`${url}/${created.id}`);
      vu.check(deleteRequest, { 'is status 200': is(200) });
    }
    await vu.sleep(PLANNER_THINK_S);
  };
}

function build(variant: string, endpoint: string): ScenarioSpec[] {
  const url = `${endpoint}/api/v1/todos`;
  return [
    {
      name: 'studiers',
      executor: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { durationS: 120, target: 1000 },
          { durationS: 120, target: 2500 },
          { durationS: 120, target: 0 },
        ],
        gracefulRampDownS: K6_GRACEFUL_RAMP_DOWN_S,
        gracefulStopS: K6_GRACEFUL_STOP_S,
      },
      iteration: listTodos(url),
      thinkTimeS: STUDIER_THINK_S,
    },
    {
      name: 'planners',
      executor: {
        executor: 'shared-iterations',
        vus: 20,
        iterations: 400,
        maxDurationS: K6_MAX_DURATION_S,
        gracefulStopS: K6_GRACEFUL_STOP_S,
      },
      iteration: variant === 'fixed' ? createAndDeleteTodoFixed(url) : createAndDeleteTodoBuggy(url),
      thinkTimeS: 2 * PLANNER_THINK_S,
    },
  ];
}

export const plannersAndStudiers: ScenarioDefinition = {
  name: 'planners-and-studiers',
  description: "the CSSE6400 lab's scenario: 2500 studiers listing todos, 20 planners creating and deleting them",
  variants: ['buggy', 'fixed'],
  build,
};
