/**
 * instrumentPool(): node-postgres instrumentation by wrapping the pool's connect (pool.query goes through it too)
 * and the query method of each client it hands out. One db.query line per query (SQL text only: parameter values
 * are never read), per-request totals into the request context, and a clear PoolTimeoutError when waiting for a
 * connection timed out, so the application can answer 503 instead of a generic 500.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { currentState } from './context.js';
import type { RequestState } from './context.js';
import { maskPostgresValues } from './db-error-masking.js';
import { PoolTimeoutError } from './errors.js';
import { getBaseLogger } from './get-logger.js';
import { elapsedMs, round3, scopeFields } from './lines.js';
import { EVENTS, FIELDS } from './schema.js';
import type { SerializedError } from './schema.js';

const INSTRUMENTED = Symbol('logjam.instrumented');
/** Time the current checkout waited for its connection: reported on the first query of the checkout. */
const PENDING_WAIT_MS = Symbol('logjam.pendingWaitMs');
const MAX_SQL_LENGTH = 4096;

/** pg-pool's messages when connectionTimeoutMillis expires (waiting in the queue / opening a new connection). */
const POOL_TIMEOUT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
];

type Callback = (err: Error | undefined, client?: PoolClient, done?: (release?: unknown) => void) => void;
type QueryFn = (...args: unknown[]) => unknown;
interface InstrumentedClient extends PoolClient {
  [INSTRUMENTED]?: true;
  [PENDING_WAIT_MS]?: number;
}

export function instrumentPool<P extends Pool>(pool: P, options: { logger?: Logger } = {}): P {
  const target = pool as P & { [INSTRUMENTED]?: true };
  if (target[INSTRUMENTED]) return pool;
  target[INSTRUMENTED] = true;

  const lines = new DbLines(pool, options.logger);
  const originalConnect = pool.connect.bind(pool) as (cb?: Callback) => Promise<PoolClient> | undefined;

  function connect(cb?: Callback): Promise<PoolClient> | undefined {
    const state = currentState();
    const startNs = process.hrtime.bigint();
    const settle = (err: Error | undefined, client: PoolClient | undefined): Error | undefined => {
      const waitedMs = elapsedMs(startNs);
      if (err !== undefined) {
        if (!POOL_TIMEOUT_MESSAGES.includes(err.message)) return err;
        lines.poolTimeout(state, waitedMs);
        return new PoolTimeoutError(waitedMs, { cause: err });
      }
      const instrumented = client as InstrumentedClient;
      instrumentClient(instrumented, lines);
      instrumented[PENDING_WAIT_MS] = waitedMs;
      if (state !== undefined) state.poolWaitMs += waitedMs;
      return undefined;
    };

    if (typeof cb === 'function') {
      // pg-pool calls queued callbacks from whichever request released a client: run the caller's callback in the
      // caller's own async context, or the request context would leak between requests.
      const inCallerContext = AsyncResource.bind(cb);
      originalConnect((err, client, done) => inCallerContext(settle(err ?? undefined, client), client, done));
      return undefined;
    }
    return (originalConnect() as Promise<PoolClient>).then(
      (client) => {
        settle(undefined, client);
        return client;
      },
      (err: Error) => {
        throw settle(err, undefined);
      },
    );
  }

  pool.connect = connect as P['connect'];
  return pool;
}

function instrumentClient(client: InstrumentedClient, lines: DbLines): void {
  if (client[INSTRUMENTED]) return;
  client[INSTRUMENTED] = true;
  const original = client.query as unknown as QueryFn;

  const query = function instrumentedQuery(this: InstrumentedClient, ...args: unknown[]): unknown {
    const first = args[0] as { text?: unknown; submit?: unknown } | string | undefined;
    // Submittables (cursors, query streams) report their own completion: passed through, not timed.
    if (typeof first === 'object' && first !== null && typeof first.submit === 'function') {
      return original.apply(this, args);
    }
    const state = currentState();
    const sql = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
    const poolWaitMs = this[PENDING_WAIT_MS] ?? 0;
    this[PENDING_WAIT_MS] = 0;
    const startNs = process.hrtime.bigint();
    const done = (err: unknown, result: unknown): void => {
      try {
        lines.query(state, sql, elapsedMs(startNs), poolWaitMs, err, result);
      } catch {
        // Instrumentation must never break a query.
      }
    };

    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, result: unknown) => void;
      args[args.length - 1] = (err: unknown, result: unknown) => {
        done(err, result);
        callback(err, result);
      };
      return original.apply(this, args);
    }
    return (original.apply(this, args) as Promise<unknown>).then(
      (result) => {
        done(undefined, result);
        return result;
      },
      (err: unknown) => {
        done(err, undefined);
        throw err;
      },
    );
  };
  client.query = query as unknown as PoolClient['query'];
}

/** Writes the db.* lines and the per-request totals. */
class DbLines {
  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger | undefined,
  ) {}

  query(state: RequestState | undefined, sql: string, dbMs: number, poolWaitMs: number, err: unknown, result: unknown) {
    if (state !== undefined) {
      state.dbMs += dbMs;
      state.dbQueries++;
    }
    const fields = this.fields(state, EVENTS.dbQuery);
    fields[FIELDS.sql] = sql.length > MAX_SQL_LENGTH ? `${sql.slice(0, MAX_SQL_LENGTH)}…` : sql;
    fields[FIELDS.dbMs] = round3(dbMs);
    fields[FIELDS.poolWaitMs] = round3(poolWaitMs);
    if (err !== undefined && err !== null) {
      fields[FIELDS.err] = serializeDbError(err);
      this.loggerFor(state).warn(fields, 'query failed');
      return;
    }
    const rows = rowsOf(result);
    if (rows !== undefined) fields[FIELDS.rows] = rows;
    this.loggerFor(state).info(fields, 'query');
  }

  poolTimeout(state: RequestState | undefined, waitedMs: number) {
    const fields = this.fields(state, EVENTS.dbPoolTimeout);
    fields[FIELDS.poolWaitMs] = round3(waitedMs);
    fields[FIELDS.poolTotal] = this.pool.totalCount;
    fields[FIELDS.poolIdle] = this.pool.idleCount;
    fields[FIELDS.poolWaiting] = this.pool.waitingCount;
    const poolMax = poolMaxOf(this.pool);
    if (poolMax !== undefined) fields[FIELDS.poolMax] = poolMax;
    this.loggerFor(state).warn(fields, 'timed out waiting for a database connection');
  }

  private fields(state: RequestState | undefined, event: string): Record<string, unknown> {
    return state !== undefined ? scopeFields(state, event) : { [FIELDS.event]: event };
  }

  private loggerFor(state: RequestState | undefined): Logger {
    return state?.baseLogger ?? this.logger ?? getBaseLogger();
  }
}

/** The most connections the pool opens (pg-pool's options.max, 10 unless set): capacity math needs it. */
export function poolMaxOf(pool: Pool): number | undefined {
  const max = (pool as { options?: { max?: unknown } }).options?.max;
  return typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : undefined;
}

function rowsOf(result: unknown): number | undefined {
  if (Array.isArray(result)) {
    // A multi-statement query answers one result per statement.
    let total = 0;
    for (const r of result) total += rowsOf(r) ?? 0;
    return total;
  }
  const r = result as Partial<QueryResult> | undefined;
  if (typeof r?.rowCount === 'number') return r.rowCount;
  return Array.isArray(r?.rows) ? r.rows.length : undefined;
}

/** A failed query's error for the db.query line: PostgreSQL's quoted values masked (see db-error-masking.ts). */
export function serializeDbError(err: unknown): SerializedError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; code?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const out: SerializedError = {
    type: err instanceof Error ? err.constructor.name || err.name : typeof err,
    message: maskPostgresValues(message, err),
  };
  if (typeof e.code === 'string') out.code = e.code;
  return out;
}
