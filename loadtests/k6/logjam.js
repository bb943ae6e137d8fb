// logjam's client request log for k6 scripts: import this module and make requests through it, and k6's
// `--out json=<file>` output becomes a client log that `logjam analyze --client-log <file>` joins to the server's
// lines request by request (late completions, requests the server never logged, time outside the app).
//
//   import { logjamHttp } from './logjam.js';
//   export default function (data) {
//     const http = logjamHttp(data.runId);            // the run id from setup(), or __ENV.RUN_ID
//     const res = http.get(`${ENDPOINT}/api/v1/todos`);
//     check(res, { 'is 200': (r) => r.status === 200 });
//   }
//   k6 run --out json=runs/<run-id>/k6.json script.js
//
// Every request gets its own X-Request-Id (the middleware logs it as request_id) and the run's X-Run-Id. The id
// goes into the VU's sample *metadata*, not its tags: k6 makes one time series per distinct tag value, and a tag
// that differs on every request would grow k6's memory without bound; metadata is k6's place for such values
// (its tracing module puts trace ids there) and the JSON output writes it on every point. Set before the request,
// it lands on the request's samples and on the checks that follow it, until the next request.
import http from 'k6/http';
import exec from 'k6/execution';

/** The metadata keys (common/client-log.ts K6_TAGS): the analyzer reads them from each point's metadata or tags. */
export const REQUEST_ID_KEY = 'logjam_request_id';
export const VU_KEY = 'logjam_vu';
export const ITERATION_KEY = 'logjam_iter';

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

// Per VU (init code runs once per VU): a random prefix keeps ids unique across VUs, instances and load
// generators running the same test in parallel.
const PREFIX = `k6${Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')}`;
let sequence = 0;

/** A fresh id, valid under the middleware's id rule (A–Z a–z 0–9 . _ : -, at most 128). */
export function nextRequestId() {
  sequence += 1;
  return `${PREFIX}-${exec.vu.idInTest}-${sequence.toString(36)}`;
}

/**
 * The request's params with logjam's headers added (the script's own headers and tags kept), and the VU's
 * metadata pointing at this request.
 * @param {string} runId
 * @param {import('k6/http').Params | null | undefined} params
 * @returns {import('k6/http').Params}
 */
export function withLogjam(runId, params) {
  if (!ID_PATTERN.test(runId)) throw new Error('logjam: the run id must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  const id = nextRequestId();
  const metadata = exec.vu.metrics.metadata;
  metadata[REQUEST_ID_KEY] = id;
  metadata[VU_KEY] = exec.vu.idInTest;
  metadata[ITERATION_KEY] = exec.vu.iterationInScenario;
  const given = params || {};
  return {
    ...given,
    headers: { ...(given.headers || {}), 'X-Request-Id': id, 'X-Run-Id': runId },
    tags: { ...(given.tags || {}), run_id: runId },
  };
}

/**
 * k6/http's request methods, each sending logjam's headers.
 * @param {string} [runId] default: __ENV.RUN_ID
 */
export function logjamHttp(runId) {
  const run = runId || __ENV.RUN_ID;
  if (!run) throw new Error('logjam: pass the run id (from setup()) or set -e RUN_ID=');
  /**
   * @param {string} method
   * @param {string} url
   * @param {import('k6/http').RequestBody | null | undefined} body
   * @param {import('k6/http').Params | null | undefined} params
   */
  const send = (method, url, body, params) => http.request(method, url, body, withLogjam(run, params));
  return {
    /** @param {string} url @param {import('k6/http').Params} [params] */
    get: (url, params) => send('GET', url, null, params),
    /** @param {string} url @param {import('k6/http').RequestBody | null} [body] @param {import('k6/http').Params} [params] */
    post: (url, body, params) => send('POST', url, body, params),
    /** @param {string} url @param {import('k6/http').RequestBody | null} [body] @param {import('k6/http').Params} [params] */
    put: (url, body, params) => send('PUT', url, body, params),
    /** @param {string} url @param {import('k6/http').RequestBody | null} [body] @param {import('k6/http').Params} [params] */
    patch: (url, body, params) => send('PATCH', url, body, params),
    /** @param {string} url @param {import('k6/http').RequestBody | null} [body] @param {import('k6/http').Params} [params] */
    del: (url, body, params) => send('DELETE', url, body, params),
    /** @param {string} method @param {string} url @param {import('k6/http').RequestBody | null} [body] @param {import('k6/http').Params} [params] */
    request: (method, url, body, params) => send(method, url, body, params),
  };
}
