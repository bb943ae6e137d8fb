/**
 * The bottleneck knobs' per-request work. Each leaves a different trace in the logs, which is the point:
 *  - CPU_WORK_MS: a synchronous loop of that much CPU time — request.finish duration_ms grows but db_ms/pool_wait_ms do not; runtime.stats
 *    shows event-loop delay (el_delay_*) and ELU near 1.
 *  - SLOW_QUERY_MS: a pg_sleep query — a db.query line with large db_ms; under load, later requests show
 *    pool_wait_ms (they queue for a connection) and eventually db.pool_timeout + 503.
 *  - KNOB_ROUTE: the two above on one route only (`GET /api/v1/todos/:id`), the others untouched — a run with one
 *    route slowed on purpose, which slow-request-dimensions must name.
 * (N_PLUS_ONE lives in db/todos.ts, DB_POOL_MAX=1 in the pool config.)
 */
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Knobs } from './config.js';
import { slowQuery } from './db/todos.js';

/**
 * Spin until this process has used `ms` milliseconds of CPU time (not wall time): the event loop serves nothing else
 * meanwhile (like a sync worker), and the cost is real work, so a worker that shares its core with others (the load
 * generator, PostgreSQL, more workers than cores) takes longer in wall time, as a real CPU-bound worker would. A
 * wall-clock spin would not: it ends on time however little CPU it got, so extra workers on busy cores would look
 * like extra capacity.
 */
export function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  const budgetUs = ms * 1000;
  let x = 0;
  for (;;) {
    // a few µs of arithmetic between clock reads (getrusage is a system call)
    for (let i = 0; i < 1000; i++) x = (x * 31 + 7) % 1_000_003; // real work, so the loop is not optimised away
    const used = process.cpuUsage(start);
    if (used.user + used.system >= budgetUs) break;
  }
  if (x < 0) throw new Error('unreachable');
}

/** Does `METHOD /template` name this request? A `:name` segment matches any one segment; a trailing slash is ignored. */
export function routeMatches(knobRoute: string, method: string, path: string): boolean {
  const [m, template = ''] = knobRoute.split(' ');
  if (m !== method) return false;
  const want = template.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  return want.length === got.length && want.every((seg, i) => seg.startsWith(':') || seg === got[i]);
}

/** Middleware applying the per-request knobs (nothing when they are off, or when KNOB_ROUTE names another route). */
export function knobsMiddleware(pool: Pool, knobs: Knobs): RequestHandler {
  return async (req, _res, next) => {
    if (knobs.route !== undefined && !routeMatches(knobs.route, req.method, req.baseUrl + req.path)) return next();
    if (knobs.cpuWorkMs > 0) burnCpu(knobs.cpuWorkMs);
    if (knobs.slowQueryMs > 0) await slowQuery(pool, knobs.slowQueryMs); // errors reach the error handler (Express 5)
    next();
  };
}
