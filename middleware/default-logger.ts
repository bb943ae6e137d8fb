/**
 * The process default logger: what getLogger() returns outside a request, and what runtimeStats(), instrumentPool()
 * and errorLogging() write through when they were given no logger and no request is in progress.
 *
 * One rule, no last-one-wins: the FIRST logger createLogger() makes is the process default (before or after any
 * requestLogging(): the service's own logger). requestLogging({ logger }) never changes it: it binds its logger to
 * its own requests only, so two apps in one process each log their requests through their own logger. When
 * something needs the default before the service made one, an implicit createLogger() (env settings) stands in,
 * and gives way to the first logger the service makes. setDefaultLogger() says it explicitly; closeLogger() on the
 * default unregisters it (a closed file sink would throw on the next line).
 */
import type { Logger } from 'pino';

let processDefault: Logger | undefined;
/** processDefault was made as a stand-in, not by the service: the service's first createLogger() replaces it. */
let standIn = false;

/** Called by createLogger for every logger it makes: the first one (or the first after a stand-in) becomes the default. */
export function offerDefaultLogger(logger: Logger): void {
  if (processDefault !== undefined && !standIn) return;
  processDefault = logger;
  standIn = false;
}

/** Make `logger` the process default (replacing whatever was): for a service whose first logger is not its main one. */
export function setDefaultLogger(logger: Logger): void {
  processDefault = logger;
  standIn = false;
}

/** The process default, made with `makeStandIn` when there is none yet. */
export function defaultLogger(makeStandIn: () => Logger): Logger {
  if (processDefault === undefined) {
    processDefault = makeStandIn();
    standIn = true;
  }
  return processDefault;
}

/** closeLogger: a closed logger is no longer the default. */
export function forgetDefaultLogger(logger: Logger): void {
  if (processDefault !== logger) return;
  processDefault = undefined;
  standIn = false;
}
