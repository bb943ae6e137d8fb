/**
 * The node-postgres pool, configured on purpose: bounded size, a bounded wait for a connection (pg's
 * connectionTimeoutMillis, which instrumentPool turns into PoolTimeoutError -> 503), a server-side statement
 * timeout, and an application_name so pg_stat_activity shows who holds the connections.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Logger } from 'pino';
import { instrumentPool } from '../../middleware/index.js';
import type { AppConfig } from '../config.js';

export function sslOptions(config: Pick<AppConfig, 'databaseSsl' | 'databaseSslCa'>): false | ConnectionOptions {
  switch (config.databaseSsl) {
    case 'off':
      return false;
    case 'require':
      // like libpq sslmode=require: encrypted, certificate not checked
      return { rejectUnauthorized: false };
    case 'verify-full':
      // RDS: its CA bundle is not in Node's default store, hence DATABASE_SSL_CA; the host name is checked too
      return { rejectUnauthorized: true, ...(config.databaseSslCa ? { ca: readFileSync(config.databaseSslCa, 'utf8') } : {}) };
  }
}

export interface PoolSettings {
  /** undefined: node-postgres takes host, port, database, user and password from PGHOST, PGPORT… */
  databaseUrl?: string;
  databaseSsl: AppConfig['databaseSsl'];
  databaseSslCa?: string;
  dbPoolMax: number;
  dbAcquireTimeoutMs: number;
  dbStatementTimeoutMs: number;
  serviceName: string;
}

/** A plain pool (no instrumentation): for migrations in the cluster primary, which serves no requests. */
export function createRawPool(settings: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    ...(settings.databaseUrl ? { connectionString: settings.databaseUrl } : {}),
    ssl: sslOptions(settings),
    max: settings.dbPoolMax,
    connectionTimeoutMillis: settings.dbAcquireTimeoutMs,
    statement_timeout: settings.dbStatementTimeoutMs,
    application_name: settings.serviceName.slice(0, 63),
    idleTimeoutMillis: 30_000,
  });
  return pool;
}

/** The request-serving pool: instrumented (db.query lines, per-request db_ms/pool_wait_ms, PoolTimeoutError). */
export function createPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = createRawPool(settings);
  // An idle client's connection can drop (server restart, failover): without a listener pg's 'error' event would
  // crash the process. The pool discards that client and the next query opens a new connection.
  pool.on('error', (err) => logger.warn({ err }, `idle database connection failed: ${err.message}`));
  return instrumentPool(pool, { logger });
}
