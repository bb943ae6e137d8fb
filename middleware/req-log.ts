/**
 * `req.log` (pino-http's name): the request's child logger, made on first use like getLogger()'s. The request's
 * state is put on the request under a symbol (one property per request), and `log` is a getter defined ONCE on the
 * request prototype Express gives the app's requests, so a request that never reads req.log pays for no logger,
 * closure or defineProperty. Assigning req.log (pino-http-style code) shadows the getter for that request only.
 */
import type { Logger } from 'pino';
import type { RequestState } from './context.js';
import { getBaseLogger } from './get-logger.js';

const STATE = Symbol('logjam.requestState');

interface WithState {
  [STATE]?: RequestState;
}

const prototypesWithLog = new WeakSet<object>();
/** The last prototype seen: one app (the common case) means one identity check per request. */
let lastPrototype: object | undefined;

export function attachState(req: object, state: RequestState): void {
  (req as WithState)[STATE] = state;
}

/** The state attachState put on `req` (undefined: a request the middleware did not log). */
export function stateOf(req: object | undefined): RequestState | undefined {
  return (req as WithState | undefined)?.[STATE];
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
    get(this: WithState): Logger {
      return this[STATE]?.logger ?? getBaseLogger();
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'log', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}
