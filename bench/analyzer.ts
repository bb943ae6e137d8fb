/**
 * Benchmark of the whole `logjam analyze` (the CLI on a file, the report to /dev/null) on a generated NDJSON log of
 * request lines, beside other ways to read the same log in the same run: a plain readline + JSON.parse loop
 * (counts lines, sums one field: the floor of "parse every line in JS"), jq (each line's route and status, when
 * /usr/bin/jq or a jq on PATH is there) and DuckDB (read_json + one GROUP BY route, status with count and quantiles, on 2
 * threads and on 1, when the dev dependency @duckdb/node-api loads). Every command runs in its own process; the
 * rounds interleave the commands (A B C A B C …) so the shared machine's noise falls on all of them, and each
 * figure is the median of the rounds with its spread (min–max). logjam runs at N/2 and N lines too: its peak RSS
 * must stay flat when the input doubles.
 * Run: `node dist/bench/analyzer.js [--smoke] [--lines N] [--rounds R] [--json]`.
 *
 * The log (generated once into os.tmpdir(), reused when present) holds request.finish lines only — realistic
 * ones: five routes, 2xx/4xx/5xx statuses, db and pool fields, ~1% suspicious paths, unmatched paths with ids,
 * one run id — plus a runtime.stats line per 1,000 requests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../middleware/schema.js';
// types only: the module itself is loaded when present (a dev dependency, absent from what users install)
import type * as DuckDB from '@duckdb/node-api';
import { BENCH_USAGE, handleBenchArgs } from './usage.js';

type DuckDBModule = typeof DuckDB;

export interface AnalyzerBenchOptions {
  /** request lines in the larger input (default 1,000,000; --smoke: 50,000) */
  lines?: number;
  /** interleaved rounds (default 3; --smoke: 1) */
  rounds?: number;
  smoke?: boolean;
  dir?: string;
}

/** One command on one log: the medians of its rounds, with the spread. */
export interface AnalyzerBenchRun {
  name: string;
  lines: number;
  bytes: number;
  /** median wall time of the whole process, and the fastest and slowest round */
  s: number;
  minS: number;
  maxS: number;
  mbPerS: number;
  /** median CPU time (user + system, every thread): steadier than wall time on a busy machine */
  cpuS: number | undefined;
  /** median peak RSS; undefined when it cannot be measured (jq without GNU time) */
  peakRssMb: number | undefined;
  /** this command's time / the JSON.parse loop's time on the same log (< 1: faster than the loop), by wall and CPU */
  vsJsonLoop?: number;
  cpuVsJsonLoop?: number;
}

export interface AnalyzerBenchResult {
  rounds: number;
  runs: AnalyzerBenchRun[];
  /** logjam's peak RSS at N divided by its peak RSS at N/2 (1.0 = flat) */
  rssRatio: number;
  /** why a comparison is missing (jq or DuckDB not there) */
  notes: string[];
}

const RUN_ID = 'bench-run';
const ROUTES = [
  { method: 'GET', route: '/api/v1/todos', path: () => '/api/v1/todos', weight: 40 },
  { method: 'GET', route: '/api/v1/todos/:id', path: (i: number) => `/api/v1/todos/${i % 5000}`, weight: 25 },
  { method: 'POST', route: '/api/v1/todos', path: () => '/api/v1/todos', weight: 15 },
  { method: 'PUT', route: '/api/v1/todos/:id', path: (i: number) => `/api/v1/todos/${i % 5000}`, weight: 10 },
  { method: 'DELETE', route: '/api/v1/todos/:id', path: (i: number) => `/api/v1/todos/${i % 5000}`, weight: 9 },
];

/** Deterministic pseudo-random numbers (the file is the same on every machine). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

async function generate(path: string, lines: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const rand = rng(42);
  const start = Date.UTC(2025, 0, 15, 12, 0, 0);
  const spanMs = 30 * 60 * 1000; // a 30-minute run
  let buf = '';
  for (let i = 0; i < lines; i++) {
    const time = start + Math.floor((i / lines) * spanMs);
    const pick = rand() * 100;
    let acc = 0;
    let r = ROUTES[0]!;
    for (const c of ROUTES) {
      acc += c.weight;
      if (pick < acc) {
        r = c;
        break;
      }
    }
    let path = r.path(i);
    let route: string | undefined = r.route;
    let status = r.method === 'POST' ? 201 : r.method === 'DELETE' ? 204 : 200;
    const roll = rand();
    if (roll < 0.01) {
      path = '/api/v1/todos/undefined';
      status = 400;
    } else if (roll < 0.02) {
      path = `/api/v1/legacy/${Math.floor(rand() * 1e6)}`;
      route = undefined;
      status = 404;
    } else if (roll < 0.025) status = 500;
    const poolWait = rand() < 0.2 ? rand() * 30 : 0;
    const dbMs = rand() * 8;
    const duration = dbMs + poolWait + rand() * rand() * 200 + 1;
    const line: Record<string, unknown> = {
      [F.time]: time,
      [F.level]: status >= 500 ? 'error' : 'info',
      [F.msg]: 'request finished',
      [F.event]: EVENTS.requestFinish,
      [F.schema]: SCHEMA_VERSION,
      [F.service]: 'taskoverflow',
      [F.host]: 'bench-host',
      [F.pid]: 1000 + (i % 4),
      [F.worker]: (i % 4) + 1,
      [F.requestId]: `req-${i.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`,
      [F.runId]: RUN_ID,
      [F.method]: r.method,
      [F.path]: path,
      ...(route === undefined ? {} : { [F.route]: route }),
      [F.status]: status,
      [F.durationMs]: Math.round(duration * 1000) / 1000,
      [F.bytesOut]: 200 + Math.floor(rand() * 2000),
      [F.dbMs]: Math.round(dbMs * 1000) / 1000,
      [F.dbQueries]: 1 + Math.floor(rand() * 3),
      [F.poolWaitMs]: Math.round(poolWait * 1000) / 1000,
    };
    buf += `${JSON.stringify(line)}\n`;
    if (i % 1000 === 999) {
      buf += `${JSON.stringify({
        [F.time]: time,
        [F.level]: 'info',
        [F.msg]: 'runtime stats',
        [F.event]: EVENTS.runtimeStats,
        [F.schema]: SCHEMA_VERSION,
        [F.service]: 'taskoverflow',
        [F.host]: 'bench-host',
        [F.pid]: 1000,
        [F.elu]: rand(),
        [F.elDelayP50Ms]: rand() * 5,
        [F.elDelayP99Ms]: rand() * 50,
        [F.elDelayMaxMs]: rand() * 100,
        [F.heapUsedMb]: 80,
        [F.inFlight]: Math.floor(rand() * 50),
        [F.poolTotal]: 10,
        [F.poolIdle]: 2,
        [F.poolWaiting]: Math.floor(rand() * 5),
      })}\n`;
    }
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  renameSync(tmp, path);
}

async function ensureLog(dir: string, lines: number): Promise<string> {
  const path = join(dir, `logjam-bench-analyzer-${lines}.ndjson`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${lines} request lines into ${path} …\n`);
    await generate(path, lines);
  }
  return path;
}

/** Child: the plain loop every analysis of NDJSON in JS starts from — readline, JSON.parse, count, sum one field. */
async function jsonLoop(file: string): Promise<void> {
  let lines = 0;
  let durationSum = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines++;
    const duration = line[F.durationMs];
    if (typeof duration === 'number') durationSum += duration;
  }
  process.stdout.write(`${lines} lines, duration sum ${durationSum.toFixed(0)} ms\n`);
}

const DUCKDB = '@duckdb/node-api';

/** Child: DuckDB's one pass, the same grouping the analyzer's route table needs. */
async function duckdb(file: string, threads: string): Promise<void> {
  const { DuckDBInstance } = (await import(DUCKDB)) as DuckDBModule;
  const instance = await DuckDBInstance.create(':memory:', { threads });
  const connection = await instance.connect();
  const rows = await connection.runAndReadAll(
    `SELECT route, status, count(*) AS requests, quantile_cont(duration_ms, [0.5, 0.95, 0.99]) AS p50_p95_p99
     FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')
     WHERE event = '${EVENTS.requestFinish}' GROUP BY route, status`,
  );
  process.stdout.write(`${rows.currentRowCount} groups\n`);
  connection.closeSync();
  instance.closeSync();
}

/**
 * Written to fd 3 at exit by every node child (preloaded): its peak RSS in KB and CPU time in µs, both process-wide
 * (getrusage: every thread). Worker threads load the preload too (analyze's parallel pass): only the main thread
 * reports, or the workers' lines would run into its own.
 */
const RSS_REPORTER = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; import { isMainThread } from 'node:worker_threads'; if (isMainThread) process.on('exit', () => { const u = process.resourceUsage(); try { writeSync(3, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`); } catch {} });",
)}`;

interface Command {
  name: string;
  file: string;
  /** a node script and its arguments (peak RSS from the preload), or another program (peak RSS from GNU time) */
  node?: string[];
  program?: string[];
}

interface Sample {
  s: number;
  cpuS: number | undefined;
  rssKb: number | undefined;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = (): boolean => spawnSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0;

function runOnce(command: Command, gnuTime: boolean): Promise<Sample> {
  return new Promise((res, rej) => {
    const [exe, args] = command.node
      ? [process.execPath, ['--import', RSS_REPORTER, ...command.node]]
      : gnuTime
        ? [GNU_TIME, ['-f', '%M %U %S', ...command.program!]]
        : [command.program![0]!, command.program!.slice(1)];
    const t0 = process.hrtime.bigint();
    // stdout to /dev/null: the report (or jq's output) is produced, not kept
    const c = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let err = '';
    let fd3 = '';
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    (c.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (fd3 += d.toString()));
    c.on('error', rej);
    c.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return rej(new Error(`${command.name} exited ${code}: ${err.trim().slice(-500)}`));
      // node children: "<maxRSS KB> <cpu µs>" on fd 3; GNU time: "<maxRSS KB> <user s> <system s>" last on stderr
      const [rss, a, b] = (command.node ? fd3 : gnuTime ? (err.trim().split('\n').at(-1) ?? '') : '').split(' ').map(Number);
      const cpu = command.node ? a! / 1e6 : a! + b!;
      res({ s, cpuS: Number.isFinite(cpu) ? cpu : undefined, rssKb: rss !== undefined && Number.isFinite(rss) && rss > 0 ? rss : undefined });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function hasJq(): boolean {
  return spawnSync('jq', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function canLoadDuckdb(): Promise<boolean> {
  try {
    await import(DUCKDB);
    return true;
  } catch {
    return false;
  }
}

/**
 * jq's floor: every line parsed and projected to its route (or path) and status, one output line each — no grouping.
 * jq 1.6 (Debian 12's) updating an object per line in a `reduce` took over 190 s of CPU on the 1M-line log, which
 * measures jq's object copies, not its parsing.
 */
const JQ_PROGRAM = `select(.event == "${EVENTS.requestFinish}") | [.route // .path, .status]`;

export async function runAnalyzerBench(options: AnalyzerBenchOptions = {}): Promise<AnalyzerBenchResult> {
  const lines = options.lines ?? (options.smoke ? 50_000 : 1_000_000);
  const rounds = options.rounds ?? (options.smoke ? 1 : 3);
  const dir = options.dir ?? tmpdir();
  const half = await ensureLog(dir, Math.floor(lines / 2));
  const full = await ensureLog(dir, lines);
  const self = fileURLToPath(import.meta.url);
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const analyze = (file: string) => [cli, 'analyze', '--logs', file, '--run', RUN_ID, '--json'];
  const commands: Command[] = [
    { name: 'logjam analyze', file: half, node: analyze(half) },
    { name: 'logjam analyze', file: full, node: analyze(full) },
    { name: 'readline + JSON.parse loop', file: full, node: [self, '--json-loop', full] },
  ];
  const notes: string[] = [];
  if (hasJq()) commands.push({ name: 'jq -c (route and status of each line)', file: full, program: ['jq', '-c', JQ_PROGRAM, full] });
  else notes.push('jq: not installed (apt-get install jq), skipped');
  if (await canLoadDuckdb()) {
    for (const threads of ['2', '1']) {
      commands.push({ name: `DuckDB read_json + GROUP BY, threads=${threads}`, file: full, node: [self, '--duckdb', full, threads] });
    }
  } else {
    notes.push(`DuckDB: not installed (${DUCKDB}, a dev dependency)`);
  }
  const gnuTime = hasGnuTime();
  if (!gnuTime && commands.some((c) => c.program)) notes.push(`peak RSS of jq: needs GNU time at ${GNU_TIME}`);

  const samples = commands.map((): Sample[] => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, command] of commands.entries()) samples[i]!.push(await runOnce(command, gnuTime));
  }
  const runs: AnalyzerBenchRun[] = commands.map((c, i) => {
    const ss = samples[i]!.map((x) => x.s);
    const rss = samples[i]!.map((x) => x.rssKb).filter((x): x is number => x !== undefined);
    const cpu = samples[i]!.map((x) => x.cpuS).filter((x): x is number => x !== undefined);
    const s = median(ss);
    const bytes = statSync(c.file).size;
    return {
      name: c.name,
      lines: c.file === full ? lines : Math.floor(lines / 2),
      bytes,
      s,
      minS: Math.min(...ss),
      maxS: Math.max(...ss),
      mbPerS: bytes / 1e6 / s,
      cpuS: cpu.length ? median(cpu) : undefined,
      peakRssMb: rss.length ? median(rss) / 1024 : undefined,
    };
  });
  const loop = runs[2]!;
  for (const run of runs) {
    if (run.bytes !== loop.bytes) continue;
    run.vsJsonLoop = run.s / loop.s;
    if (run.cpuS !== undefined && loop.cpuS !== undefined) run.cpuVsJsonLoop = run.cpuS / loop.cpuS;
  }
  return { rounds, runs, rssRatio: runs[1]!.peakRssMb! / runs[0]!.peakRssMb!, notes };
}

function print(result: AnalyzerBenchResult): void {
  process.stdout.write(
    `medians of ${result.rounds} interleaved round(s), spread min–max; whole process, output to /dev/null; ` +
      `cpu = user + system of all its threads; ×loop = the time over the JSON.parse loop's (wall, cpu)\n`,
  );
  for (const r of result.runs) {
    const cpu = r.cpuS === undefined ? 'n/a' : `${r.cpuS.toFixed(2)} s`;
    const ratio = r.vsJsonLoop === undefined ? '' : `, ×loop ${r.vsJsonLoop.toFixed(2)} wall, ${r.cpuVsJsonLoop?.toFixed(2) ?? 'n/a'} cpu`;
    process.stdout.write(
      `${r.name.padEnd(40)} ${r.lines.toLocaleString('en')} lines (${(r.bytes / 1e6).toFixed(0)} MB): ` +
        `${r.s.toFixed(2)} s (${r.minS.toFixed(2)}–${r.maxS.toFixed(2)}), ${r.mbPerS.toFixed(0)} MB/s, cpu ${cpu}, ` +
        `peak RSS ${r.peakRssMb === undefined ? 'n/a' : `${r.peakRssMb.toFixed(0)} MB`}${ratio}\n`,
    );
  }
  process.stdout.write(`logjam peak RSS when the input doubles: ×${result.rssRatio.toFixed(2)} (1.00 = flat)\n`);
  for (const note of result.notes) process.stdout.write(`${note}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : undefined);
  if (args[0] === '--json-loop') {
    await jsonLoop(args[1]!);
  } else if (args[0] === '--duckdb') {
    await duckdb(args[1]!, args[2]!);
  } else {
    handleBenchArgs(args, BENCH_USAGE.analyzer);
    const result = await runAnalyzerBench({ smoke: args.includes('--smoke'), lines: value('--lines'), rounds: value('--rounds') });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else print(result);
  }
}
