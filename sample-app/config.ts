/**
 * TaskOverflow's configuration: environment variables only (twelve-factor; ECS task definitions set env). One table
 * drives parsing, validation and the `logjam app --help` text, so the help can never drift from the code.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LogjamError } from '../common/errors.js';
import { projectRoot } from '../common/project-root.js';

export type DatabaseSsl = 'off' | 'require' | 'verify-full';

export interface Knobs {
  /** N_PLUS_ONE: list = one query for the ids, then one query per todo. */
  nPlusOne: boolean;
  /** CPU_WORK_MS: synchronous busy loop of this much CPU time (ms) per request (blocks the event loop). 0 = off. */
  cpuWorkMs: number;
  /** SLOW_QUERY_MS: an extra pg_sleep query per request (holds a pool connection). 0 = off. */
  slowQueryMs: number;
  /** KNOB_ROUTE: `METHOD /template` — CPU_WORK_MS and SLOW_QUERY_MS apply to that route only (one slowed route). */
  route?: string;
}

export interface AppConfig {
  port: number;
  host: string;
  logFile?: string;
  /** LOG_STDOUT: write the log lines to stdout (default true). */
  logStdout: boolean;
  /** LOGJAM_CLOUDWATCH_LOG_GROUP: the middleware ships the lines there itself (it reads the variable). */
  cloudWatchLogGroup?: string;
  serviceName: string;
  databaseUrl?: string;
  /**
   * PGHOST: a real server reached through the PG* variables (PGPORT, PGDATABASE, PGUSER, PGPASSWORD), which
   * node-postgres reads from the environment itself when no connection string is given. DATABASE_URL wins when both
   * are set. The other PG* values are never copied into the config: the password stays where the platform put it.
   */
  pgHost?: string;
  databaseSsl: DatabaseSsl;
  databaseSslCa?: string;
  dbPoolMax: number;
  dbAcquireTimeoutMs: number;
  dbStatementTimeoutMs: number;
  webConcurrency: number;
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  pgDataDir: string;
  pgPort?: number;
  production: boolean;
  knobs: Knobs;
}

/** Bad configuration: one message per bad variable. The CLI prints them and exits 2. */
export class ConfigError extends LogjamError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('LJ_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'see `logjam app --help` for every variable and its default',
    });
    this.problems = problems;
  }
}


type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
type Parser<T> = (raw: string) => Parsed<T>;

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^\d+$/.test(raw)) return { ok: false, problem: `must be a whole number from ${min} to ${max}` };
    const value = Number(raw);
    return value >= min && value <= max ? { ok: true, value } : { ok: false, problem: `must be from ${min} to ${max}` };
  };
}

/** A decimal such as 7 or 7.25 (the lab calibrates CPU work to fractions of a millisecond). */
function decimal(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^\d+(\.\d+)?$/.test(raw)) return { ok: false, problem: `must be a number from ${min} to ${max} (e.g. 7 or 7.5)` };
    const value = Number(raw);
    return value >= min && value <= max ? { ok: true, value } : { ok: false, problem: `must be from ${min} to ${max}` };
  };
}

const text: Parser<string> = (raw) => ({ ok: true, value: raw });
/** `METHOD /path/template` (one space; `:name` segments are parameters, as in the logged `route`) */
const knobRoute: Parser<string> = (raw) => {
  const m = /^(GET|POST|PUT|PATCH|DELETE) +(\/[A-Za-z0-9_:./-]*)$/.exec(raw);
  return m ? { ok: true, value: `${m[1]} ${m[2]}` } : { ok: false, problem: 'must be a method and a route template, e.g. "GET /api/v1/todos/:id"' };
};

const flag: Parser<boolean> = (raw) => {
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return { ok: true, value: true };
  if (['0', 'false', 'no', 'off', ''].includes(raw.toLowerCase())) return { ok: true, value: false };
  return { ok: false, problem: 'must be 1 or 0 (true/false)' };
};

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) =>
    (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, problem: `must be one of: ${values.join(', ')}` };
}

const databaseUrl: Parser<string> = (raw) => {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return { ok: false, problem: 'must be a postgres:// URL' };
    return { ok: true, value: raw };
  } catch {
    // never echo the value: it usually holds a password
    return { ok: false, problem: 'is not a valid URL (postgres://user:password@host:5432/db)' };
  }
};

export interface EnvVar {
  name: string;
  /** shown in --help; undefined = no default (unset) */
  default?: string;
  meaning: string;
}

/** Each variable: its doc row and how it lands in AppConfig. */
interface EnvSpec<T> extends EnvVar {
  parse: Parser<T>;
  apply(config: AppConfig, value: T): void;
}

function spec<T>(s: EnvSpec<T>): EnvSpec<unknown> {
  return s as EnvSpec<unknown>;
}

const SPECS: EnvSpec<unknown>[] = [
  spec({ name: 'PORT', default: '3000', meaning: 'HTTP port (0 = any free port)', parse: integer(0, 65535), apply: (c, v) => (c.port = v) }),
  spec({ name: 'HOST', default: '0.0.0.0', meaning: 'address to listen on', parse: text, apply: (c, v) => (c.host = v) }),
  spec({ name: 'LOG_FILE', meaning: 'also append the NDJSON log lines to this file', parse: text, apply: (c, v) => (c.logFile = v || undefined) }),
  spec({ name: 'LOG_STDOUT', default: '1', meaning: 'write the NDJSON log lines to stdout; 0 = not (with the direct CloudWatch transport behind the awslogs driver, 1 would put every line in CloudWatch twice). 0 needs LOG_FILE or LOGJAM_CLOUDWATCH_LOG_GROUP', parse: flag, apply: (c, v) => (c.logStdout = v) }),
  spec({ name: 'LOGJAM_CLOUDWATCH_LOG_GROUP', meaning: "also ship the log lines straight to this CloudWatch Logs group (logjam's transport; AWS credentials and region from the SDK's usual chain)", parse: text, apply: (c, v) => (c.cloudWatchLogGroup = v) }),
  spec({ name: 'LOGJAM_CLOUDWATCH_CREATE_GROUP', default: '1', meaning: 'may that transport create the group when it is missing (its stream is always created); 0 when terraform owns the group and the role may not create groups', parse: flag, apply: () => undefined }),
  spec({ name: 'SERVICE_NAME', default: 'taskoverflow', meaning: '`service` field of every log line', parse: text, apply: (c, v) => (c.serviceName = v) }),
  spec({ name: 'DATABASE_URL', meaning: 'postgres://user:pass@host:5432/db of a real server or RDS (wins over PGHOST); neither this nor PGHOST = start an embedded PostgreSQL (not allowed when NODE_ENV=production)', parse: databaseUrl, apply: (c, v) => (c.databaseUrl = v) }),
  // node-postgres reads PGPORT/PGDATABASE/PGUSER/PGPASSWORD itself: they are validated and documented here, not copied.
  spec({ name: 'PGHOST', meaning: 'instead of DATABASE_URL: the database host, with PGPORT, PGDATABASE, PGUSER, PGPASSWORD (the ECS task gets these; the user and password from Secrets Manager)', parse: text, apply: (c, v) => (c.pgHost = v) }),
  spec({ name: 'PGPORT', default: '5432', meaning: 'with PGHOST: the database port', parse: integer(1, 65535), apply: () => undefined }),
  spec({ name: 'PGDATABASE', default: 'the user name', meaning: 'with PGHOST: the database name', parse: text, apply: () => undefined }),
  spec({ name: 'PGUSER', default: 'the OS user', meaning: 'with PGHOST: the database user', parse: text, apply: () => undefined }),
  spec({ name: 'PGPASSWORD', meaning: 'with PGHOST: the password (never printed)', parse: text, apply: () => undefined }),
  spec<DatabaseSsl>({ name: 'DATABASE_SSL', default: 'off', meaning: "TLS to the database: off | require (encrypted, server not verified) | verify-full (RDS: verify the certificate and host name)", parse: oneOf(['off', 'require', 'verify-full'] as const), apply: (c, v) => (c.databaseSsl = v) }),
  spec({ name: 'DATABASE_SSL_CA', meaning: 'PEM CA bundle for verify-full, e.g. the RDS global bundle global-bundle.pem (default: the system CAs)', parse: text, apply: (c, v) => (c.databaseSslCa = v || undefined) }),
  spec({ name: 'DB_POOL_MAX', default: '10', meaning: 'connections per worker process (DB_POOL_MAX=1 is the tiny-pool knob)', parse: integer(1, 1000), apply: (c, v) => (c.dbPoolMax = v) }),
  spec({ name: 'DB_ACQUIRE_TIMEOUT_MS', default: '2000', meaning: 'longest wait for a pool connection; then 503 {"error":"database busy"} and a db.pool_timeout line', parse: integer(1, 600_000), apply: (c, v) => (c.dbAcquireTimeoutMs = v) }),
  spec({ name: 'DB_STATEMENT_TIMEOUT_MS', default: '5000', meaning: 'PostgreSQL statement_timeout: a longer query is cancelled (503 {"error":"database timeout"})', parse: integer(1, 3_600_000), apply: (c, v) => (c.dbStatementTimeoutMs = v) }),
  spec({ name: 'WEB_CONCURRENCY', default: '1', meaning: 'worker processes (node:cluster), like gunicorn --workers; a worker that dies is replaced', parse: integer(1, 64), apply: (c, v) => (c.webConcurrency = v) }),
  spec({ name: 'SHUTDOWN_TIMEOUT_MS', default: '10000', meaning: 'on SIGTERM/SIGINT, how long in-flight requests get to finish before connections are cut', parse: integer(0, 600_000), apply: (c, v) => (c.shutdownTimeoutMs = v) }),
  spec({ name: 'KEEP_ALIVE_TIMEOUT_MS', default: '65000', meaning: 'idle keep-alive timeout; must exceed the load balancer idle timeout (ALB: 60 s) so the LB, not us, closes idle connections (else 502s)', parse: integer(1, 3_600_000), apply: (c, v) => (c.keepAliveTimeoutMs = v) }),
  spec({ name: 'HEADERS_TIMEOUT_MS', default: '10000', meaning: 'time allowed to receive the request headers (slowloris bound)', parse: integer(1, 3_600_000), apply: (c, v) => (c.headersTimeoutMs = v) }),
  spec({ name: 'REQUEST_TIMEOUT_MS', default: '30000', meaning: 'time allowed to receive the whole request (0 is not allowed: unbounded)', parse: integer(1, 3_600_000), apply: (c, v) => (c.requestTimeoutMs = v) }),
  spec({ name: 'N_PLUS_ONE', default: '0', meaning: 'knob: GET /api/v1/todos selects the ids, then runs one query per todo (db_queries grows with the list)', parse: flag, apply: (c, v) => (c.knobs.nPlusOne = v) }),
  spec({ name: 'CPU_WORK_MS', default: '0', meaning: 'knob: synchronous busy loop of N ms of CPU time (fractions allowed) per /api/v1/todos request, blocking the event loop like a sync worker (runtime.stats el_delay_*)', parse: decimal(0, 60_000), apply: (c, v) => (c.knobs.cpuWorkMs = v) }),
  spec({ name: 'SLOW_QUERY_MS', default: '0', meaning: 'knob: an extra `select pg_sleep(N/1000)` per /api/v1/todos request: the database is the bottleneck (db_ms, then pool_wait_ms)', parse: integer(0, 600_000), apply: (c, v) => (c.knobs.slowQueryMs = v) }),
  spec({ name: 'KNOB_ROUTE', meaning: 'knob scope: `METHOD /template` as logged in `route` (e.g. "GET /api/v1/todos/:id"): CPU_WORK_MS and SLOW_QUERY_MS apply to that route only, the others stay fast (unset: every /api/v1/todos request)', parse: knobRoute, apply: (c, v) => (c.knobs.route = v) }),
  spec({ name: 'PG_DATA_DIR', default: '.data/postgres (under the project folder)', meaning: 'embedded PostgreSQL data folder (delete it to reset the database)', parse: text, apply: (c, v) => (c.pgDataDir = resolve(v)) }),
  spec({ name: 'PG_PORT', meaning: 'embedded PostgreSQL port (default: a free port); not PGPORT, which is the port of a real server given by PGHOST', parse: integer(1, 65535), apply: (c, v) => (c.pgPort = v) }),
  spec({ name: 'NODE_ENV', meaning: 'production = DATABASE_URL or PGHOST is required (the container never starts an embedded database)', parse: text, apply: (c, v) => (c.production = v === 'production') }),
];

/** The documented variables, in --help order. */
export const ENV_VARS: readonly EnvVar[] = SPECS.map(({ name, default: d, meaning }) => ({ name, default: d, meaning }));

function defaults(): AppConfig {
  return {
    port: 3000,
    host: '0.0.0.0',
    logStdout: true,
    serviceName: 'taskoverflow',
    databaseSsl: 'off',
    dbPoolMax: 10,
    dbAcquireTimeoutMs: 2000,
    dbStatementTimeoutMs: 5000,
    webConcurrency: 1,
    shutdownTimeoutMs: 10_000,
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    pgDataDir: join(projectRoot(), '.data', 'postgres'),
    production: false,
    knobs: { nPlusOne: false, cpuWorkMs: 0, slowQueryMs: 0 },
  };
}

/** Cross-field rules, shared by parseConfig and startApp overrides. */
export function checkConfig(config: AppConfig): void {
  const problems: string[] = [];
  if (config.production && !config.databaseUrl && !config.pgHost) {
    problems.push(
      'DATABASE_URL or PGHOST (with PGPORT, PGDATABASE, PGUSER, PGPASSWORD) is required when NODE_ENV=production (the embedded PostgreSQL is for local runs only)',
    );
  }
  if (!config.logStdout && !config.logFile && !config.cloudWatchLogGroup) {
    problems.push('LOG_STDOUT=0 needs another destination for the log lines (LOG_FILE or LOGJAM_CLOUDWATCH_LOG_GROUP): every line would be discarded');
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS');
  }
  if (config.databaseSslCa && config.databaseSsl !== 'verify-full') {
    problems.push('DATABASE_SSL_CA is only used with DATABASE_SSL=verify-full');
  }
  if (config.databaseSslCa && !existsSync(config.databaseSslCa)) {
    problems.push(`DATABASE_SSL_CA: no such file: ${config.databaseSslCa}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Parse and validate the environment. Throws ConfigError listing every bad variable (never echoing secrets). */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config = defaults();
  const problems: string[] = [];
  for (const s of SPECS) {
    const raw = env[s.name];
    // empty = unset (`DATABASE_URL= logjam app`, blank lines in env files)
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = s.parse(raw.trim());
    if (parsed.ok) s.apply(config, parsed.value);
    else problems.push(`${s.name} ${parsed.problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  checkConfig(config);
  return config;
}

/** The environment section of `logjam app --help`, from the same table. */
export function envHelpText(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  const lines = ENV_VARS.map((v) => {
    const dflt = v.default === undefined ? 'unset' : `default ${v.default}`;
    return `  ${v.name.padEnd(width)}  (${dflt}) ${v.meaning}`;
  });
  return `\nEnvironment variables:\n${lines.join('\n')}\n`;
}
