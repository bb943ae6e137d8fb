/**
 * CloudWatch sink benchmark: a burst of N log lines through pino → the built transport (worker thread) → the real
 * SDK → the local fake CloudWatch endpoint (its own worker thread). Prints, from one run: events/s end to end (first
 * write to last event stored), how full the burst's batches were (median and min), anything lost, and the app
 * thread's cost per line of logging to this sink next to logging the same lines to a file.
 *
 *   node dist/bench/cloudwatch.js            # 200,000 events
 *   node dist/bench/cloudwatch.js --smoke    # 20,000 events
 *   node dist/bench/cloudwatch.js --json     # the result object on stdout
 *   node dist/bench/cloudwatch.js --events=600000   # a longer burst (the steady state, past the JIT's warm-up)
 *
 * Loopback, so the figure is what one process's transport can do, not AWS's speed (real calls take ~50–150 ms).
 * Needs the build (the transport runs from dist/). Progress goes to stderr, figures to stdout.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type { EndpointCall, EndpointData } from './cloudwatch-endpoint.js';
import { processThreadsCpuNs, threadCpuNs } from './thread-cpu.js';
import { BENCH_USAGE, flagValue, handleBenchArgs } from './usage.js';

export interface CloudWatchBenchOptions {
  events?: number;
  /** Padding per line, to look like a real request.finish line (~300 bytes) by default. */
  padBytes?: number;
  /** Lines written per macrotask (the writer yields between chunks, as a server does between requests). */
  chunk?: number;
  /** Chunks of the app-thread comparison (sink and file alternate, chunk by chunk). */
  compareChunks?: number;
  /** Give up waiting for delivery after this long without progress. */
  stallTimeoutMs?: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface CloudWatchBenchResult {
  events: number;
  delivered: number;
  lost: number;
  seconds: number;
  /** Events of the burst / time from its first write until its last event was stored (the tail's wait included). */
  eventsPerSecond: number;
  /**
   * Events in the burst's full calls (all but the tail) / time from the first write until the last of those calls
   * was answered: the shipping rate itself. The tail (the few lines the burst's last full batch left over) waits by
   * design for the flush interval (half to one flushIntervalMs, 0.5–1 s by default), which eventsPerSecond includes.
   */
  sustainedEventsPerSecond: number;
  putCalls: number;
  failedCalls: number;
  /**
   * Fill of each successful call of the burst but its tail (the call with the last line, which the flush interval
   * sends with whatever the burst left over): the larger of
   * bytes / 1,048,576 and events / 10,000, i.e. how close the call came to the limit that ends a batch.
   */
  batchFill: Spread;
  /** Fill of the tail, for completeness. */
  tailFill: number;
  /**
   * App-thread time per line (ns): the logger.info calls plus the event-loop turn after them (thread-stream hands
   * the lines to the worker there), as the thread's CPU time, chunk by chunk, sink and file alternating.
   */
  mainThreadNsPerLine: { cloudwatch: Spread; file: Spread };
  /**
   * CPU time per event of the burst spent outside the app and endpoint threads: the transport's worker thread,
   * plus the process's helper threads (GC, libuv). 1e9 / this is the events/s one free core could ship.
   */
  transportCpuNsPerEvent: number | undefined;
  /** CPU time per event of the burst on the app thread (the writes and the wait for delivery) and on the endpoint's. */
  appCpuNsPerEvent: number | undefined;
  endpointCpuNsPerEvent: number | undefined;
  /**
   * transportCpuNsPerEvent split (Linux): the transport's own worker thread (the busiest thread that appeared while
   * the transport started), and the rest — V8's and libuv's helper threads, which serve EVERY isolate of the process
   * (the app's, the endpoint's and the transport's GC helpers and background JIT compilers), not the transport alone.
   */
  transportThreadCpuNsPerEvent: number | undefined;
  helperThreadsCpuNsPerEvent: number | undefined;
}

const GROUP = '/logjam/bench';
const STREAM = 'bench';
const PUT_LIMIT_BYTES = 1_048_576;
const PUT_LIMIT_EVENTS = 10_000;

/** The built transport, whether this file runs from dist/bench or from source (bench/ → dist/middleware). */
function transportPath(): string {
  const fromDist = fileURLToPath(new URL('../middleware/sinks/cloudwatch/transport.js', import.meta.url));
  if (existsSync(fromDist) && fromDist.includes(`${'/'}dist${'/'}`)) return fromDist;
  const fromSource = fileURLToPath(new URL('../dist/middleware/sinks/cloudwatch/transport.js', import.meta.url));
  if (existsSync(fromSource)) return fromSource;
  throw new Error('bench/cloudwatch: the transport is not built; run `npm run build` first');
}

function endpointPath(): URL {
  const here = new URL('./cloudwatch-endpoint.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../dist/bench/cloudwatch-endpoint.js', import.meta.url);
}

/** The endpoint worker: ask (or just listen, without a message), and wait for the one answer that carries `key`. */
function ask<T>(worker: Worker, message: string | undefined, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: Record<string, unknown>) => {
      if (!(key in answer)) return;
      worker.off('message', onMessage);
      resolve(answer[key] as T);
    };
    worker.on('message', onMessage);
    if (message !== undefined) worker.postMessage(message);
  });
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { median: 0, min: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

export async function runCloudWatchBench(options: CloudWatchBenchOptions = {}): Promise<CloudWatchBenchResult> {
  const burst = options.events ?? 200_000;
  const chunk = options.chunk ?? 2000;
  const compareChunks = options.compareChunks ?? 20;
  const total = burst + compareChunks * chunk;
  const stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
  const pad = 'x'.repeat(options.padBytes ?? 200);
  // The burst's last line marks its tail call (calls in flight together may land in any order).
  const endpointData: EndpointData = { group: GROUP, stream: STREAM, marker: `"seq":${burst - 1},` };
  const endpoint = new Worker(endpointPath(), { workerData: endpointData });
  const url = await ask<string>(endpoint, undefined, 'url');
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  const fileDir = mkdtempSync(join(tmpdir(), 'logjam-cw-bench-'));
  const endpointTid = await ask<number | undefined>(endpoint, 'tid', 'tid');
  const threadsBeforeTransport = processThreadsCpuNs();
  try {
    const transport = pino.transport({
      target: transportPath(),
      // The writer below is a burst far faster than any endpoint; a buffer that holds the whole burst measures
      // shipping throughput instead of the (separately tested) overflow policy.
      options: { logGroupName: GROUP, logStreamName: STREAM, service: 'bench', maxBufferedEvents: total + 1000, maxBufferedBytes: 512 * 1024 * 1024 },
    });
    const pinoOptions = { timestamp: pino.stdTimeFunctions.epochTime };
    const logger = pino(pinoOptions, transport);
    const fileDestination = pino.destination({ dest: join(fileDir, 'bench.log'), sync: false });
    const fileLogger = pino(pinoOptions, fileDestination);
    await new Promise<void>((resolve) => transport.once('ready', () => resolve()));
    /** Threads that appeared while the transport started: its worker thread among them. */
    const transportThreads = [...(processThreadsCpuNs()?.keys() ?? [])].filter(
      (tid) => threadsBeforeTransport !== undefined && !threadsBeforeTransport.has(tid) && tid !== endpointTid,
    );

    let seq = 0;
    /**
     * App-thread ns per line of one chunk: the writes and the event-loop turn after them (thread-stream copies the
     * lines into the worker's ring there), as this thread's CPU time (event-loop active time where unreadable).
     */
    const writeChunk = async (target: pino.Logger, lines: number): Promise<number> => {
      const cpuBefore = threadCpuNs();
      const loopBefore = performance.eventLoopUtilization();
      for (let i = 0; i < lines; i++) target.info({ event: 'request.finish', seq: seq++, route: '/api/v1/todos/:id', status: 200, pad }, 'request finished');
      await tick();
      const cpuAfter = threadCpuNs();
      const ns = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : performance.eventLoopUtilization(loopBefore).active * 1e6;
      return ns / lines;
    };

    const cpuAtStart = { process: process.cpuUsage(), main: threadCpuNs(), endpoint: await ask<number | undefined>(endpoint, 'cpu', 'cpu'), threads: processThreadsCpuNs() };
    const started = process.hrtime.bigint();
    for (let written = 0; written < burst; written += chunk) await writeChunk(logger, Math.min(chunk, burst - written));
    /** Events stored once `want` are, or when no progress was made for stallTimeoutMs. */
    const waitForDelivery = async (want: number): Promise<number> => {
      let delivered = await ask<number>(endpoint, 'count', 'count');
      let lastProgress = Date.now();
      while (delivered < want && Date.now() - lastProgress < stallTimeoutMs) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const now = await ask<number>(endpoint, 'count', 'count');
        if (now !== delivered) lastProgress = Date.now();
        delivered = now;
      }
      return delivered;
    };
    const burstDelivered = Math.min(burst, await waitForDelivery(burst));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const processCpuNs = (() => {
      const { user, system } = process.cpuUsage(cpuAtStart.process);
      return (user + system) * 1000;
    })();
    const mainCpu = threadCpuNs();
    const endpointCpu = await ask<number | undefined>(endpoint, 'cpu', 'cpu');
    const appCpuNs = mainCpu !== undefined && cpuAtStart.main !== undefined ? mainCpu - cpuAtStart.main : undefined;
    const endpointCpuNs = endpointCpu !== undefined && cpuAtStart.endpoint !== undefined ? endpointCpu - cpuAtStart.endpoint : undefined;
    const transportCpuNs = appCpuNs !== undefined && endpointCpuNs !== undefined ? processCpuNs - appCpuNs - endpointCpuNs : undefined;
    const threadsAtEnd = processThreadsCpuNs();
    const transportThreadCpuNs =
      threadsAtEnd && cpuAtStart.threads && transportThreads.length > 0
        ? Math.max(...transportThreads.map((tid) => (threadsAtEnd.get(tid) ?? 0) - (cpuAtStart.threads!.get(tid) ?? 0)))
        : undefined;
    const burstCalls = (await ask<EndpointCall[]>(endpoint, 'calls', 'calls')).filter((c) => c.status === 200 && c.dropReports < c.events);

    // The app-thread comparison: the same lines to the sink and to a file, chunk by chunk, alternating.
    const sinkNs: number[] = [];
    const fileNs: number[] = [];
    for (let i = 0; i < compareChunks; i++) {
      sinkNs.push(await writeChunk(logger, chunk));
      fileNs.push(await writeChunk(fileLogger, chunk));
    }
    await waitForDelivery(total);

    // Delivered already: ending now does not wait on the endpoint.
    await new Promise<void>((resolve) => {
      transport.once('close', () => resolve());
      transport.end();
    });
    await new Promise<void>((resolve) => {
      fileDestination.once('close', () => resolve());
      fileDestination.end();
    });

    const calls = await ask<EndpointCall[]>(endpoint, 'calls', 'calls');
    const puts = calls.length;
    const ok = calls.filter((c) => c.status === 200);
    const userEvents = ok.reduce((sum, c) => sum + c.events - c.dropReports, 0);
    const fill = (c: EndpointCall) => Math.max(c.bytes / PUT_LIMIT_BYTES, c.events / PUT_LIMIT_EVENTS);
    // The tail is the call with the burst's last line (calls in flight together may land in any order).
    const tail = burstCalls.find((c) => c.holdsMarker);
    const fullCalls = burstCalls.filter((c) => c !== tail);
    const burstFills = fullCalls.map(fill);
    const fullEvents = fullCalls.reduce((sum, c) => sum + c.events, 0);
    const lastFullNs = fullCalls.reduce((last, c) => Math.max(last, c.answeredAtNs), Number(started));
    const fullSeconds = (lastFullNs - Number(started)) / 1e9;
    return {
      events: total,
      delivered: userEvents,
      lost: total - userEvents,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(burstDelivered / seconds),
      sustainedEventsPerSecond: fullSeconds > 0 ? Math.round(fullEvents / fullSeconds) : 0,
      putCalls: puts,
      failedCalls: puts - ok.length,
      batchFill: spread(burstFills),
      tailFill: tail ? fill(tail) : 0,
      mainThreadNsPerLine: { cloudwatch: spread(sinkNs), file: spread(fileNs) },
      transportCpuNsPerEvent: transportCpuNs === undefined ? undefined : Math.round(transportCpuNs / burst),
      appCpuNsPerEvent: appCpuNs === undefined ? undefined : Math.round(appCpuNs / burst),
      endpointCpuNsPerEvent: endpointCpuNs === undefined ? undefined : Math.round(endpointCpuNs / burst),
      transportThreadCpuNsPerEvent: transportThreadCpuNs === undefined ? undefined : Math.round(transportThreadCpuNs / burst),
      helperThreadsCpuNsPerEvent:
        transportThreadCpuNs === undefined || transportCpuNs === undefined ? undefined : Math.round((transportCpuNs - transportThreadCpuNs) / burst),
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    endpoint.postMessage('close');
    await new Promise((resolve) => endpoint.once('exit', resolve));
    rmSync(fileDir, { recursive: true, force: true });
  }
}

export function formatCloudWatchBench(r: CloudWatchBenchResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const ns = (s: Spread) => `${Math.round(s.median)} ns (min ${Math.round(s.min)}, max ${Math.round(s.max)})`;
  const { cloudwatch, file } = r.mainThreadNsPerLine;
  return [
    `cloudwatch sink: ${r.delivered}/${r.events} events delivered; the burst shipped at ${r.eventsPerSecond} events/s (${r.seconds} s, first write to last event stored)`,
    `  sustained: ${r.sustainedEventsPerSecond} events/s (the burst's full calls, first write to the last of them stored; the tail waits for the flush interval by design)`,
    `  PutLogEvents calls: ${r.putCalls} (${r.failedCalls} failed: the first finds the stream missing)`,
    `  batch fill during the burst (all calls but the tail): median ${pct(r.batchFill.median)}, min ${pct(r.batchFill.min)}; tail ${pct(r.tailFill)}`,
    `  app thread per line: cloudwatch ${ns(cloudwatch)}, file ${ns(file)}; ratio of medians ${(cloudwatch.median / file.median).toFixed(2)}`,
    r.transportCpuNsPerEvent === undefined
      ? '  transport CPU per event: not measurable here'
      : `  transport CPU per event: ${r.transportCpuNsPerEvent} ns (worker + helper threads), i.e. one free core ships ~${Math.round(1e9 / r.transportCpuNsPerEvent)} events/s`,
    r.transportThreadCpuNsPerEvent === undefined || r.helperThreadsCpuNsPerEvent === undefined
      ? '  of which the transport worker thread: not measurable here'
      : `  of which the transport worker thread ${r.transportThreadCpuNsPerEvent} ns; V8/libuv helper threads ${r.helperThreadsCpuNsPerEvent} ns (GC helpers and background JIT of ALL the isolates: app, transport, endpoint)`,
    r.appCpuNsPerEvent === undefined || r.endpointCpuNsPerEvent === undefined
      ? '  app / endpoint thread CPU per event: not measurable here'
      : `  CPU per event of the burst: app thread ${r.appCpuNsPerEvent} ns, endpoint thread ${r.endpointCpuNsPerEvent} ns (the bench's fake CloudWatch)`,
    `  lost: ${r.lost}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  handleBenchArgs(args, BENCH_USAGE.cloudwatch);
  // --events N: a longer burst shows the steady state (a 200,000-line burst lasts ~2 s, and the JIT's background
  // compiling of the three isolates is a visible part of it).
  const eventsArg = flagValue(args, '--events');
  const events = eventsArg !== undefined ? Number(eventsArg) : args.includes('--smoke') ? 20_000 : 200_000;
  if (!Number.isSafeInteger(events) || events < 1) {
    process.stderr.write(`--events needs a positive whole number (got "${eventsArg}")\n`);
    process.exit(2);
  }
  process.stderr.write(`cloudwatch bench: ${events} events through the transport to a local endpoint…\n`);
  runCloudWatchBench({ events, compareChunks: args.includes('--smoke') ? 5 : 20 })
    .then((result) => {
      process.stdout.write(args.includes('--json') ? `${JSON.stringify(result)}\n` : `${formatCloudWatchBench(result)}\n`);
      process.exitCode = result.lost > 0 ? 1 : 0;
    })
    .catch((error: unknown) => {
      process.stderr.write(`cloudwatch bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    });
}
