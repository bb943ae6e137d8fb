/**
 * The TaskOverflow Express app, as a factory: tests build it on their own pool; server.ts builds it once per
 * process. Order matters: the request logging wraps everything (even requests that fail body parsing), the routes
 * answer, then known errors become fixed JSON answers and the rest reach errorLogging.
 */
import express, { type Express } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { errorLogging, requestLogging } from '../middleware/index.js';
import type { Knobs } from './config.js';
import { knownErrors, lastResort, notFound } from './errors.js';
import { refuseDeclaredOversizedBody, requireValidUtf8 } from './body-checks.js';
import { healthRouter } from './routes/health.js';
import { todosRouter } from './routes/todos.js';

/** Larger than any valid body (title 200 + description 2000 characters, up to 4 bytes each, JSON escapes). */
export const BODY_LIMIT = '32kb';
export const BODY_LIMIT_BYTES = 32 * 1024;

export interface CreateAppOptions {
  /** The (instrumented) pool: see db/pool.ts. */
  pool: Pool;
  /** Default: the middleware creates one from the environment. */
  logger?: Logger;
  knobs?: Partial<Knobs>;
  /** Set while shutting down: responses carry `Connection: close` so keep-alive clients move on. */
  isDraining?: () => boolean;
}

export function createApp(options: CreateAppOptions): Express {
  const knobs: Knobs = { nPlusOne: false, cpuWorkMs: 0, slowQueryMs: 0, ...options.knobs };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // todo lists change under load tests: 304s would hide the work being measured

  app.use(requestLogging(options.logger ? { logger: options.logger } : {}));
  if (options.isDraining) {
    const isDraining = options.isDraining;
    app.use((_req, res, next) => {
      if (isDraining()) res.set('connection', 'close');
      next();
    });
  }
  app.use(refuseDeclaredOversizedBody(BODY_LIMIT_BYTES));
  app.use(express.json({ limit: BODY_LIMIT, verify: requireValidUtf8 }));
  app.use(healthRouter(options.pool));
  app.use(todosRouter(options.pool, knobs));
  app.use(notFound);
  app.use(knownErrors);
  app.use(errorLogging());
  app.use(lastResort);
  return app;
}
