/**
 * Middleware overhead in instructions, not seconds: each variant's server (middleware-server.ts) runs under valgrind's
 * callgrind, which counts the instructions the process executes whatever else the machine is doing — on this shared,
 * noisy machine a figure that repeats run to run within a few per cent (requests per second and CPU time swing by
 * a quarter here).
 * After `--warmup` requests the counters are zeroed (callgrind_control), `--requests` more are sent, and the counts
 * are dumped and split into the JIT compiler's work (warm-up: it fades as the code settles), the garbage collector,
 * and the rest (the code that runs per request: Express, Node, V8's runtime and builtins, the middleware). Two
 * ratios to bare Express: over everything but the compiler's share, and over the rest alone.
 *
 *   node dist/bench/middleware-instructions.js [--requests 1500] [--warmup 1500] [--route hello|json|todos]
 *     [--baseline <other build>/dist/middleware/index.js] [--node <node binary>] [--json]
 *
 * Slow (a server under valgrind answers tens to hundreds of requests a second): one to three minutes per variant. Needs valgrind
 * (Debian's package); loopback only, and every server is closed at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BASELINE_ENV, ROUTES, type RouteName, type VariantName } from './middleware-variants.js';
import { INSTRUCTIONS_USAGE, handleBenchArgs } from './usage.js';

export interface InstructionCounts {
  total: number;
  /** the JIT compilers (TurboFan, Maglev, Turboshaft, Sparkplug), the parser and the bytecode generator */
  compile: number;
  /** the garbage collector: scavenges, marking, sweeping, compaction */
  gc: number;
  /** everything else: what runs per request */
  rest: number;
}

const COMPILE = /compiler::|maglev::|turboshaft::|Turboshaft|Maglev|Scanner|Parser|Zone|RegisterAllocator|LiveRange|InstructionSelector|CodeGenerator|SourcePosition|interpreter::|baseline::|Assembler/;
const GC = /Heap|Scaveng|Marking|Sweeper|MarkCompact|Evacuat|heap::|Marker|RememberedSet|SlotSet|MemoryChunk|Page/;

/**
 * The three parts of one callgrind dump: `summary` is the dump file's own total (its "summary:" line), and
 * `annotation` callgrind_annotate's per-function lines ("  1,234 (0.5%)  file:function [object]"), from which the
 * compiler's and the collector's functions are summed. The rest is the difference, not a sum of lines: a dump made
 * mid-run (callgrind_control) also lists the functions on each thread's stack at that moment with their callees'
 * costs (main, the event loop, the threads' loops), which a sum of lines would count twice.
 */
export function classifyDump(summary: number, annotation: string): InstructionCounts {
  let compile = 0;
  let gc = 0;
  for (const line of annotation.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (m === null || m[2]!.includes('PROGRAM TOTALS')) continue;
    const n = Number(m[1]!.replaceAll(',', ''));
    if (COMPILE.test(m[2]!)) compile += n;
    else if (GC.test(m[2]!)) gc += n;
  }
  return { total: summary, compile, gc, rest: summary - compile - gc };
}

/** The "summary: N" line of a callgrind dump. */
export function dumpSummary(dumpText: string): number {
  const m = /^summary:\s*(\d+)/m.exec(dumpText);
  if (m === null) throw new Error('callgrind dump without a summary line');
  return Number(m[1]);
}

/** `requests` GETs of `url`, keep-alive over 4 sockets, each answered and read to its end. */
async function send(url: string, requests: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < requests) {
      sent++;
      await new Promise<void>((done, fail) => {
        http
          .get(url, { agent }, (res) => {
            if (res.statusCode !== 200) fail(new Error(`${url} answered ${res.statusCode}`));
            res.resume();
            res.on('end', done);
          })
          .on('error', fail);
      });
    }
  };
  try {
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    agent.destroy();
  }
}

function callgrindControl(pid: number, command: string): void {
  const result = spawnSync('callgrind_control', [command, String(pid)], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`callgrind_control ${command} ${pid} failed: ${result.stderr || result.error?.message}`);
}

async function measure(o: {
  variant: VariantName;
  route: RouteName;
  node: string;
  dir: string;
  warmup: number;
  requests: number;
  baseline?: string;
}): Promise<InstructionCounts> {
  const server = fileURLToPath(new URL('./middleware-server.js', import.meta.url));
  const tag = o.variant.replace(/\W+/g, '-');
  const logFile = join(o.dir, `${tag}.ndjson`);
  const stdout = openSync(logFile, 'a');
  const out = join(o.dir, `cg-${tag}.%p`);
  let child: ChildProcess;
  try {
    child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, o.node, server, o.variant, logFile], {
      stdio: ['ignore', stdout, 'pipe', 'ipc'],
      env: { ...process.env, ...(o.baseline === undefined ? {} : { [BASELINE_ENV]: o.baseline }) },
    });
  } finally {
    closeSync(stdout);
  }
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
  try {
    const [message] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(() => {
        throw new Error(`the ${o.variant} server under valgrind exited before listening:\n${stderr.slice(-2000)}`);
      }),
    ])) as [{ port: number }];
    const url = `http://127.0.0.1:${message.port}${ROUTES[o.route]}`;
    await send(url, o.warmup);
    callgrindControl(child.pid!, '--zero');
    await send(url, o.requests);
    callgrindControl(child.pid!, '--dump=measured');
    const exited = once(child, 'exit');
    child.send('close');
    await exited;
  } finally {
    clearTimeout(killTimer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  // the dump made by --dump is <out>.1; the file at exit (<out>) holds the rest of the run and is not read
  const dump = readdirSync(o.dir).find((f) => f.startsWith(`cg-${tag}.`) && f.endsWith('.1'));
  if (dump === undefined) throw new Error(`no callgrind dump for ${o.variant} in ${o.dir}`);
  const annotated = spawnSync('callgrind_annotate', ['--threshold=100', join(o.dir, dump)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (annotated.status !== 0) throw new Error(`callgrind_annotate failed: ${annotated.stderr}`);
  const counts = classifyDump(dumpSummary(readFileSync(join(o.dir, dump), 'utf8')), annotated.stdout);
  const per = (n: number) => n / o.requests;
  return { total: per(counts.total), compile: per(counts.compile), gc: per(counts.gc), rest: per(counts.rest) };
}

export interface InstructionsResult {
  variant: VariantName;
  route: RouteName;
  node: string;
  perRequest: InstructionCounts;
  /** bare Express's instructions per request ÷ this variant's, both without the compiler's share */
  ofBare: number;
  /**
   * the same without the collector's share either: a full GC lands in a window of a few thousand requests or not,
   * so the GC column is lumpy, while the rest repeats within a few per cent
   */
  ofBareRest: number;
}

export async function runInstructionsBench(options: {
  requests?: number;
  warmup?: number;
  route?: RouteName;
  baseline?: string;
  node?: string;
  onProgress?: (message: string) => void;
}): Promise<InstructionsResult[]> {
  if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  }
  const node = options.node ?? process.execPath;
  const route = options.route ?? 'hello';
  const variants: VariantName[] = ['bare express', 'logjam start+finish', 'pino-http'];
  if (options.baseline !== undefined) variants.splice(2, 0, 'logjam baseline');
  const dir = await mkdtemp(join(tmpdir(), 'logjam-bench-instructions-'));
  const progress = options.onProgress ?? ((m: string) => process.stderr.write(`${m}\n`));
  try {
    const measured = new Map<VariantName, InstructionCounts>();
    for (const variant of variants) {
      progress(`${variant}: ${options.warmup ?? 1500} warm-up + ${options.requests ?? 1500} measured requests under callgrind…`);
      measured.set(
        variant,
        await measure({ variant, route, node, dir, warmup: options.warmup ?? 1500, requests: options.requests ?? 1500, baseline: options.baseline }),
      );
    }
    const bare = measured.get('bare express')!;
    const steady = (c: InstructionCounts) => c.total - c.compile;
    return variants.map((variant) => {
      const perRequest = measured.get(variant)!;
      return { variant, route, node, perRequest, ofBare: steady(bare) / steady(perRequest), ofBareRest: bare.rest / perRequest.rest };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatInstructions(results: readonly InstructionsResult[]): string {
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  const rows = results.map(
    (r) =>
      `${r.variant.padEnd(22)} ${k(r.perRequest.total).padStart(9)} ${k(r.perRequest.compile).padStart(9)} ${k(r.perRequest.gc).padStart(8)} ` +
      `${k(r.perRequest.rest).padStart(9)} ${k(r.perRequest.total - r.perRequest.compile).padStart(12)} ${`${r.ofBare.toFixed(2)}×`.padStart(8)} ${`${r.ofBareRest.toFixed(2)}×`.padStart(13)}`,
  );
  return [
    `instructions per request, ${results[0]?.route ?? ''} route (valgrind callgrind; node ${results[0]?.node ?? ''})`,
    `${'variant'.padEnd(22)} ${'total'.padStart(9)} ${'compile'.padStart(9)} ${'gc'.padStart(8)} ${'rest'.padStart(9)} ${'w/o compile'.padStart(12)} ${'÷ bare'.padStart(8)} ${'rest ÷ bare'.padStart(13)}`,
    ...rows,
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const args = process.argv.slice(2);
  handleBenchArgs(args, INSTRUCTIONS_USAGE);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const count = (flag: string) => {
    const raw = value(flag);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`${flag} needs a whole number of requests ≥ 1 (got "${raw}")\n`);
      process.exit(2);
    }
    return n;
  };
  const route = value('--route') as RouteName | undefined;
  if (route !== undefined && !(route in ROUTES)) {
    process.stderr.write(`--route must be one of ${Object.keys(ROUTES).join(', ')} (got "${route}")\n`);
    process.exit(2);
  }
  try {
    const results = await runInstructionsBench({
      requests: count('--requests'),
      warmup: count('--warmup'),
      route,
      baseline: value('--baseline') === undefined ? undefined : resolve(value('--baseline')!),
      node: value('--node'),
    });
    process.stdout.write(args.includes('--json') ? `${JSON.stringify(results, null, 2)}\n` : `${formatInstructions(results)}\n`);
  } catch (error) {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
