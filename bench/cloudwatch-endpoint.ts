/**
 * The CloudWatch benchmark's endpoint, in a worker thread of its own: a lean fake of CloudWatch Logs for the SDK's
 * AWS JSON 1.1 calls the sink makes (CreateLogGroup, CreateLogStream, PutLogEvents). On the writer's thread its work
 * would be counted as the app's cost per line; and on 2 cores it shares the CPU with the app and the transport, so
 * whatever it spends per event lowers the throughput the transport is measured at.
 *
 * It checks every event of every PutLogEvents like the real service (and test/support/fake-cloudwatch/server.ts,
 * which the sink's tests use): a numeric timestamp and a non-empty message, chronological order, at most 10,000
 * events and 1,048,576 bytes (message UTF-8 bytes + 26 per event), a 24-hour span, the 14-day / 2-hour window; a
 * call that breaks one is refused with AWS's error. What it does NOT do, unlike the test fake, is keep the events:
 * it keeps a count per stream and, per call, the figures the bench reports (retaining 200,000 parsed messages made
 * every scavenge copy them: the old endpoint spent about as much CPU per event as the transport, half of it in GC).
 *
 * Messages: 'count' → events stored so far; 'cpu' → this thread's CPU time (ns); 'tid' → its kernel thread id;
 * 'calls' → one entry per PutLogEvents answered; 'close'.
 */
import { isAscii } from 'node:buffer';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuNs, threadId } from './thread-cpu.js';
import { PUT_LIMITS } from '../test/support/fake-cloudwatch/server.js';

export interface EndpointCall {
  status: number;
  events: number;
  /** message UTF-8 bytes + 26 per event */
  bytes: number;
  /** events of this call that are the sink's own `log.dropped` reports */
  dropReports: number;
  /** the call holds the line given as `marker` (the last line of the burst: calls may land out of order) */
  holdsMarker: boolean;
  /** when the call was answered, as process.hrtime.bigint() in ns (one monotonic clock for every thread) */
  answeredAtNs: number;
}

export interface EndpointData {
  group: string;
  stream: string;
  /** text of the burst's last line (nothing may be written after it until it is stored): its call is the burst's tail */
  marker: string;
}


class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const { group, stream, marker } = workerData as EndpointData;
/** The text of the sink's own `log.dropped` events, and that text as it appears inside the JSON body. */
const DROP_REPORT = '"log.dropped"';
const DROP_REPORT_RAW = Buffer.from(JSON.stringify(DROP_REPORT).slice(1, -1));
const port = parentPort!;
/** Stored events per `${group}\n${stream}`; a key exists once the stream is created. */
const streams = new Map<string, number>();
const groups = new Set<string>();
const calls: EndpointCall[] = [];

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw new AwsError('InvalidParameterException', `${field} is required`);
  return value;
}

function putLogEvents(body: Record<string, unknown>, raw: Buffer, call: EndpointCall): unknown {
  const groupName = text(body, 'logGroupName');
  const key = `${groupName}\n${text(body, 'logStreamName')}`;
  if (!groups.has(groupName)) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  const stored = streams.get(key);
  if (stored === undefined) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const events = body.logEvents as { timestamp?: unknown; message?: unknown }[] | undefined;
  if (!Array.isArray(events) || events.length === 0 || events.length > PUT_LIMITS.maxEvents) {
    throw new AwsError('InvalidParameterException', `logEvents must hold 1 to ${PUT_LIMITS.maxEvents} events`);
  }
  let bytes = 0;
  let previous = -Infinity;
  for (const event of events) {
    const { timestamp, message } = event;
    if (typeof timestamp !== 'number' || typeof message !== 'string' || message.length === 0) {
      throw new AwsError('InvalidParameterException', 'Each log event needs a numeric timestamp and a non-empty message.');
    }
    if (timestamp < previous) throw new AwsError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    previous = timestamp;
    bytes += Buffer.byteLength(message, 'utf8') + PUT_LIMITS.perEventOverheadBytes;
  }
  if (bytes > PUT_LIMITS.maxBatchBytes) throw new AwsError('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of ${PUT_LIMITS.maxBatchBytes}`);
  const first = events[0]!.timestamp as number;
  if (previous - first > PUT_LIMITS.maxSpanMs) throw new AwsError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  // In time order, so the too-old events are a prefix and the too-new ones a suffix (as the API reports them).
  const now = Date.now();
  let tooOldEnd = 0;
  while (tooOldEnd < events.length && (events[tooOldEnd]!.timestamp as number) < now - PUT_LIMITS.maxAgeMs) tooOldEnd++;
  let tooNewStart = events.length;
  while (tooNewStart > tooOldEnd && (events[tooNewStart - 1]!.timestamp as number) > now + PUT_LIMITS.maxFutureMs) tooNewStart--;
  streams.set(key, stored + tooNewStart - tooOldEnd);
  call.events = events.length;
  call.bytes = bytes;
  // The drop reports are searched in the raw body (one native search per call instead of one per event), then
  // confirmed on the parsed messages where found. The sink's bodies come from JSON.stringify, which
  // writes a message's `"` as `\"`: that is the form searched for.
  if (raw.includes(DROP_REPORT_RAW)) call.dropReports = events.filter((e) => (e.message as string).includes(DROP_REPORT)).length;
  // The marker (the burst's last line) is the newest line of its call: nothing is written after it until the bench
  // has seen it stored, and a call is in time order (stable, so it is last among equal timestamps) — so only each
  // call's last message is looked at, instead of searching the whole ~1 MB body (~0.7 ms a call: ~5 % of this thread's CPU).
  call.holdsMarker = marker.length > 0 && events.length > 0 && (events[events.length - 1]!.message as string).includes(marker);
  const rejected: Record<string, number> = {};
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  return tooOldEnd > 0 || tooNewStart < events.length ? { rejectedLogEventsInfo: rejected } : {};
}

function operate(op: string, body: Record<string, unknown>, raw: Buffer, call: EndpointCall | undefined): unknown {
  if (op === 'PutLogEvents') return putLogEvents(body, raw, call!);
  if (op === 'CreateLogGroup') {
    const name = text(body, 'logGroupName');
    if (groups.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    groups.add(name);
    return {};
  }
  if (op === 'CreateLogStream') {
    const name = text(body, 'logGroupName');
    const key = `${name}\n${text(body, 'logStreamName')}`;
    if (!groups.has(name)) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    if (streams.has(key)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    streams.set(key, 0);
    return {};
  }
  throw new AwsError('UnknownOperationException', `Unknown operation ${op}`);
}

function answer(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': String(calls.length),
    ...(errorType ? { 'x-amzn-errortype': `${errorType}:` } : {}),
  });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = target.slice(target.indexOf('.') + 1);
  const call: EndpointCall | undefined = op === 'PutLogEvents' ? { status: 0, events: 0, bytes: 0, dropReports: 0, holdsMarker: false, answeredAtNs: 0 } : undefined;
  if (call) calls.push(call);
  try {
    let body: unknown;
    try {
      // An all-ASCII body (the usual one) decodes the same as latin1, which skips UTF-8 validation: half the cost.
      body = JSON.parse(raw.toString(isAscii(raw) ? 'latin1' : 'utf8'));
    } catch {
      throw new AwsError('SerializationException', 'Expected a JSON object body');
    }
    if (typeof body !== 'object' || body === null) throw new AwsError('SerializationException', 'Expected a JSON object body');
    const result = operate(op, body as Record<string, unknown>, raw, call);
    if (call) {
      call.status = 200;
      call.answeredAtNs = Number(process.hrtime.bigint());
    }
    answer(res, 200, result);
  } catch (error) {
    const type = error instanceof AwsError ? error.type : 'ServiceUnavailableException';
    const status = error instanceof AwsError ? 400 : 500;
    if (call) {
      call.status = status;
      call.answeredAtNs = Number(process.hrtime.bigint());
    }
    answer(res, status, { __type: `com.amazonaws.logs#${type}`, message: error instanceof Error ? error.message : String(error) }, type);
  }
}

const server = createServer((req, res) => {
  // The SDK sends content-length: one buffer of that size, filled as the body arrives (no list of chunks to join).
  const length = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let raw = Number.isSafeInteger(length) && length >= 0 ? Buffer.allocUnsafe(length) : undefined;
  let filled = 0;
  req.on('data', (chunk: Buffer) => {
    if (raw && filled + chunk.length <= raw.length) filled += chunk.copy(raw, filled);
    else {
      if (raw) chunks.push(raw.subarray(0, filled));
      raw = undefined;
      chunks.push(chunk);
    }
  });
  req.on('end', () => handle(req, res, raw ? raw.subarray(0, filled) : Buffer.concat(chunks)));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

port.on('message', (message: string) => {
  if (message === 'count') port.postMessage({ count: streams.get(`${group}\n${stream}`) ?? 0 });
  else if (message === 'cpu') port.postMessage({ cpu: threadCpuNs() });
  else if (message === 'tid') port.postMessage({ tid: threadId() });
  else if (message === 'calls') port.postMessage({ calls });
  else if (message === 'close') {
    server.closeAllConnections();
    server.close(() => port.close());
  }
});
port.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
