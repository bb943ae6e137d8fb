/**
 * Middleware overhead benchmark: bare Express vs logjam (start+finish lines; optionally finish only, and another build
 * of logjam as a baseline) vs pino-http,
 * side by side in ONE run, servers on loopback, autocannon as the load generator. Every variant logs to
 * its own NDJSON file under os.tmpdir(), through its default destination, stdout (the server process's stdout is that
 * file; logjam: createLogger's defaults, pino-http: pino's, an asynchronous sonic-boom on fd 1), or with
 * `--destination file` through its file destination (logjam's file sink with its defaults, pino's async file
 * destination). Each variant is a server process of its own (middleware-server.ts), so the CPU time
 * it spends per request is measured apart from the load generator and from everything else on the machine.
 *
 *   node dist/bench/middleware.js [--duration 3] [--warmup 1] [--rounds 3] [--connections 10,50] [--finish-only]
 *     [--baseline <other build>/dist/middleware/index.js] [--destination stdout|file] [--node <other node binary>]
 *     [--smoke] [--json]
 *
 * Progress goes to stderr; the table (or --json) to stdout. Targets (issue 20): logjam start+finish >= 0.85x bare
 * Express on Node 24 (0.80x on Node 20) on the hello-world and the small JSON route at every connection count, and
 * >= 1.2x pino-http there; on the 100-todo route not slower than pino-http. Each figure is the median over the
 * interleaved rounds; the spread (min–max over rounds of the per-round ratio to bare, and to pino-http) is printed beside it.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_USAGE, handleBenchArgs } from './usage.js';

export interface BenchOptions {
  /** Measured seconds per variant and route (default 3). */
  durationS?: number;
  /** Warm-up seconds before each measurement (default 1). */
  warmupS?: number;
  /** Concurrent connections, each count measured in turn (default 10 and 50). */
  connections?: readonly number[];
  /** Interleaved measurement rounds; each figure is the median over rounds (default 3). */
  rounds?: number;
  /** The variants to measure (default DEFAULT_VARIANTS; 'logjam baseline' needs `baseline`). */
  variants?: readonly VariantName[];
  /** dist/middleware/index.js of another build, measured as 'logjam baseline' in the same rounds (before/after). */
  baseline?: string;
  /** Where the variants log: 'stdout' (default: each one's default destination) or 'file'. */
  destination?: 'stdout' | 'file';
  /** Progress messages (default: to stderr). */
  onProgress?: (message: string) => void;
}

export interface Result {
  variant: VariantName;
  route: RouteName;
  connections: number;
  /** Median over rounds of autocannon's average requests per second. */
  requestsPerSec: number;
  /** Median over rounds of the p99 latency. */
  p99Ms: number;
  /**
   * CPU time of the server's process (user + system, all its threads: the file writes and GC included) per request
   * it received, median over rounds: the server's own cost of a request, whatever else ran on the machine.
   */
  serverUsPerRequest: number;
  /** bare Express's serverUsPerRequest / this one: the throughput ratio a CPU-bound server would show. */
  costRatioToBare: number;
  /** Lowest and highest per-round cost ratio to bare: the spread. */
  costRatioToBareRange: [number, number];
  /** requestsPerSec / bare Express's requestsPerSec on the same route, in this run. */
  ratioToBare: number;
  /** Lowest and highest per-round ratio to bare (each round's bare measurement is adjacent in time): the spread. */
  ratioToBareRange: [number, number];
  /** requestsPerSec / pino-http's requestsPerSec on the same route, in this run (0 when pino-http was not measured). */
  ratioToPino: number;
  /** Lowest and highest per-round ratio to pino-http: the spread. */
  ratioToPinoRange: [number, number];
  /** pino-http's serverUsPerRequest / this one. */
  costRatioToPino: number;
  /** Lowest and highest per-round cost ratio to pino-http. */
  costRatioToPinoRange: [number, number];
  /** Non-2xx answers and socket errors: a correct run has none. */
  errors: number;
}

import {
  BASELINE_ENV,
  DEFAULT_VARIANTS,
  DESTINATION_ENV,
  ROUTES,
  VARIANTS,
  type RouteName,
  type VariantName,
} from './middleware-variants.js';

export { ROUTES, VARIANTS };
export type { RouteName, VariantName };

interface ServerProcess {
  variant: VariantName;
  child: ChildProcess;
  url: string;
}

/** Start one variant's server process (middleware-server.js, same node binary) and wait for its port. */
async function startServer(
  variant: VariantName,
  logFile: string,
  baseline: string | undefined,
  destination: 'stdout' | 'file',
): Promise<ServerProcess> {
  // stdout: the server's stdout IS its log file (a regular file, as when a service's output is redirected), so
  // each variant's default destination is measured; the file: stdout goes nowhere, each logs to logFile itself
  const stdout = destination === 'stdout' ? openSync(logFile, 'a') : 'ignore';
  const child = fork(fileURLToPath(new URL('./middleware-server.js', import.meta.url)), [variant, logFile], {
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
    env: { ...process.env, [DESTINATION_ENV]: destination, ...(baseline === undefined ? {} : { [BASELINE_ENV]: baseline }) },
  });
  if (typeof stdout === 'number') closeSync(stdout);
  // a server that dies before listening (a baseline build that cannot load) fails the run instead of hanging it
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code, signal]) => {
      throw new Error(`the ${variant} server exited before listening (${String(code ?? signal)}): see its stderr above`);
    }),
  ])) as [{ port: number }];
  return { variant, child, url: `http://127.0.0.1:${message.port}` };
}

/** CPU time the server process has used so far (all its threads) and the requests it has received. */
async function usageOf(server: ServerProcess): Promise<{ cpuUs: number; requests: number }> {
  const answer = once(server.child, 'message') as Promise<[{ cpuUs: number; requests: number }]>;
  server.child.send('usage');
  return (await answer)[0];
}

async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.send('close');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** autocannon on this process's event loop: the servers are processes of their own. */
async function load(url: string, durationS: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, duration: durationS, connections, pipelining: 1 });
}

export async function runMiddlewareBench(options: BenchOptions = {}): Promise<Result[]> {
  const durationS = options.durationS ?? 3;
  const warmupS = options.warmupS ?? 1;
  const connectionCounts = options.connections ?? [10, 50];
  const rounds = Math.max(1, Math.round(options.rounds ?? 3));
  const progress = options.onProgress ?? ((m: string) => process.stderr.write(`[bench] ${m}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'logjam-bench-'));
  // All variants listen at once (an idle server costs nothing) so the measurements can be interleaved: on a shared,
  // noisy machine, round-robin slices spread background load evenly over the variants instead of hitting one.
  const running: ServerProcess[] = [];
  const samples = new Map<string, Samples>();
  try {
    const variants = options.variants ?? [...DEFAULT_VARIANTS, ...(options.baseline ? (['logjam baseline'] as const) : [])];
    for (const variant of variants) {
      const logFile = join(dir, `${variant.replace(/[^a-z]+/g, '-')}.ndjson`);
      running.push(await startServer(variant, logFile, options.baseline, options.destination ?? 'stdout'));
    }
    for (const connections of connectionCounts) {
      for (const [route, path] of Object.entries(ROUTES) as [RouteName, string][]) {
        if (warmupS > 0) {
          for (const { variant, url } of running) {
            progress(`${variant} ${path} x${connections}: warm-up ${warmupS} s`);
            await load(url + path, warmupS, connections);
          }
        }
        for (let round = 1; round <= rounds; round++) {
          for (const server of running) {
            const { variant, url } = server;
            progress(`${variant} ${path} x${connections}: measure ${durationS} s (round ${round}/${rounds})`);
            const before = await usageOf(server);
            const r = await load(url + path, durationS, connections);
            const after = await usageOf(server);
            const key = `${variant}|${route}|${connections}`;
            const s = samples.get(key) ?? { rps: [], p99: [], cost: [], errors: 0 };
            s.rps.push(r.requests.average);
            s.cost.push((after.cpuUs - before.cpuUs) / Math.max(1, after.requests - before.requests));
            s.p99.push(r.latency.p99);
            s.errors += r.non2xx + r.errors + r.timeouts;
            samples.set(key, s);
          }
        }
      }
    }
  } finally {
    for (const server of running) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  }
  return summarize(samples);
}

interface Samples {
  rps: number[];
  p99: number[];
  cost: number[];
  errors: number;
}

/** Medians over rounds, and each variant's ratios to bare Express and to pino-http measured in the same round. Pure. */
export function summarize(samples: ReadonlyMap<string, Samples>): Result[] {
  const results: Result[] = [];
  for (const [key, s] of samples) {
    const [variant, route, conns] = key.split('|') as [VariantName, RouteName, string];
    const vsBare = ratiosTo(s, samples.get(`bare express|${route}|${conns}`));
    const vsPino = ratiosTo(s, samples.get(`pino-http|${route}|${conns}`));
    results.push({
      variant,
      route,
      connections: Number(conns),
      requestsPerSec: median(s.rps),
      p99Ms: median(s.p99),
      serverUsPerRequest: median(s.cost),
      errors: s.errors,
      ratioToBare: vsBare.rps,
      ratioToBareRange: vsBare.rpsRange,
      costRatioToBare: vsBare.cost,
      costRatioToBareRange: vsBare.costRange,
      ratioToPino: vsPino.rps,
      ratioToPinoRange: vsPino.rpsRange,
      costRatioToPino: vsPino.cost,
      costRatioToPinoRange: vsPino.costRange,
    });
  }
  return results;
}

/**
 * `s` against `other` (0 when `other` was not measured): the ratio of the medians, and the spread of the per-round
 * ratios (each round's measurements of the two are adjacent in time). By req/s: s / other; by cost: other / s.
 */
function ratiosTo(
  s: Samples,
  other: Samples | undefined,
): { rps: number; rpsRange: [number, number]; cost: number; costRange: [number, number] } {
  if (other === undefined) return { rps: 0, rpsRange: [0, 0], cost: 0, costRange: [0, 0] };
  const perRound = s.rps.map((rps, i) => (other.rps[i] ? rps / (other.rps[i] ?? 1) : 0));
  const costPerRound = s.cost.map((cost, i) => (cost > 0 ? (other.cost[i] ?? 0) / cost : 0));
  const rps = median(s.rps);
  const otherRps = median(other.rps);
  const cost = median(s.cost);
  return {
    rps: otherRps > 0 ? rps / otherRps : 0,
    rpsRange: [Math.min(...perRound), Math.max(...perRound)],
    cost: cost > 0 ? median(other.cost) / cost : 0,
    costRange: [Math.min(...costPerRound), Math.max(...costPerRound)],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The results as a fixed-width table. Pure: results in, text out. */
export function formatTable(results: readonly Result[]): string {
  const header = ['route', 'conns', 'variant', 'req/s', 'p99 ms', 'x bare', 'range', 'x pino', 'range', 'cpu us/req', 'x bare (cpu)', 'range', 'x pino (cpu)', 'range', 'errors'];
  const range = ([low, high]: [number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`;
  const rows = results.map((r) => [
    ROUTES[r.route],
    String(r.connections),
    r.variant,
    r.requestsPerSec.toFixed(0),
    r.p99Ms.toFixed(2),
    r.ratioToBare.toFixed(2),
    range(r.ratioToBareRange),
    r.ratioToPino.toFixed(2),
    range(r.ratioToPinoRange),
    r.serverUsPerRequest.toFixed(1),
    r.costRatioToBare.toFixed(2),
    range(r.costRatioToBareRange),
    r.costRatioToPino.toFixed(2),
    range(r.costRatioToPinoRange),
    String(r.errors),
  ]);
  return alignRows(header, rows, 3);
}

function alignRows(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** Issue 20's bar for logjam start+finish against bare Express: 0.85x on Node 24 and later, 0.80x before. */
export function bareTargetFor(nodeVersion: string): number {
  return Number(nodeVersion.split('.')[0]) >= 24 ? 0.85 : 0.8;
}

/**
 * Target check, for logjam start+finish on every route and connection count: on hello and the small JSON route
 * >= bareTarget x bare Express and >= 1.2x pino-http; on the 100-todo route not slower than pino-http. Judged on
 * req/s and, separately, on the server's busy time per request (steadier on a noisy shared machine). Both printed.
 */
export function verdict(results: readonly Result[], bareTarget: number): { ok: boolean; okCost: boolean; text: string } {
  const find = (v: VariantName, route: RouteName, conns: number) =>
    results.find((r) => r.route === route && r.variant === v && r.connections === conns);
  const lines: string[] = [
    `logjam start+finish (targets: hello and ${ROUTES.json}: >= ${bareTarget.toFixed(2)}x bare Express and >= 1.20x pino-http; ${ROUTES.todos}: >= 1.00x pino-http)`,
  ];
  let ok = true;
  let okCost = true;
  for (const r of results.filter((x) => x.variant === 'logjam start+finish')) {
    if (!find('pino-http', r.route, r.connections)) return { ok: false, okCost: false, text: 'incomplete results' };
    const vsPino = r.ratioToPino;
    const vsPinoCost = r.costRatioToPino;
    const big = r.route === 'todos';
    const met = big ? vsPino >= 1 : r.ratioToBare >= bareTarget && vsPino >= 1.2;
    const metCost = big ? vsPinoCost >= 1 : r.costRatioToBare >= bareTarget && vsPinoCost >= 1.2;
    ok &&= met;
    okCost &&= metCost;
    lines.push(
      `  ${ROUTES[r.route].padEnd(7)} x${String(r.connections).padEnd(3)} by req/s: ${r.ratioToBare.toFixed(2)}x bare, ${vsPino.toFixed(2)}x pino-http: ${met ? 'met' : 'MISSED'}` +
        `   by server cpu: ${r.costRatioToBare.toFixed(2)}x bare, ${vsPinoCost.toFixed(2)}x pino-http: ${metCost ? 'met' : 'MISSED'}`,
    );
  }
  return { ok, okCost, text: lines.join('\n') };
}

/** One Node binary's results, for the side-by-side table. */
export interface NodeResults {
  node: string;
  /** process.versions.node of that binary (the bare-Express target depends on it). */
  version: string;
  results: readonly Result[];
}

/**
 * The ratios of two Node versions side by side (each measured against its own bare Express: ratios compare across
 * versions, raw req/s do not — Node 24 serves bare Express ~4x faster than Node 20 here). Pure: results in, text out.
 */
export function formatSideBySide(a: NodeResults, b: NodeResults): string {
  const header = ['route', 'conns', 'variant', `x bare (${a.node})`, `x bare (${b.node})`, `req/s (${a.node})`, `req/s (${b.node})`];
  const rows = a.results.map((r) => {
    const other = b.results.find((o) => o.route === r.route && o.variant === r.variant && o.connections === r.connections);
    return [
      ROUTES[r.route],
      String(r.connections),
      r.variant,
      r.ratioToBare.toFixed(2),
      other ? other.ratioToBare.toFixed(2) : '-',
      r.requestsPerSec.toFixed(0),
      other ? other.requestsPerSec.toFixed(0) : '-',
    ];
  });
  return alignRows(header, rows, 3);
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
  return { node: `Node ${version.stdout.trim()}`, version: version.stdout.trim(), results: parsed.results };
}

function parseArgs(argv: string[]): BenchOptions & { json: boolean } {
  const baselineAt = argv.indexOf('--baseline');
  const baseline = baselineAt === -1 ? undefined : argv[baselineAt + 1];
  if (baselineAt !== -1 && (baseline === undefined || baseline.startsWith('--'))) {
    process.stderr.write("--baseline needs the path of another build's dist/middleware/index.js\n");
    process.exit(2);
  }
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
  const counts = (flag: string): number[] | undefined => {
    const i = argv.indexOf(flag);
    if (i === -1) return undefined;
    const list = String(argv[i + 1]).split(',').map(Number);
    if (!list.every((n) => Number.isInteger(n) && n > 0)) {
      process.stderr.write(`${flag} needs positive whole numbers, comma-separated (10,50)\n`);
      process.exit(2);
    }
    return list;
  };
  const smoke = argv.includes('--smoke');
  const destinationAt = argv.indexOf('--destination');
  const destination = destinationAt === -1 ? 'stdout' : argv[destinationAt + 1];
  if (destination !== 'stdout' && destination !== 'file') {
    process.stderr.write('--destination needs stdout or file\n');
    process.exit(2);
  }
  return {
    destination,
    durationS: value('--duration') ?? (smoke ? 1 : 3),
    warmupS: value('--warmup') ?? (smoke ? 0.5 : 1),
    connections: counts('--connections') ?? (smoke ? [10] : [10, 50]),
    rounds: value('--rounds') ?? (smoke ? 1 : 3),
    json: argv.includes('--json'),
    ...(baseline === undefined ? {} : { baseline: resolve(baseline) }),
    variants: [
      ...DEFAULT_VARIANTS,
      ...(argv.includes('--finish-only') ? (['logjam finish only'] as const) : []),
      ...(baseline === undefined ? [] : (['logjam baseline'] as const)),
    ],
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  handleBenchArgs(process.argv.slice(2), BENCH_USAGE.middleware);
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
  const check = verdict(results, bareTargetFor(process.versions.node));
  if (json) process.stdout.write(`${JSON.stringify({ node: process.versions.node, results, target: check }, null, 2)}\n`);
  else process.stdout.write(`${formatTable(results)}\n\n${check.text}\n`);
  if (otherNode !== undefined && !json) {
    // one after the other, never at once: two benchmarks on 2 cores would measure each other
    process.stdout.write(`\nthe same on ${otherNode}:\n`);
    const other = runOnOtherNode(otherNode, argv);
    process.stdout.write(`${formatTable(other.results)}\n\n${verdict(other.results, bareTargetFor(other.version)).text}\n`);
    process.stdout.write(`\nside by side:\n${formatSideBySide({ node: here, version: process.versions.node, results }, other)}\n`);
  }
}
