/**
 * createLogger/closeLogger: a pino logger whose lines follow middleware/schema.ts, writing to stdout, a file and/or
 * CloudWatch Logs (through a pino transport running in a worker thread, so shipping never blocks the request path).
 */
import cluster from 'node:cluster';
import { mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino from 'pino';
import type { DestinationStream, Logger, StreamEntry } from 'pino';
import { BoundedStream, type BackpressureTarget } from './bounded-stream.js';
import { BufferedFileSink } from './buffered-file-sink.js';
import { stdoutSink } from './stdout-sink.js';
import { flushOnSignal } from './flush-on-signal.js';
import { forgetDefaultLogger, offerDefaultLogger } from './default-logger.js';
import { serializeError } from './errors.js';
import { droppedLine } from './dropped-line.js';
import { serializeLinesDirectly } from './line-writer.js';
import { FIELDS, LEVELS, SCHEMA_VERSION } from './schema.js';
import { cloudWatchTransportPath } from './transport-path.js';
import { assertAwsSdkInstalled } from './sinks/cloudwatch/sdk-check.js';
import type { CloudWatchSinkOptions, CloudWatchTransportOptions, LoggerOptions } from './types.js';
import { CREATE_GROUP_ENV, parseCreateGroupEnv } from './sinks/cloudwatch/options.js';

/**
 * Always redacted wherever an application logs a headers object: at the top level or under req/res/request/response.
 * No leading-wildcard paths on purpose: pino runs a leading `*` path's redactor on EVERY field of EVERY line.
 */
const ALWAYS_REDACTED = ['', 'req.', 'res.', 'request.', 'response.'].flatMap((prefix) => [
  `${prefix}headers.authorization`,
  `${prefix}headers.cookie`,
  `${prefix}headers["set-cookie"]`,
]);

const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

/**
 * Default bytes the file sink gathers before one write (about 25 request lines): far fewer write calls under load,
 * and at most this much (or FILE_FLUSH_INTERVAL_MS of lines) lost if the process is SIGKILLed. 0: write each line.
 */
export const DEFAULT_FILE_BUFFER_BYTES = 8192;
/** Upper bound of fileBufferBytes and stdoutBufferBytes: a larger buffer saves nothing more and loses more on a SIGKILL. */
export const MAX_FILE_BUFFER_BYTES = 1024 * 1024;
/** Gathered lines are written at least this often, however light the traffic (file and stdout). */
export const FILE_FLUSH_INTERVAL_MS = 100;
/**
 * Default bytes stdout gathers before one write (about 12 request lines): PIPE_BUF, the most a pipe writes whole,
 * so processes sharing one stdout pipe never interleave mid-line. 0: write each line (as on a terminal, always).
 */
export const DEFAULT_STDOUT_BUFFER_BYTES = 4096;

/**
 * Default bound on the bytes queued in the app thread for the CloudWatch worker beyond thread-stream's 4 MB ring:
 * about a second of a busy process's logging, far above a normal burst, far below what hurts a container.
 */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** Something closeLogger must wait for: resolves true when the destination flushed everything it held. */
type Closer = () => Promise<void>;

/** Destinations owned by each logger createLogger made, so closeLogger can flush and end them. */
const closers = new WeakMap<Logger, Closer[]>();

/** A logger following the schema; the first one made in the process is also the process default (default-logger.ts). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = buildLogger(options);
  offerDefaultLogger(logger);
  return logger;
}

/** createLogger without the default registration: the stand-in made when the default is needed before the service made one. */
export function buildLogger(options: LoggerOptions = {}): Logger {
  const env = process.env;
  const service = options.service ?? nonEmpty(env.SERVICE_NAME) ?? 'app';
  const level = resolveLevel(options.level ?? nonEmpty(env.LOG_LEVEL) ?? 'info');
  const worker = options.worker ?? (cluster.isWorker ? cluster.worker?.id : undefined);

  const base: Record<string, unknown> = {
    [FIELDS.schema]: SCHEMA_VERSION,
    [FIELDS.service]: service,
    [FIELDS.host]: hostname(),
    [FIELDS.pid]: process.pid,
  };
  if (worker !== undefined) base[FIELDS.worker] = worker;

  const streams: DestinationStream[] = [];
  const ownClosers: Closer[] = [];

  if (options.stdout ?? true) {
    // One process-wide sink gathering lines for one write per stdoutBufferBytes (stdout-sink.ts); exit, uncaught
    // exceptions and SIGTERM/SIGINT write out what it holds, as for the file. closeLogger flushes it.
    const sink = stdoutSink(resolveBufferBytes('stdoutBufferBytes', options.stdoutBufferBytes, DEFAULT_STDOUT_BUFFER_BYTES), FILE_FLUSH_INTERVAL_MS);
    streams.push(sink);
    ownClosers.push(() => {
      sink.flushSync();
      return Promise.resolve();
    });
  }

  const file = options.file ?? nonEmpty(env.LOG_FILE);
  if (file !== undefined) {
    // Gathered lines, one synchronous write per fileBufferBytes (or per FILE_FLUSH_INTERVAL_MS when traffic is
    // light) instead of one per line (buffered-file-sink.ts). closeLogger, process exit (the sink's exit hook), an
    // uncaught exception (exit again) and SIGTERM/SIGINT (flush-on-signal.ts) write out what is gathered.
    const dest = new BufferedFileSink(
      // opened here, synchronously: lines written before an asynchronous open completed were lost when the process
      // ended at once (process.exit or an uncaught exception just after start: the exit hook had no file to write to)
      openForAppend(file),
      { bufferBytes: resolveBufferBytes('fileBufferBytes', options.fileBufferBytes, DEFAULT_FILE_BUFFER_BYTES), flushIntervalMs: FILE_FLUSH_INTERVAL_MS },
    );
    streams.push(dest);
    const unguard = flushOnSignal(dest);
    ownClosers.push(() => endFileSink(dest).finally(unguard));
  }

  const cloudwatch = options.cloudwatch === undefined ? cloudWatchFromEnv(env) : options.cloudwatch;
  if (cloudwatch) {
    assertAwsSdkInstalled('the CloudWatch sink');
    // maxPendingBytes is the host's side of the bound: the worker never sees it.
    const { maxPendingBytes, ...sinkOptions } = cloudwatch;
    const pendingBound = resolveMaxPendingBytes(maxPendingBytes);
    const transportOptions: CloudWatchTransportOptions = { ...sinkOptions, service };
    const transport: ThreadStreamLike = pino.transport({
      target: cloudWatchTransportPath(import.meta.url),
      options: transportOptions,
    });
    const guarded = new BoundedStream(transport, {
      maxPendingBytes: pendingBound,
      dropNotice: (dropped) => backpressureLine(base, dropped),
      report: (notice) => process.stderr.write(notice),
    });
    streams.push(guarded);
    reportDropsAtExit(guarded, transport);
    ownClosers.push(() => {
      // Before ending: the notice must go into the transport while it still takes lines.
      guarded.reportDrops();
      return endTransport(transport);
    });
  }

  if (options.destination) streams.push(options.destination);

  const logger = pino(
    {
      level,
      base,
      messageKey: FIELDS.msg,
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ [FIELDS.level]: label }) },
      // Errors logged by application code (`getLogger().error({ err })`) take the schema's SerializedError shape;
      // lines the middleware built already hold one, and pass through untouched.
      serializers: { [FIELDS.err]: errSerializer },
      redact: { paths: [...ALWAYS_REDACTED, ...(options.redact ?? [])], censor: '[redacted]' },
    },
    combine(streams),
  );
  closers.set(logger, ownClosers);
  serializeLinesDirectly(logger);
  return logger;
}

/**
 * Flush and close every destination of a logger made by createLogger, bounded by timeoutMs. Resolves
 * { flushed: false } when the bound was hit (the CloudWatch sink counts what it could not ship).
 * For any other logger (or a child), flushes what pino buffers and resolves.
 */
export async function closeLogger(logger: Logger, timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<{ flushed: boolean }> {
  forgetDefaultLogger(logger);
  const own = closers.get(logger);
  if (own === undefined) {
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    return { flushed: true };
  }
  closers.delete(logger);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const closed = Promise.allSettled(own.map((close) => close())).then((results) =>
    results.every((r) => r.status === 'fulfilled'),
  );
  try {
    return { flushed: await Promise.race([closed, timedOut]) };
  } finally {
    clearTimeout(timer);
  }
}

function errSerializer(err: unknown): unknown {
  return err instanceof Error ? serializeError(err, { includeMessage: true }) : err;
}

function combine(streams: DestinationStream[]): DestinationStream {
  if (streams.length === 1) return streams[0] as DestinationStream;
  // Nowhere to write (stdout: false and no other sink): a sink that discards, rather than pino's stdout default.
  if (streams.length === 0) return { write: () => undefined };
  // Every stream takes every level the logger emits: the logger's own level is the one filter.
  const entries: StreamEntry[] = streams.map((stream) => ({ stream, level: 'trace' }));
  return pino.multistream(entries);
}

function resolveLevel(level: string): string {
  const wanted = level.toLowerCase();
  if (wanted === 'silent' || (LEVELS as readonly string[]).includes(wanted)) return wanted;
  throw new Error(`logjam: log level "${level}" is not one of ${LEVELS.join(', ')}, silent (check LOG_LEVEL)`);
}

function cloudWatchFromEnv(env: NodeJS.ProcessEnv): CloudWatchSinkOptions | false {
  const logGroupName = nonEmpty(env.LOGJAM_CLOUDWATCH_LOG_GROUP);
  if (logGroupName === undefined) return false;
  const options: CloudWatchSinkOptions = { logGroupName };
  const logStreamName = nonEmpty(env.LOGJAM_CLOUDWATCH_LOG_STREAM);
  if (logStreamName !== undefined) options.logStreamName = logStreamName;
  // parsed here too so a bad value fails at start in the main process (like a bad LOG_LEVEL), not in the worker
  const createLogGroup = parseCreateGroupEnv(env[CREATE_GROUP_ENV]);
  if (createLogGroup !== undefined) options.createLogGroup = createLogGroup;
  return options;
}

function openForAppend(file: string): number {
  try {
    mkdirSync(dirname(file), { recursive: true });
    return openSync(file, 'a');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`logjam: cannot open the log file "${file}" for appending (${reason}): check LOG_FILE / the file option`);
  }
}

function resolveBufferBytes(setting: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_FILE_BUFFER_BYTES) {
    throw new Error(`logjam: ${setting} must be a whole number of bytes from 0 to ${MAX_FILE_BUFFER_BYTES}, got ${String(value)}`);
  }
  return value;
}

function resolveMaxPendingBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_PENDING_BYTES;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new Error(`logjam: cloudwatch.maxPendingBytes must be a positive number of bytes, got ${String(value)}`);
  }
  return Math.floor(value);
}

/** The one `log.dropped` line for lines dropped because the transport's worker fell behind (same shape as the sink's). */
function backpressureLine(base: Record<string, unknown>, dropped: number): string {
  return `${droppedLine({ base, dropped, reason: BACKPRESSURE_REASON, sink: 'cloudwatch', detail: "the transport's worker fell behind" })}\n`;
}

const BACKPRESSURE_REASON = 'backpressure';

/**
 * Guards whose drops must be reported when the process exits without closeLogger. ONE 'exit' listener for all of
 * them, PREPENDED so it runs before pino's own exit hook ends the transport (after that it takes no more lines).
 * WeakRefs: an abandoned logger's transport stays collectable, as it is without the guard.
 */
const guardsToReportAtExit = new Set<WeakRef<BoundedStream>>();
let exitHookInstalled = false;

function reportDropsAtExit(guard: BoundedStream, transport: ThreadStreamLike): void {
  const ref = new WeakRef(guard);
  guardsToReportAtExit.add(ref);
  transport.on('close', () => guardsToReportAtExit.delete(ref));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.prependListener('exit', () => {
    for (const each of guardsToReportAtExit) each.deref()?.reportDrops();
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}


/** The file sink's end() writes out what is gathered, then closes the file. */
function endFileSink(dest: BufferedFileSink): Promise<void> {
  return new Promise((resolve, reject) => {
    dest.once('close', () => resolve());
    dest.once('error', (err) => reject(err ?? new Error('file sink failed')));
    dest.end();
  });
}

interface ThreadStreamLike extends BackpressureTarget {
  end(): void;
  closed?: boolean;
  once(event: 'close' | 'error', listener: (err?: Error) => void): unknown;
}

/** Ending the transport stream lets the worker run its final flush; 'close' fires when the worker has exited. */
function endTransport(transport: ThreadStreamLike): Promise<void> {
  if (transport.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    transport.once('close', () => resolve());
    transport.once('error', (err) => reject(err ?? new Error('CloudWatch transport failed')));
    transport.end();
  });
}
