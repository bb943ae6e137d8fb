/**
 * A crafted run with every kind of line the analysis cares about: matched and unmatched routes, a client bug
 * (DELETE /api/v1/todos/undefined, all 400), 404s on unmatched paths with ids, 500s with error messages holding
 * numbers, aborts, unfinished requests, a duplicated finish, a pool timeout, runtime.stats and log.dropped lines,
 * another run, a line of another schema version and a non-JSON line.
 */
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';

export const RUN_ID = 'lab-cw-1';
export const OTHER_RUN_ID = 'lab-cw-0';

type Line = Record<string, unknown> & { time: number };

export interface CraftedRun {
  lines: Line[];
  /** non-JSON lines, stored raw */
  raw: { raw: string; time: number }[];
  base: number;
}

/**
 * 20 minutes ago, at the middle of a second. The local source scopes process-wide lines (runtime.stats) to the run
 * by its 1 s context bins, the CloudWatch source by the run's exact range: the runtime line at +60 s, after the run's
 * last line (+59.024 s), falls in that line's bin when `base` is within 24 ms below a whole second (bins are aligned to
 * whole seconds), and the two sources then disagree by that one sample — a fixture on that edge made the comparison
 * fail in about 2 % of runs.
 */
function defaultBase(): number {
  return Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000 + 500;
}

export function craftRun(base = defaultBase()): CraftedRun {
  const lines: Line[] = [];
  const raw: { raw: string; time: number }[] = [];
  let seq = 0;
  const common = (time: number, extra: Record<string, unknown>): Line => ({
    [F.time]: time,
    [F.level]: 'info',
    [F.msg]: 'request',
    [F.schema]: SCHEMA_VERSION,
    [F.service]: 'taskoverflow',
    [F.host]: 'host-a',
    [F.pid]: 100 + (seq % 2),
    [F.worker]: 1 + (seq % 2),
    ...extra,
  }) as Line;

  /** start + finish (+ an error line before the finish when `error` is given) */
  function request(opts: { method: string; path: string; route?: string; status: number; duration: number; at: number; error?: string; runId?: string }) {
    seq++;
    const id = `req-${String(seq).padStart(4, '0')}`;
    const scope = { [F.requestId]: id, [F.runId]: opts.runId ?? RUN_ID };
    const t0 = base + opts.at;
    const t1 = t0 + opts.duration;
    lines.push(common(t0, { ...scope, [F.event]: EVENTS.requestStart, [F.method]: opts.method, [F.path]: opts.path }));
    if (opts.error) {
      lines.push(
        common(t1 - 1, {
          ...scope,
          [F.level]: 'error',
          [F.event]: EVENTS.requestError,
          [F.method]: opts.method,
          [F.path]: opts.path,
          ...(opts.route ? { [F.route]: opts.route } : {}),
          [F.status]: opts.status,
          [F.err]: { type: 'Error', message: opts.error },
        }),
      );
    }
    const finish = common(t1, {
      ...scope,
      [F.event]: EVENTS.requestFinish,
      [F.method]: opts.method,
      [F.path]: opts.path,
      ...(opts.route ? { [F.route]: opts.route } : {}),
      [F.status]: opts.status,
      [F.durationMs]: opts.duration,
      [F.bytesOut]: 120,
      [F.dbMs]: opts.duration / 4,
      [F.dbQueries]: 2,
      [F.poolWaitMs]: opts.duration / 10,
    });
    lines.push(finish);
    return { id, finish };
  }

  for (let i = 0; i < 60; i++) request({ method: 'GET', path: '/api/v1/todos', route: '/api/v1/todos', status: 200, duration: 5 + (i % 20), at: i * 1000 });
  for (let i = 0; i < 24; i++) request({ method: 'POST', path: '/api/v1/todos', route: '/api/v1/todos', status: 201, duration: 12 + (i % 7), at: 500 + i * 2000 });
  for (let i = 0; i < 10; i++) request({ method: 'GET', path: `/api/v1/todos/${40 + i}`, route: '/api/v1/todos/:id', status: i < 8 ? 200 : 404, duration: 4 + i, at: 700 + i * 3000 });
  for (let i = 0; i < 15; i++) {
    request({ method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, duration: 3, at: 900 + i * 3500, error: 'invalid todo id "undefined"' });
  }
  for (let i = 0; i < 6; i++) request({ method: 'GET', path: `/api/v1/nope/${1000 + i}`, status: 404, duration: 1, at: 1100 + i * 7000 });
  for (let i = 0; i < 3; i++) request({ method: 'GET', path: '/api//todos', status: 404, duration: 1, at: 1300 + i * 9000 });
  for (let i = 0; i < 5; i++) {
    request({ method: 'GET', path: '/api/v1/stats', route: '/api/v1/stats', status: 500, duration: 50 + i, at: 1500 + i * 11_000, error: `connection ${17 + i} timed out after 5000 ms` });
  }
  // a duplicated finish (the sink re-sent a batch)
  const dup = request({ method: 'GET', path: '/api/v1/todos', route: '/api/v1/todos', status: 200, duration: 9, at: 30_500 });
  lines.push({ ...dup.finish });
  // aborted requests: start + abort
  for (let i = 0; i < 3; i++) {
    seq++;
    const id = `req-abort-${i}`;
    const t0 = base + 2000 + i * 15_000;
    lines.push(common(t0, { [F.requestId]: id, [F.runId]: RUN_ID, [F.event]: EVENTS.requestStart, [F.method]: 'POST', [F.path]: '/api/v1/todos' }));
    lines.push(
      common(t0 + 300, {
        [F.requestId]: id,
        [F.runId]: RUN_ID,
        [F.event]: EVENTS.requestAbort,
        [F.method]: 'POST',
        [F.path]: '/api/v1/todos',
        [F.route]: '/api/v1/todos',
        [F.durationMs]: 300,
      }),
    );
  }
  // unfinished: a start and nothing else
  for (let i = 0; i < 2; i++) {
    lines.push(common(base + 58_000 + i, { [F.requestId]: `req-open-${i}`, [F.runId]: RUN_ID, [F.event]: EVENTS.requestStart, [F.method]: 'PUT', [F.path]: `/api/v1/todos/${7 + i}` }));
  }
  // a pool timeout of the run
  lines.push(common(base + 20_000, { [F.requestId]: 'req-0003', [F.runId]: RUN_ID, [F.event]: EVENTS.dbPoolTimeout, [F.poolWaitMs]: 2000 }));
  // process-wide lines: runtime.stats every 5 s, one log.dropped
  for (let t = 0; t <= 60_000; t += 5000) {
    lines.push(
      common(base + t, {
        [F.event]: EVENTS.runtimeStats,
        [F.elu]: 0.2 + t / 600_000,
        [F.elDelayP50Ms]: 10,
        [F.elDelayP99Ms]: 20 + t / 1000,
        [F.elDelayMaxMs]: 40 + t / 1000,
        [F.heapUsedMb]: 60,
        [F.inFlight]: 3,
        [F.poolTotal]: 10,
        [F.poolIdle]: 4,
        [F.poolWaiting]: t === 30_000 ? 5 : 0,
      }),
    );
  }
  lines.push(common(base + 40_000, { [F.event]: EVENTS.logDropped, [F.dropped]: 7, [F.reason]: 'queue full', [F.sink]: 'cloudwatch' }));
  // another run, a line of another schema version, a non-JSON line
  for (let i = 0; i < 5; i++) request({ method: 'GET', path: '/api/v1/todos', route: '/api/v1/todos', status: 200, duration: 5, at: -300_000 + i * 1000, runId: OTHER_RUN_ID });
  lines.push({ ...common(base + 10_000, { [F.event]: EVENTS.requestFinish, [F.runId]: RUN_ID }), [F.schema]: 99 });
  raw.push({ raw: 'Error: something printed to stdout by accident', time: base + 12_000 });
  return { lines, raw, base };
}
