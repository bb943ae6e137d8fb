/**
 * Running TaskOverflow: `startApp` (one process: database, migrations, HTTP server; for tests and the lab) and
 * `startServer` (the `logjam app` entry: one process, or a node:cluster primary with WEB_CONCURRENCY workers).
 *
 * Lifecycle of one serving process: logger -> database (DATABASE_URL, PG* variables or embedded) -> pool -> migrations -> runtime
 * stats -> listen -> service.start. Shutdown reverses it after draining: service.stop -> drain -> stats -> pool ->
 * logger flush -> embedded database. stdout carries the NDJSON lines (unless LOG_STDOUT=0); messages for people go to
 * stderr.
 */
import cluster, { type Worker } from 'node:cluster';
import {
  EVENTS,
  FIELDS,
  closeLogger,
  createLogger,
  inFlightRequests,
  runtimeStats,
  serviceStartFields,
} from '../middleware/index.js';
import { createApp } from './app.js';
import { checkConfig, parseConfig, type AppConfig } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { runMigrations } from './db/migrations.js';
import { createPool, createRawPool, type PoolSettings } from './db/pool.js';
import { createHttpServer, drain, listen } from './http-server.js';

export type Say = (message: string) => void;
const stderrSay: Say = (message) => process.stderr.write(`[taskoverflow] ${message}\n`);

export interface RunningApp {
  /** http://127.0.0.1:<port> (loopback even when listening on 0.0.0.0: what a local client should call). */
  url: string;
  port: number;
  /** The connection URL (DATABASE_URL or the embedded database's); undefined when the PG* variables are used. */
  databaseUrl?: string;
  logFile?: string;
  /** Graceful shutdown (idempotent). */
  stop(reason?: string): Promise<void>;
  /** Settles when the app has stopped, whoever stopped it. */
  readonly stopped: Promise<void>;
}

export interface StartAppOptions {
  /**
   * Base environment for the config (default process.env); `overrides` win over it. With PGHOST, node-postgres
   * reads the PG* connection variables from process.env itself, not from here.
   */
  env?: NodeJS.ProcessEnv;
  /** Write log lines to stdout (default: LOG_STDOUT, else true). The lab turns it off and reads LOG_FILE. */
  logStdout?: boolean;
  /** Shut down on SIGTERM/SIGINT (default false: the caller owns signals). */
  handleSignals?: boolean;
  /** Which signals, when handleSignals (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
  /** Apply migrations (default true; cluster workers skip: their primary did it). */
  migrate?: boolean;
  say?: Say;
}

interface Database {
  /** undefined: node-postgres connects with the PG* environment variables. */
  url: string | undefined;
  stop(): Promise<void>;
}

async function openDatabase(config: AppConfig, say: Say): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  // ECS hands the task PGHOST/PGPORT/PGDATABASE and, from Secrets Manager, PGUSER/PGPASSWORD: no URL to assemble,
  // and the password is never copied anywhere node-postgres does not need it.
  if (config.pgHost) return { url: undefined, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: config.pgDataDir, port: config.pgPort, say });
  return { url: embedded.url, stop: () => embedded.stop() };
}

function poolSettings(config: AppConfig, databaseUrl: string | undefined): PoolSettings {
  return { ...config, databaseUrl };
}

/** Where the log lines go, for the start-up message on stderr. */
function logDestinations(config: AppConfig, stdout: boolean): string {
  const where = [stdout ? 'stdout' : undefined, config.logFile, config.cloudWatchLogGroup ? `CloudWatch group ${config.cloudWatchLogGroup}` : undefined];
  return where.filter((w): w is string => w !== undefined).join(' and ');
}

async function migrate(settings: PoolSettings, say: Say): Promise<void> {
  const pool = createRawPool({ ...settings, dbPoolMax: 1 });
  try {
    const applied = await runMigrations(pool);
    if (applied.length > 0) say(`migrations applied: ${applied.join(', ')}`);
  } finally {
    await pool.end();
  }
}

/** Start one serving process. Resources opened before a failure are released before the error is rethrown. */
export async function startApp(overrides: Partial<AppConfig> = {}, options: StartAppOptions = {}): Promise<RunningApp> {
  const base = parseConfig(options.env ?? process.env);
  const config: AppConfig = { ...base, ...overrides, knobs: { ...base.knobs, ...overrides.knobs } };
  checkConfig(config);
  const say = options.say ?? stderrSay;

  const logStdout = options.logStdout ?? config.logStdout;
  const logger = createLogger({ service: config.serviceName, file: config.logFile, stdout: logStdout });
  const cleanups: (() => Promise<unknown>)[] = [() => closeLogger(logger)];
  const unwind = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const db = await openDatabase(config, say);
    cleanups.push(() => db.stop());
    const settings = poolSettings(config, db.url);
    if (options.migrate ?? true) await migrate(settings, say);
    const pool = createPool(settings, logger);
    cleanups.push(() => pool.end());
    const stats = runtimeStats({ logger, pool });
    cleanups.push(async () => stats.stop());

    let draining = false;
    const app = createApp({ pool, logger, knobs: config.knobs, isDraining: () => draining });
    const server = createHttpServer(app, config);
    const address = await listen(server, config.port, config.host);
    const url = `http://127.0.0.1:${address.port}`;
    // The facts capacity math needs (CPUs, memory limit, Node, pool max, workers): the analyzer sizes from these.
    const workers = cluster.isWorker ? config.webConcurrency : undefined;
    logger.info(serviceStartFields({ pool, workers }), `listening on port ${address.port}`);
    say(`listening on ${url} (log lines: ${logDestinations(config, logStdout)})`);

    let resolveStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
    let stopping: Promise<void> | undefined;

    const shutdown = async (reason: string): Promise<void> => {
      draining = true;
      logger.info(
        { [FIELDS.event]: EVENTS.serviceStop, [FIELDS.reason]: reason, [FIELDS.inFlight]: inFlightRequests() },
        `shutting down (${reason}): draining in-flight requests for up to ${config.shutdownTimeoutMs} ms`,
      );
      const { cut } = await drain(server, config.shutdownTimeoutMs, inFlightRequests);
      if (cut > 0) logger.warn({ [FIELDS.reason]: 'shutdown timeout' }, `${cut} connection(s) still busy after ${config.shutdownTimeoutMs} ms were cut`);
      stats.stop();
      await pool.end();
      logger.info(`stopped (${reason})`);
      const { flushed } = await closeLogger(logger);
      if (!flushed) say('some log lines could not be flushed before the shutdown bound (see the sink counters)');
      await db.stop();
    };

    const stop = (reason = 'stop'): Promise<void> => {
      stopping ??= shutdown(reason).finally(() => {
        if (options.handleSignals) removeSignals();
        resolveStopped();
      });
      return stopping;
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      say(`${signal}: shutting down…`);
      void stop(signal);
    };
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    const removeSignals = (): void => {
      for (const signal of signals) process.off(signal, onSignal);
    };
    if (options.handleSignals) for (const signal of signals) process.on(signal, onSignal);
    return { url, port: address.port, databaseUrl: db.url, logFile: config.logFile, stop, stopped };
  } catch (err) {
    await unwind();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// node:cluster

/** More unexpected worker exits than this within the window: a crash loop, stop replacing and shut down. */
const CRASH_LOOP_EXITS = 10;
const CRASH_LOOP_WINDOW_MS = 60_000;
/** On top of the workers' own drain bound, before a worker that did not exit is killed. */
const WORKER_EXIT_GRACE_MS = 5000;

function workerExitFields(worker: Worker, code: number | null, signal: string | null, replaced: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { [FIELDS.event]: EVENTS.workerExit, [FIELDS.worker]: worker.id, [FIELDS.replaced]: replaced };
  if (code !== null) fields[FIELDS.exitCode] = code;
  if (signal !== null) fields[FIELDS.signal] = signal;
  return fields;
}

/**
 * The cluster primary: starts the database (when embedded) and migrates once, forks the workers (each re-runs this
 * entry point as a worker with the primary's environment, plus DATABASE_URL pointing at the embedded database when
 * there is one; with PGHOST the workers read the same PG* variables), replaces the ones that die, and on
 * SIGTERM/SIGINT stops the workers, then the database. Resolves when everything has stopped.
 */
async function runPrimary(config: AppConfig, say: Say, signalledEarly: () => NodeJS.Signals | undefined): Promise<number> {
  const logger = createLogger({ service: config.serviceName, file: config.logFile, stdout: config.logStdout });
  let db: Database | undefined;
  try {
    db = await openDatabase(config, say);
    await migrate(poolSettings(config, db.url), say);
  } catch (err) {
    signalledEarly();
    await db?.stop().catch(() => undefined);
    await closeLogger(logger);
    throw err;
  }
  const database = db;
  const early = signalledEarly();
  if (early) {
    say(`${early} during start-up: stopping`);
    await closeLogger(logger);
    await database.stop();
    return 0;
  }

  let shuttingDown = false;
  const unexpectedExits: number[] = [];
  const fork = (): Worker => cluster.fork(database.url ? { DATABASE_URL: database.url } : {});

  logger.info(serviceStartFields({ workers: config.webConcurrency }), `cluster primary starting ${config.webConcurrency} workers`);
  for (let i = 0; i < config.webConcurrency; i++) fork();

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  let exitCode = 0;

  const shutdown = async (reason: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ [FIELDS.event]: EVENTS.serviceStop, [FIELDS.reason]: reason }, `cluster primary shutting down (${reason})`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const killTimer = setTimeout(() => worker.process.kill('SIGKILL'), config.shutdownTimeoutMs + WORKER_EXIT_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(killTimer);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    logger.info(`cluster primary stopped (${reason})`);
    await closeLogger(logger);
    await database.stop().catch((err: Error) => say(`stopping the embedded PostgreSQL failed: ${err.message}`));
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    resolveDone(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    const replaced = !shuttingDown;
    logger.info(
      workerExitFields(worker, code, signal, replaced),
      `worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`})${replaced ? ', starting a new one' : ''}`,
    );
    if (!replaced) return;
    const now = Date.now();
    unexpectedExits.push(now);
    while (unexpectedExits.length > 0 && (unexpectedExits[0] as number) < now - CRASH_LOOP_WINDOW_MS) unexpectedExits.shift();
    if (unexpectedExits.length >= CRASH_LOOP_EXITS) {
      logger.error(`${unexpectedExits.length} worker exits within ${CRASH_LOOP_WINDOW_MS / 1000} s: crash loop, shutting down`);
      say('workers keep dying (see the log): shutting down');
      exitCode = 1;
      void shutdown('crash loop');
      return;
    }
    fork();
  });

  let announced = false;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    // PORT=0: the workers share one port the primary picked; this is where it is printed
    say(`listening on http://127.0.0.1:${address.port} (log lines: ${logDestinations(config, config.logStdout)})`);
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping the workers…`);
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  say(`cluster primary (pid ${process.pid}) started ${config.webConcurrency} workers`);
  return done;
}

/**
 * The `logjam app` entry. Resolves with the exit code once the service has stopped (after SIGTERM/SIGINT).
 * In a cluster worker this is the worker's whole life: serve until told to stop.
 */
export async function startServer(config: AppConfig, say: Say = stderrSay): Promise<number> {
  // A signal during start-up (initdb, migrations) must not kill the process before it can clean up (a detached
  // embedded PostgreSQL would be left running): remember it and stop as soon as the start completes.
  let early: NodeJS.Signals | undefined;
  const onEarlySignal = (signal: NodeJS.Signals): void => {
    early ??= signal;
  };
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
  const signalledEarly = (): NodeJS.Signals | undefined => {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
    return early;
  };

  if (cluster.isPrimary && config.webConcurrency > 1) return runPrimary(config, say, signalledEarly);
  const worker = cluster.isWorker;
  let running: RunningApp;
  try {
    if (worker) {
      // Ctrl-C reaches every process of the group: a worker leaves SIGINT to the primary, which stops the workers
      // (SIGTERM) knowing it is shutting down — else it could mistake a worker exiting first for a crash and replace it.
      process.on('SIGINT', () => {});
    }
    // A worker's messages would repeat once per worker: keep stderr for the primary.
    running = await startApp(config, {
      handleSignals: true,
      signals: worker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'],
      migrate: !worker,
      say: worker ? () => {} : say,
    });
  } finally {
    const signal = signalledEarly();
    if (signal) say(`${signal} during start-up: stopping`);
    early = signal;
  }
  if (early) void running.stop(early);
  await running.stopped;
  if (worker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
  return 0;
}
