// The lab's load test with both client bugs fixed (compare planners-and-studiers.js):
//   1. POST /api/v1/todos answers 201 Created, so the check expects 201;
//   2. the DELETE uses the id from the JSON body: request.json().id.
//
//   k6 run -e ENDPOINT=http://127.0.0.1:3000 [-e RUN_ID=my-run] [-e SUMMARY_DIR=runs] [-e SUMMARY_STDOUT=1] planners-and-studiers.fixed.js
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
  const iso = new Date().toISOString();
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
  check(request, { 'is status 201': (r) => r.status === 201 });
  sleep(10);

  // Without a created todo there is nothing to delete (k6 would otherwise throw parsing an empty body).
  if (request.status === 201) {
    const created = /** @type {{ id: number | string }} */ (request.json());
    const deleteRequest = http.del(`${url}/${created.id}`, null, params(data));
    check(deleteRequest, { 'is status 200': (r) => r.status === 200 });
  }
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
