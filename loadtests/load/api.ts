/**
 * The k6-shaped API a scenario file imports from `logjam/load`. Each function acts for the VU whose iteration is
 * running (runtime.ts); unlike k6 the HTTP calls and sleep return promises — a k6 script ports by adding `await`.
 */
import type { HttpResponse } from '../runner/http-response.js';
import type { RequestParams } from '../runner/types.js';
import { currentVu } from './runtime.js';

declare global {
  /** k6's __ENV: --env KEY=VALUE values, ENDPOINT from --endpoint, and the scenario's own `env` */
  var __ENV: Readonly<Record<string, string | undefined>>;
  /** k6's __VU: the current VU, 1-based, unique across scenarios (0 outside an iteration) */
  var __VU: number;
  /** k6's __ITER: this VU's iteration number in its scenario, 0-based */
  var __ITER: number;
}

export type { HttpResponse as Response } from '../runner/http-response.js';
export type { RequestParams as Params } from '../runner/types.js';

/** A request body: a string is sent as is; an object is sent as JSON with Content-Type: application/json. */
export type Body = string | Record<string, unknown> | unknown[] | null | undefined;

function encode(body: Body, params: RequestParams | undefined): [string | null, RequestParams | undefined] {
  if (body === null || body === undefined) return [null, params];
  if (typeof body === 'string') return [body, params];
  const headers = { 'Content-Type': 'application/json', ...params?.headers };
  return [JSON.stringify(body), { ...params, headers }];
}

function send(method: string, url: string, body: Body, params: RequestParams | undefined): Promise<HttpResponse> {
  const vu = currentVu(`http.${method.toLowerCase()}()`);
  const [text, p] = encode(body, params);
  return vu.http.request(method, url, text, p);
}

export const http = {
  get: (url: string, params?: RequestParams): Promise<HttpResponse> => send('GET', url, null, params),
  head: (url: string, params?: RequestParams): Promise<HttpResponse> => send('HEAD', url, null, params),
  options: (url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> => send('OPTIONS', url, body, params),
  post: (url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> => send('POST', url, body, params),
  put: (url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> => send('PUT', url, body, params),
  patch: (url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> => send('PATCH', url, body, params),
  del: (url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> => send('DELETE', url, body, params),
  request: (method: string, url: string, body?: Body, params?: RequestParams): Promise<HttpResponse> =>
    send(method.toUpperCase(), url, body, params),
};

/** k6's check(): each named predicate counts one pass or one fail in `checks`; true when all passed. */
export function check<T>(value: T, checkers: Record<string, (value: T) => boolean>, tags?: Record<string, string>): boolean {
  return currentVu('check()').check(value, checkers, tags);
}

/** k6's sleep(seconds), awaited; multiplied by --time-scale. */
export function sleep(seconds: number): Promise<void> {
  return currentVu('sleep()').sleep(seconds);
}

/** k6's group(): requests and checks inside carry the tag group "::<name>"; returns what `fn` returns. */
export function group<R>(name: string, fn: () => R): R {
  return currentVu('group()').group(name, fn);
}

/** k6's fail(): ends the iteration with an error (counted, with the file and line). */
export function fail(message = 'fail() called'): never {
  throw new Error(message);
}
