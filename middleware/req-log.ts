/**
 * `req.log` (pino-http's name): the request's child logger, made on first use like getLogger()'s. The request's
 * state is found through a WeakMap keyed by the request, and `log` is a getter defined ONCE on the request prototype
 * Express gives the app's requests, so a request that never reads req.log pays for no logger, closure or
 * defineProperty. Assigning req.log (pino-http-style code) shadows the getter for that request only.
 *
 * Why a WeakMap and not a property on the request: Express gives every request a new prototype
 * (Object.setPrototypeOf), after which V8 no longer finds a cached transition for a property added to it — each
 * added property copied the request's map and its descriptors (a callgrind count on Node 20: the largest part of the
 * middleware's own cost per request, and garbage that brought on full GCs). The map entry goes with the request.
 */
import type { Logger } from 'pino';
import type { RequestState } from './context.js';
import { getBaseLogger } from './get-logger.js';

const states = new WeakMap<object, RequestState>();

const prototypesWithLog = new WeakSet<object>();
/** The last prototype seen: one app (the common case) means one identity check per request. */
let lastPrototype: object | undefined;

export function attachState(req: object, state: RequestState): void {
  states.set(req, state);
}

/** The state attachState put on `req` (undefined: a request the middleware did not log). */
export function stateOf(req: object | undefined): RequestState | undefined {
  return req === undefined ? undefined : states.get(req);
}

/** Make `req.log` available on requests sharing req's prototype (idempotent, cheap after the first request). */
export function ensureReqLog(req: object): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === null || proto === lastPrototype) return;
  lastPrototype = proto;
  if (prototypesWithLog.has(proto)) return;
  prototypesWithLog.add(proto);
  // An own or inherited `log` someone else defined (pino-http) is left alone: theirs keeps working.
  if ('log' in proto) return;
  Object.defineProperty(proto, 'log', {
    configurable: true,
    enumerable: false,
    get(this: object): Logger {
      return states.get(this)?.logger ?? getBaseLogger();
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'log', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}
