/**
 * Builds log lines the way the middleware writes them (field and event names from the schema), for crafted logs
 * in analyzer tests. Every builder takes overrides so a test states only what it is about.
 */
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../middleware/schema.js';

export type Line = Record<string, unknown>;

export interface LineContext {
  runId?: string;
  service?: string;
  host?: string;
  pid?: number;
}

const BASE_TIME = Date.UTC(2025, 0, 15, 12, 0, 0);

export function logLines(ctx: LineContext = {}) {
  const runId = ctx.runId ?? 'run-1';
  let seq = 0;
  const base = (event: string | undefined, time: number, extra: Line): Line => ({
    [F.time]: time,
    [F.level]: 'info',
    [F.msg]: event ?? 'app line',
    ...(event === undefined ? {} : { [F.event]: event }),
    [F.schema]: SCHEMA_VERSION,
    [F.service]: ctx.service ?? 'taskoverflow',
    [F.host]: ctx.host ?? 'host-a',
    [F.pid]: ctx.pid ?? 4242,
    ...extra,
  });
  const scope = (requestId: string | undefined, runOverride?: string | null): Line => ({
    [F.requestId]: requestId ?? `req-${++seq}`,
    ...(runOverride === null ? {} : { [F.runId]: runOverride ?? runId }),
  });

  return {
    baseTime: BASE_TIME,
    at: (offsetMs: number) => BASE_TIME + offsetMs,
    start(o: { id?: string; t?: number; method?: string; path?: string; run?: string | null } = {}): Line {
      return base(EVENTS.requestStart, o.t ?? BASE_TIME, {
        ...scope(o.id, o.run),
        [F.method]: o.method ?? 'GET',
        [F.path]: o.path ?? '/api/v1/todos',
      });
    },
    finish(
      o: {
        id?: string;
        t?: number;
        method?: string;
        path?: string;
        route?: string | null;
        status?: number;
        ms?: number;
        dbMs?: number;
        dbQueries?: number;
        poolWaitMs?: number;
        run?: string | null;
      } = {},
    ): Line {
      const path = o.path ?? '/api/v1/todos';
      return base(EVENTS.requestFinish, o.t ?? BASE_TIME, {
        ...scope(o.id, o.run),
        [F.method]: o.method ?? 'GET',
        [F.path]: path,
        ...(o.route === null ? {} : { [F.route]: o.route ?? path }),
        [F.status]: o.status ?? 200,
        [F.durationMs]: o.ms ?? 10,
        [F.bytesOut]: 100,
        [F.dbMs]: o.dbMs ?? 0,
        [F.dbQueries]: o.dbQueries ?? 0,
        [F.poolWaitMs]: o.poolWaitMs ?? 0,
      });
    },
    abort(o: { id?: string; t?: number; method?: string; path?: string; route?: string; ms?: number } = {}): Line {
      return base(EVENTS.requestAbort, o.t ?? BASE_TIME, {
        ...scope(o.id),
        [F.method]: o.method ?? 'GET',
        [F.path]: o.path ?? '/api/v1/todos',
        ...(o.route === undefined ? {} : { [F.route]: o.route }),
        [F.durationMs]: o.ms ?? 5000,
      });
    },
    error(o: { id: string; t?: number; method?: string; path?: string; route?: string; status?: number; message: string }): Line {
      return base(EVENTS.requestError, o.t ?? BASE_TIME, {
        ...scope(o.id),
        [F.level]: 'error',
        [F.method]: o.method ?? 'GET',
        [F.path]: o.path ?? '/api/v1/todos',
        ...(o.route === undefined ? {} : { [F.route]: o.route }),
        [F.status]: o.status ?? 500,
        [F.err]: { type: 'Error', message: o.message },
      });
    },
    dbQuery(o: { id: string; t?: number; sql?: string; dbMs?: number; poolWaitMs?: number; rows?: number }): Line {
      return base(EVENTS.dbQuery, o.t ?? BASE_TIME, {
        ...scope(o.id),
        [F.sql]: o.sql ?? 'select * from todos where id = $1',
        [F.dbMs]: o.dbMs ?? 2,
        [F.poolWaitMs]: o.poolWaitMs ?? 0,
        [F.rows]: o.rows ?? 1,
      });
    },
    app(o: { id: string; t?: number; msg: string }): Line {
      return { ...base(undefined, o.t ?? BASE_TIME, scope(o.id)), [F.msg]: o.msg };
    },
    runtime(o: { t?: number; elP99?: number; elMax?: number; elu?: number; inFlight?: number; poolWaiting?: number } = {}): Line {
      return base(EVENTS.runtimeStats, o.t ?? BASE_TIME, {
        [F.elu]: o.elu ?? 0.2,
        [F.elDelayP50Ms]: 1,
        [F.elDelayP99Ms]: o.elP99 ?? 5,
        [F.elDelayMaxMs]: o.elMax ?? 10,
        [F.heapUsedMb]: 50,
        [F.inFlight]: o.inFlight ?? 3,
        [F.poolTotal]: 10,
        [F.poolIdle]: 5,
        [F.poolWaiting]: o.poolWaiting ?? 0,
      });
    },
    dropped(o: { t?: number; dropped: number; reason?: string }): Line {
      return base(EVENTS.logDropped, o.t ?? BASE_TIME, {
        [F.level]: 'warn',
        [F.dropped]: o.dropped,
        [F.reason]: o.reason ?? 'queue full',
        [F.sink]: 'cloudwatch',
      });
    },
  };
}

export function toNdjson(lines: Line[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
