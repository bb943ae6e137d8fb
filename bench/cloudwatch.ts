/**
 * CloudWatch sink benchmark: N log lines through pino → the built transport (worker thread) → the real SDK → the
 * local fake CloudWatch endpoint. Prints events/s end to end (first write to last event stored), PutLogEvents
 * calls, mean bytes per call (as AWS counts them: message bytes + 26 per event), and anything lost.
 *
 *   node dist/bench/cloudwatch.js            # 200,000 events
 *   node dist/bench/cloudwatch.js --smoke    # 20,000 events
 *   node dist/bench/cloudwatch.js --json     # the result object on stdout
 *
 * The fake endpoint runs on this thread, next to the writer, so the figure is a floor for one process, not AWS's
 * speed (real calls take ~50–150 ms each: one sender then tops out near 20–60k events/s).
 * Needs the build (the transport runs from dist/). Progress goes to stderr, figures to stdout.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { startFakeCloudWatch } from '../test/support/fake-cloudwatch/server.js';

export interface CloudWatchBenchOptions {
  events?: number;
  /** Padding per line, to look like a real request.finish line (~300 bytes) by default. */
  padBytes?: number;
  /** Lines written per macrotask: the fake endpoint shares this thread, so the writer yields between chunks. */
  chunk?: number;
  /** Give up waiting for delivery after this long without progress. */
  stallTimeoutMs?: number;
}

export interface CloudWatchBenchResult {
  events: number;
  delivered: number;
  lost: number;
  seconds: number;
  eventsPerSecond: number;
  putCalls: number;
  failedCalls: number;
  meanBytesPerCall: number;
  meanEventsPerCall: number;
  /** Mean bytes per successful call / the PutLogEvents limit (1,048,576): how full the batches were. */
  meanFill: number;
  /**
   * Time the app's own thread spent in logger.info (serializing and handing the line to the worker), per line: the
   * sink's cost on the request path. The shipping itself runs in the worker thread.
   */
  mainThreadUsPerLine: number;
}

const GROUP = '/logjam/bench';
const PUT_LIMIT_BYTES = 1_048_576;

/** The built transport, whether this file runs from dist/bench or from source (bench/ → dist/middleware). */
function transportPath(): string {
  const fromDist = fileURLToPath(new URL('../middleware/sinks/cloudwatch/transport.js', import.meta.url));
  if (existsSync(fromDist) && fromDist.includes(`${'/'}dist${'/'}`)) return fromDist;
  const fromSource = fileURLToPath(new URL('../dist/middleware/sinks/cloudwatch/transport.js', import.meta.url));
  if (existsSync(fromSource)) return fromSource;
  throw new Error('bench/cloudwatch: the transport is not built; run `npm run build` first');
}

export async function runCloudWatchBench(options: CloudWatchBenchOptions = {}): Promise<CloudWatchBenchResult> {
  const total = options.events ?? 200_000;
  const chunk = options.chunk ?? 2000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
  const pad = 'x'.repeat(options.padBytes ?? 200);
  const fake = await startFakeCloudWatch();
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  try {
    const transport = pino.transport({
      target: transportPath(),
      // The writer below is a burst far faster than any endpoint; a buffer that holds the whole burst measures
      // shipping throughput instead of the (separately tested) overflow policy.
      options: { logGroupName: GROUP, logStreamName: 'bench', service: 'bench', maxBufferedEvents: total + 1000, maxBufferedBytes: 512 * 1024 * 1024 },
    });
    const logger = pino({ timestamp: pino.stdTimeFunctions.epochTime }, transport);
    await new Promise<void>((resolve) => transport.once('ready', () => resolve()));

    const started = process.hrtime.bigint();
    let writingNs = 0n;
    for (let written = 0; written < total; ) {
      const end = Math.min(total, written + chunk);
      const chunkStart = process.hrtime.bigint();
      for (; written < end; written++) logger.info({ event: 'request.finish', seq: written, route: '/api/v1/todos/:id', status: 200, pad }, 'request finished');
      writingNs += process.hrtime.bigint() - chunkStart;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Wait for delivery while progress is being made (bounded: a stall ends the wait).
    let delivered = 0;
    let lastProgress = Date.now();
    while (delivered < total && Date.now() - lastProgress < stallTimeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = fake.events(GROUP, 'bench').length;
      if (now !== delivered) lastProgress = Date.now();
      delivered = now;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // Delivered already: ending now cannot stall on the fake server sharing this thread.
    await new Promise<void>((resolve) => {
      transport.once('close', () => resolve());
      transport.end();
    });

    const puts = fake.calls.filter((c) => c.op === 'PutLogEvents');
    const ok = puts.filter((c) => c.status === 200);
    const bytes = fake.events(GROUP, 'bench').reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0);
    const userEvents = fake.events(GROUP, 'bench').filter((e) => !e.message.includes('"log.dropped"')).length;
    return {
      events: total,
      delivered: userEvents,
      lost: total - userEvents,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(userEvents / seconds),
      putCalls: puts.length,
      failedCalls: puts.length - ok.length,
      meanBytesPerCall: ok.length ? Math.round(bytes / ok.length) : 0,
      meanEventsPerCall: ok.length ? Math.round(userEvents / ok.length) : 0,
      meanFill: ok.length ? Number((bytes / ok.length / PUT_LIMIT_BYTES).toFixed(3)) : 0,
      mainThreadUsPerLine: Number((Number(writingNs) / 1e3 / total).toFixed(2)),
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await fake.close();
  }
}

export function formatCloudWatchBench(r: CloudWatchBenchResult): string {
  return [
    `cloudwatch sink: ${r.delivered}/${r.events} events delivered in ${r.seconds} s = ${r.eventsPerSecond} events/s`,
    `  PutLogEvents calls: ${r.putCalls} (${r.failedCalls} failed: the first finds the stream missing), mean ${r.meanEventsPerCall} events and ${r.meanBytesPerCall} bytes per call (limit 1,048,576)`,
    `  batches ${(r.meanFill * 100).toFixed(1)} % full on average (by bytes); app thread: ${r.mainThreadUsPerLine} us per line written`,
    `  lost: ${r.lost}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const events = args.includes('--smoke') ? 20_000 : 200_000;
  process.stderr.write(`cloudwatch bench: ${events} events through the transport to a local endpoint…\n`);
  runCloudWatchBench({ events })
    .then((result) => {
      process.stdout.write(args.includes('--json') ? `${JSON.stringify(result)}\n` : `${formatCloudWatchBench(result)}\n`);
      process.exitCode = result.lost > 0 ? 1 : 0;
    })
    .catch((error: unknown) => {
      process.stderr.write(`cloudwatch bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    });
}
