/**
 * Benchmark of `analyze` on the local source: lines per second, MB/s and peak memory of one aggregate pass over a
 * generated NDJSON log of request lines. Run: `node dist/bench/analyzer.js [--smoke] [--lines N] [--json]`.
 *
 * The log (generated once into os.tmpdir(), reused when present) holds request.finish lines only — realistic
 * ones: five routes, 2xx/4xx/5xx statuses, db and pool fields, ~1% suspicious paths, unmatched paths with ids,
 * one run id — plus a runtime.stats line per 1,000 requests. Each measurement runs in a child process so its
 * peak RSS (process.resourceUsage().maxRSS) is the analysis's own; the input is measured at N/2 and N to show
 * that peak memory stays flat when the input doubles.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../middleware/schema.js';
import { createLocalSource } from '../analyzer/sources/ndjson/index.js';

export interface AnalyzerBenchOptions {
  /** request lines in the larger input (default 1,000,000; --smoke: 50,000) */
  lines?: number;
  smoke?: boolean;
  dir?: string;
}

export interface AnalyzerBenchRun {
  file: string;
  lines: number;
  bytes: number;
  ms: number;
  linesPerS: number;
  mbPerS: number;
  peakRssMb: number;
  requests: number;
}

export interface AnalyzerBenchResult {
  runs: AnalyzerBenchRun[];
  /** peak RSS at N divided by peak RSS at N/2 (1.0 = flat) */
  rssRatio: number;
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

/** The measured part, in the child: one aggregate pass, then its own figures on stdout. */
async function child(file: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const agg = await createLocalSource(file).aggregate(RUN_ID);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = {
    ms,
    lines: agg.input.totalLines,
    requests: agg.totals.requests,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function measure(file: string): Promise<AnalyzerBenchRun> {
  return new Promise((res, rej) => {
    const self = fileURLToPath(import.meta.url);
    const c = spawn(process.execPath, [self, '--child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', rej);
    c.on('close', (code) => {
      if (code !== 0) return rej(new Error(`bench child exited ${code}`));
      const r = JSON.parse(out) as { ms: number; lines: number; requests: number; peakRssMb: number };
      const bytes = statSync(file).size;
      res({
        file,
        bytes,
        lines: r.lines,
        ms: r.ms,
        requests: r.requests,
        linesPerS: r.lines / (r.ms / 1000),
        mbPerS: bytes / 1e6 / (r.ms / 1000),
        peakRssMb: r.peakRssMb,
      });
    });
  });
}

export async function runAnalyzerBench(options: AnalyzerBenchOptions = {}): Promise<AnalyzerBenchResult> {
  const lines = options.lines ?? (options.smoke ? 50_000 : 1_000_000);
  const dir = options.dir ?? tmpdir();
  const half = await ensureLog(dir, Math.floor(lines / 2));
  const full = await ensureLog(dir, lines);
  const runs = [await measure(half), await measure(full)];
  return { runs, rssRatio: runs[1]!.peakRssMb / runs[0]!.peakRssMb };
}

function print(result: AnalyzerBenchResult): void {
  for (const r of result.runs) {
    process.stdout.write(
      `analyze (local source) ${r.requests.toLocaleString('en')} requests, ${(r.bytes / 1e6).toFixed(0)} MB: ` +
        `${Math.round(r.linesPerS).toLocaleString('en')} lines/s, ${r.mbPerS.toFixed(1)} MB/s, ` +
        `${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB\n`,
    );
  }
  process.stdout.write(`peak RSS when the input doubles: ×${result.rssRatio.toFixed(2)} (1.00 = flat)\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]!);
  } else {
    const n = args.indexOf('--lines');
    const result = await runAnalyzerBench({ smoke: args.includes('--smoke'), lines: n >= 0 ? Number(args[n + 1]) : undefined });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else print(result);
  }
}
