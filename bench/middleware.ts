/**
 * Middleware overhead benchmark: bare Express vs logjam (start+finish lines) vs logjam (finish only) vs pino-http,
 * side by side in ONE run, in-process servers on loopback, autocannon as the load generator. Every variant logs to
 * its own NDJSON file under os.tmpdir() through the same kind of sink (pino's async file destination): fair.
 *
 *   node dist/bench/middleware.js [--duration 5] [--warmup 2] [--rounds 3] [--connections 10] [--smoke] [--json]
 *
 * Progress goes to stderr; the table (or --json) to stdout. Target (issue 2): logjam start+finish >= 0.8x bare
 * Express on the hello-world route, and faster than pino-http.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import pino from 'pino';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { closeLogger, createLogger, requestLogging } from '../middleware/index.js';

export interface BenchOptions {
  /** Measured seconds per variant and route (default 5). */
  durationS?: number;
  /** Warm-up seconds before each measurement (default 2). */
  warmupS?: number;
  /** Concurrent connections (default 10). */
  connections?: number;
  /** Interleaved measurement rounds; each figure is the median over rounds (default 3). */
  rounds?: number;
  /** Progress messages (default: to stderr). */
  onProgress?: (message: string) => void;
}

export interface Result {
  variant: VariantName;
  route: RouteName;
  /** Median over rounds of autocannon's average requests per second. */
  requestsPerSec: number;
  /** Median over rounds of the p99 latency. */
  p99Ms: number;
  /**
   * Busy time of the server's event loop (event-loop utilization x duration) per completed request, median over
   * rounds: the server's own cost of a request, whatever the load generator did.
   */
  serverUsPerRequest: number;
  /** bare Express's serverUsPerRequest / this one: the throughput ratio a CPU-bound server would show. */
  costRatioToBare: number;
  /** requestsPerSec / bare Express's requestsPerSec on the same route, in this run. */
  ratioToBare: number;
  /** Non-2xx answers and socket errors: a correct run has none. */
  errors: number;
}

export const VARIANTS = ['bare express', 'logjam start+finish', 'logjam finish only', 'pino-http'] as const;
export type VariantName = (typeof VARIANTS)[number];
export const ROUTES = { hello: '/hello', todos: '/todos' } as const;
export type RouteName = keyof typeof ROUTES;

const TODOS = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  title: `todo number ${i + 1}`,
  done: i % 3 === 0,
  created_at: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
}));

interface Variant {
  app: express.Express;
  close(): Promise<void>;
}

function withRoutes(app: express.Express): express.Express {
  app.get(ROUTES.hello, (_req, res) => {
    res.send('hello world');
  });
  app.get(ROUTES.todos, (_req, res) => {
    res.json(TODOS);
  });
  return app;
}

function buildVariant(name: VariantName, logFile: string): Variant {
  const app = express();
  app.disable('x-powered-by');
  if (name === 'bare express') return { app: withRoutes(app), close: async () => undefined };
  if (name === 'pino-http') {
    const dest = pino.destination({ dest: logFile, sync: false, mkdir: true });
    const logger = pino(dest);
    app.use(pinoHttp({ logger }));
    return { app: withRoutes(app), close: () => closeLogger(logger).then(() => dest.end()) };
  }
  const logger: Logger = createLogger({ service: 'bench', stdout: false, cloudwatch: false, file: logFile });
  app.use(requestLogging({ logger, startLine: name === 'logjam start+finish' }));
  return { app: withRoutes(app), close: () => closeLogger(logger).then(() => undefined) };
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * autocannon in one worker thread: the load generator gets its own event loop (and the other core), so the server's
 * event loop does only server work, and per-thread costs such as AsyncLocalStorage's hooks are not charged to it.
 */
async function load(url: string, durationS: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, duration: durationS, connections, pipelining: 1, workers: 1 });
}

export async function runMiddlewareBench(options: BenchOptions = {}): Promise<Result[]> {
  const durationS = options.durationS ?? 5;
  const warmupS = options.warmupS ?? 2;
  const connections = options.connections ?? 10;
  const rounds = Math.max(1, Math.round(options.rounds ?? 3));
  const progress = options.onProgress ?? ((m: string) => process.stderr.write(`[bench] ${m}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'logjam-bench-'));
  // All variants listen at once (an idle server costs nothing) so the measurements can be interleaved: on a shared,
  // noisy machine, round-robin slices spread background load evenly over the variants instead of hitting one.
  const running: { variant: VariantName; built: Variant; server: Server; url: string }[] = [];
  const samples = new Map<string, { rps: number[]; p99: number[]; cost: number[]; errors: number }>();
  try {
    for (const variant of VARIANTS) {
      const built = buildVariant(variant, join(dir, `${variant.replace(/[^a-z]+/g, '-')}.ndjson`));
      running.push({ variant, built, ...(await listen(built.app)) });
    }
    for (const [route, path] of Object.entries(ROUTES) as [RouteName, string][]) {
      if (warmupS > 0) {
        for (const { variant, url } of running) {
          progress(`${variant} ${path}: warm-up ${warmupS} s`);
          await load(url + path, warmupS, connections);
        }
      }
      for (let round = 1; round <= rounds; round++) {
        for (const { variant, url } of running) {
          progress(`${variant} ${path}: measure ${durationS} s (round ${round}/${rounds})`);
          const eluBefore = performance.eventLoopUtilization();
          const r = await load(url + path, durationS, connections);
          const elu = performance.eventLoopUtilization(eluBefore);
          const key = `${variant}|${route}`;
          const s = samples.get(key) ?? { rps: [], p99: [], cost: [], errors: 0 };
          s.rps.push(r.requests.average);
          s.cost.push((elu.active * 1000) / Math.max(1, r.requests.total));
          s.p99.push(r.latency.p99);
          s.errors += r.non2xx + r.errors + r.timeouts;
          samples.set(key, s);
        }
      }
    }
  } finally {
    for (const { server, built } of running) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
  const measured = [...samples].map(([key, s]) => {
    const [variant, route] = key.split('|') as [VariantName, RouteName];
    return {
      variant,
      route,
      requestsPerSec: median(s.rps),
      p99Ms: median(s.p99),
      serverUsPerRequest: median(s.cost),
      errors: s.errors,
    };
  });
  return measured.map((m) => {
    const bare = measured.find((b) => b.variant === 'bare express' && b.route === m.route);
    return {
      ...m,
      ratioToBare: bare && bare.requestsPerSec > 0 ? m.requestsPerSec / bare.requestsPerSec : 0,
      costRatioToBare: bare && m.serverUsPerRequest > 0 ? bare.serverUsPerRequest / m.serverUsPerRequest : 0,
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The results as a fixed-width table. Pure: results in, text out. */
export function formatTable(results: readonly Result[]): string {
  const header = ['route', 'variant', 'req/s', 'p99 ms', 'x bare', 'server us/req', 'x bare (cost)', 'errors'];
  const rows = results.map((r) => [
    ROUTES[r.route],
    r.variant,
    r.requestsPerSec.toFixed(0),
    r.p99Ms.toFixed(2),
    r.ratioToBare.toFixed(2),
    r.serverUsPerRequest.toFixed(1),
    r.costRatioToBare.toFixed(2),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/**
 * Target check on the hello-world route: start+finish >= 0.8x bare and faster than pino-http, judged on req/s and,
 * separately, on the server's busy time per request (steadier on a noisy shared machine). Both are printed.
 */
export function verdict(results: readonly Result[]): { ok: boolean; okCost: boolean; text: string } {
  const hello = (v: VariantName) => results.find((r) => r.route === 'hello' && r.variant === v);
  const logjam = hello('logjam start+finish');
  const other = hello('pino-http');
  if (!logjam || !other) return { ok: false, okCost: false, text: 'incomplete results' };
  const vsPino = logjam.requestsPerSec / other.requestsPerSec;
  const vsPinoCost = other.serverUsPerRequest / logjam.serverUsPerRequest;
  const ok = logjam.ratioToBare >= 0.8 && vsPino > 1;
  const okCost = logjam.costRatioToBare >= 0.8 && vsPinoCost > 1;
  const text = [
    `hello world, logjam start+finish (targets: >= 0.80x bare Express, > 1.00x pino-http):`,
    `  by req/s:         ${logjam.ratioToBare.toFixed(2)}x bare, ${vsPino.toFixed(2)}x pino-http: ${ok ? 'met' : 'MISSED'}`,
    `  by server cost:   ${logjam.costRatioToBare.toFixed(2)}x bare, ${vsPinoCost.toFixed(2)}x pino-http: ${okCost ? 'met' : 'MISSED'}`,
  ].join('\n');
  return { ok, okCost, text };
}

/** One Node binary's results, for the side-by-side table. */
export interface NodeResults {
  node: string;
  results: readonly Result[];
}

/**
 * The ratios of two Node versions side by side (each measured against its own bare Express: ratios compare across
 * versions, raw req/s do not — Node 24 serves bare Express ~4x faster than Node 20 here). Pure: results in, text out.
 */
export function formatSideBySide(a: NodeResults, b: NodeResults): string {
  const header = ['route', 'variant', `x bare (${a.node})`, `x bare (${b.node})`, `req/s (${a.node})`, `req/s (${b.node})`];
  const rows = a.results.map((r) => {
    const other = b.results.find((o) => o.route === r.route && o.variant === r.variant);
    return [
      ROUTES[r.route],
      r.variant,
      r.ratioToBare.toFixed(2),
      other ? other.ratioToBare.toFixed(2) : '-',
      r.requestsPerSec.toFixed(0),
      other ? other.requestsPerSec.toFixed(0) : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** The same benchmark, run by another node binary (`--node <path>`) in its own process, its results as JSON. */
function runOnOtherNode(nodePath: string, argv: readonly string[]): NodeResults {
  const i = argv.indexOf('--node');
  const rest = argv.filter((_, j) => j !== i && j !== i + 1 && argv[j] !== '--json');
  const script = fileURLToPath(import.meta.url);
  const version = spawnSync(nodePath, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  if (version.status !== 0) {
    process.stderr.write(`--node ${nodePath}: not a working node binary (${version.error?.message ?? version.stderr.trim()})\n`);
    process.exit(2);
  }
  const run = spawnSync(nodePath, [script, ...rest, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    process.stderr.write(`the benchmark on ${nodePath} failed (exit ${run.status ?? run.signal})\n`);
    process.exit(1);
  }
  const parsed = JSON.parse(run.stdout) as { results: Result[] };
  return { node: `Node ${version.stdout.trim()}`, results: parsed.results };
}

function parseArgs(argv: string[]): BenchOptions & { json: boolean } {
  const value = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    if (i === -1) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) {
      process.stderr.write(`${flag} needs a non-negative number\n`);
      process.exit(2);
    }
    return n;
  };
  const smoke = argv.includes('--smoke');
  return {
    durationS: value('--duration') ?? (smoke ? 1 : 5),
    warmupS: value('--warmup') ?? (smoke ? 0.5 : 2),
    connections: value('--connections') ?? 10,
    rounds: value('--rounds') ?? (smoke ? 1 : 3),
    json: argv.includes('--json'),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { json, ...options } = parseArgs(process.argv.slice(2));
  const argv = process.argv.slice(2);
  const nodeAt = argv.indexOf('--node');
  const otherNode = nodeAt === -1 ? undefined : argv[nodeAt + 1];
  if (nodeAt !== -1 && (otherNode === undefined || otherNode.startsWith('--'))) {
    process.stderr.write('--node needs the path of a node binary\n');
    process.exit(2);
  }
  const here = `Node ${process.versions.node}`;
  if (!json) process.stdout.write(`${here} (${process.execPath})\n`);
  const results = await runMiddlewareBench(options);
  const check = verdict(results);
  if (json) process.stdout.write(`${JSON.stringify({ node: process.versions.node, results, target: check }, null, 2)}\n`);
  else process.stdout.write(`${formatTable(results)}\n\n${check.text}\n`);
  if (otherNode !== undefined && !json) {
    // one after the other, never at once: two benchmarks on 2 cores would measure each other
    process.stdout.write(`\nthe same on ${otherNode}:\n`);
    const other = runOnOtherNode(otherNode, argv);
    process.stdout.write(`${formatTable(other.results)}\n\n${verdict(other.results).text}\n`);
    process.stdout.write(`\nside by side:\n${formatSideBySide({ node: here, results }, other)}\n`);
  }
}
