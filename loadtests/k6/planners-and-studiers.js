// The lab's load test for TaskOverflow, kept faithful ON PURPOSE — including its two client bugs, so that the
// analyzer has something real to find:
//   1. the planners check `is status 200` after POST, but the API answers 201 Created;
//   2. the planners DELETE `${url}/${request.id}`, but a k6 Response has no `id` (it is in the JSON body), so the
//      URL ends in `/undefined` and the API answers 400.
// The corrected twin is planners-and-studiers.fixed.js. The Node runner (`logjam load`) runs the same scenario.
//
//   k6 run -e ENDPOINT=http://127.0.0.1:3000 [-e RUN_ID=my-run] [-e SUMMARY_DIR=runs] [-e SUMMARY_STDOUT=1] planners-and-studiers.js
//
// Every request sends X-Run-Id and carries a run_id tag, so the run can be found in the service's logs later.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';

const ENDPOINT = __ENV.ENDPOINT || 'http://127.0.0.1:3000';
const url = `${ENDPOINT}/api/v1/todos`;

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    studiers: {
      executor: 'ramping-vus',
      exec: 'listTodos',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 1000 },
        { duration: '2m', target: 2500 },
        { duration: '2m', target: 0 },
      ],
    },
    planners: {
      executor: 'shared-iterations',
      exec: 'createAndDeleteTodo',
      vus: 20,
      iterations: 400,
    },
  },
};

const RUN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** `run-<yyyymmdd-hhmmss>-<4 hex>`, the same shape as the Node runner's. */
function generateRunId() {
  const iso = new Date().toISOString(); // 2024-05-01T12:34:56.789Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  const hex = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return `run-${stamp}-${hex}`;
}

// setup() runs once; init code runs once per VU, so a run id generated there would differ between VUs.
export function setup() {
  const runId = __ENV.RUN_ID || generateRunId();
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new Error('RUN_ID must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  console.log(`run id: ${runId}`);
  // the scenario's name reaches the summary (handleSummary's setup_data): logjam analyze knows the lab's test by it
  return { runId, scenario: 'planners-and-studiers' };
}

/**
 * @param {{ runId: string }} data
 * @param {Record<string, string>} [headers]
 */
function params(data, headers = {}) {
  return { headers: { ...headers, 'X-Run-Id': data.runId }, tags: { run_id: data.runId } };
}

/** @param {{ runId: string }} data */
export function listTodos(data) {
  const response = http.get(url, params(data));
  check(response, { 'is status 200': (r) => r.status === 200 });
  sleep(120);
}

/** @param {{ runId: string }} data */
export function createAndDeleteTodo(data) {
  const payload = JSON.stringify({
    title: 'CSSE6400 Clout Assignment',
    description: 'Finish the cloud assignment before the deadline',
    completed: false,
    deadline_at: '2024-05-31T23:59:00',
  });
  const request = http.post(url, payload, params(data, { 'Content-Type': 'application/json' }));
  // Bug 1 (kept): the API answers 201 Created.
  check(request, { 'is status 200': (r) => r.status === 200 });
  sleep(10);

  // Bug 2 (kept): a k6 Response has no `id`; this requests `${url}/undefined`.
  // @ts-expect-error -- the lab's bug, on purpose: the id is in request.json(), not on the Response
  const deleteRequest = http.del(`${url}/${request.id}`, null, params(data));
  check(deleteRequest, { 'is status 200': (r) => r.status === 200 });
  sleep(10);
}

/** Starts the one-line summary on stdout (SUMMARY_STDOUT=1): what a log search looks for. */
const SUMMARY_LINE_PREFIX = 'LOGJAM_K6_SUMMARY ';

/** @param {{ setup_data?: { runId?: string } } & Record<string, unknown>} data */
export function handleSummary(data) {
  const runId = (data.setup_data && data.setup_data.runId) || __ENV.RUN_ID || 'unknown-run';
  const dir = __ENV.SUMMARY_DIR ? `${__ENV.SUMMARY_DIR.replace(/\/+$/, '')}/` : '';
  let stdout = textSummary(data, { indent: ' ', enableColors: true });
  // SUMMARY_STDOUT=1 (terraform sets it for the ECS generators): the summary file dies with the container, stdout
  // reaches CloudWatch through the awslogs driver. JSON.stringify without indentation escapes every newline, so the
  // summary is ONE line, hence one CloudWatch event.
  if (__ENV.SUMMARY_STDOUT === '1' || __ENV.SUMMARY_STDOUT === 'true') {
    stdout += `\n${SUMMARY_LINE_PREFIX}${JSON.stringify(data)}\n`;
  }
  return {
    [`${dir}summary-${runId}.json`]: JSON.stringify(data, null, 2),
    stdout,
  };
}
