/**
 * A local CloudWatch Logs endpoint for tests and benchmarks: a node:http server on 127.0.0.1 that speaks the
 * AWS JSON 1.1 protocol the real @aws-sdk/client-cloudwatch-logs uses (POST /, `X-Amz-Target:
 * Logs_20140328.<Operation>`, JSON bodies). It enforces the real PutLogEvents limits so a sink that passes here
 * does not get its batches refused by AWS, and it can inject faults (named errors, 5xx, a dropped connection)
 * so retry and drop accounting can be tested through the real SDK.
 *
 * Errors are answered like AWS does: HTTP 400 (or the given status) with `{"__type": "<namespace>#<Name>",
 * "message": "…"}` and the `x-amzn-ErrorType` header. The SDK's JSON-RPC error parser reads `__type` first and keeps
 * the part after `#`, so the client raises the modelled exception class (ResourceNotFoundException…) or, for
 * names the model does not know (ThrottlingException), a generic ServiceException whose `name` is that name.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface FakeStore {
  groups: Map<string, { createdAt: number; streams: Map<string, StoredEvent[]> }>;
}

/** Throw this from an operation handler to answer with an AWS-style error. */
export class FakeAwsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'FakeAwsError';
    this.type = type;
    this.status = status;
  }
}

export type OperationHandler = (body: any, store: FakeStore) => unknown | Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeFault {
  /** Error name, e.g. 'ThrottlingException'. Default: 'ServiceUnavailableException' for 5xx, else 'InvalidParameterException'. */
  type?: string;
  /** HTTP status. Default 400 (AWS answers throttling and validation errors with 400). */
  status?: number;
  message?: string;
  /** How many matching calls get this fault. Default 1; Infinity for "until cleared". */
  times?: number;
  /** Destroy the socket instead of answering (the SDK sees a network error). */
  down?: boolean;
}

export interface FakeCall {
  op: string;
  at: number;
  body: unknown;
  /** HTTP status answered; 0 when the connection was destroyed (down). */
  status: number;
}

export interface FakeCloudWatch {
  url: string;
  store: FakeStore;
  calls: FakeCall[];
  /** fault injection: answer the next n calls of op (or '*') with this error / status, or be down (socket destroyed) */
  fail(op: string, fault: FakeFault): void;
  /** Remove every pending fault. */
  clearFaults(): void;
  setDown(down: boolean): void;
  events(group: string, stream?: string): StoredEvent[];
  close(): Promise<void>;
}

/** PutLogEvents limits (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html). */
export const PUT_LIMITS = {
  maxEvents: 10_000,
  maxBatchBytes: 1_048_576,
  perEventOverheadBytes: 26,
  maxSpanMs: 24 * 60 * 60 * 1000,
  maxAgeMs: 14 * 24 * 60 * 60 * 1000,
  maxFutureMs: 2 * 60 * 60 * 1000,
} as const;

const TARGET_PREFIX = 'Logs_20140328.';
const ERROR_NAMESPACE = 'com.amazonaws.logs#';

function arnOf(group: string): string {
  return `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new FakeAwsError('InvalidParameterException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function getGroup(store: FakeStore, name: string) {
  const group = store.groups.get(name);
  if (!group) throw new FakeAwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
}

function getStream(store: FakeStore, groupName: string, streamName: string): StoredEvent[] {
  const stream = getGroup(store, groupName).streams.get(streamName);
  if (!stream) throw new FakeAwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  return stream;
}

/** PutLogEvents with the real service's validation order and limits. */
function putLogEvents(body: Record<string, unknown>, store: FakeStore): unknown {
  const groupName = requireString(body, 'logGroupName');
  const streamName = requireString(body, 'logStreamName');
  const stream = getStream(store, groupName, streamName);
  const events = body.logEvents;
  if (!Array.isArray(events) || events.length === 0) {
    throw new FakeAwsError('InvalidParameterException', "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (events.length > PUT_LIMITS.maxEvents) {
    throw new FakeAwsError('InvalidParameterException', `1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${PUT_LIMITS.maxEvents}`);
  }
  let bytes = 0;
  let previous = -Infinity;
  for (const event of events as { timestamp?: unknown; message?: unknown }[]) {
    if (typeof event.timestamp !== 'number' || typeof event.message !== 'string' || event.message.length === 0) {
      throw new FakeAwsError('InvalidParameterException', 'Each log event needs a numeric timestamp and a non-empty message.');
    }
    if (event.timestamp < previous) {
      throw new FakeAwsError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    }
    previous = event.timestamp;
    bytes += Buffer.byteLength(event.message, 'utf8') + PUT_LIMITS.perEventOverheadBytes;
  }
  if (bytes > PUT_LIMITS.maxBatchBytes) {
    throw new FakeAwsError('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of ${PUT_LIMITS.maxBatchBytes}`);
  }
  const typed = events as { timestamp: number; message: string }[];
  if (typed[typed.length - 1]!.timestamp - typed[0]!.timestamp > PUT_LIMITS.maxSpanMs) {
    throw new FakeAwsError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }

  // Events are in time order, so the too-old ones are a prefix and the too-new ones a suffix.
  const now = Date.now();
  let tooOldEnd = 0; // exclusive, as in the API
  while (tooOldEnd < typed.length && typed[tooOldEnd]!.timestamp < now - PUT_LIMITS.maxAgeMs) tooOldEnd++;
  let tooNewStart = typed.length; // inclusive, as in the API
  while (tooNewStart > tooOldEnd && typed[tooNewStart - 1]!.timestamp > now + PUT_LIMITS.maxFutureMs) tooNewStart--;
  for (let i = tooOldEnd; i < tooNewStart; i++) {
    stream.push({ timestamp: typed[i]!.timestamp, message: typed[i]!.message, ingestionTime: now });
  }
  const rejected: Record<string, number> = {};
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (tooNewStart < typed.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  return {
    nextSequenceToken: randomUUID().replaceAll('-', ''),
    ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
  };
}

function prefixFilter<T>(items: T[], name: (item: T) => string, prefix: unknown): T[] {
  return typeof prefix === 'string' ? items.filter((item) => name(item).startsWith(prefix)) : items;
}

export const BUILT_IN_OPERATIONS: Record<string, OperationHandler> = {
  CreateLogGroup(body, store) {
    const name = requireString(body, 'logGroupName');
    if (store.groups.has(name)) throw new FakeAwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    store.groups.set(name, { createdAt: Date.now(), streams: new Map() });
    return {};
  },
  CreateLogStream(body, store) {
    const groupName = requireString(body, 'logGroupName');
    const streamName = requireString(body, 'logStreamName');
    const group = getGroup(store, groupName);
    if (group.streams.has(streamName)) throw new FakeAwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    group.streams.set(streamName, []);
    return {};
  },
  DescribeLogGroups(body, store) {
    const groups = prefixFilter([...store.groups.entries()], ([name]) => name, body.logGroupNamePrefix);
    return {
      logGroups: groups.map(([name, group]) => ({ logGroupName: name, creationTime: group.createdAt, arn: `${arnOf(name)}:*`, storedBytes: 0 })),
    };
  },
  DescribeLogStreams(body, store) {
    const group = getGroup(store, requireString(body, 'logGroupName'));
    const streams = prefixFilter([...group.streams.entries()], ([name]) => name, body.logStreamNamePrefix);
    return {
      logStreams: streams.map(([name, events]) => ({
        logStreamName: name,
        creationTime: group.createdAt,
        firstEventTimestamp: events[0]?.timestamp,
        lastEventTimestamp: events[events.length - 1]?.timestamp,
        storedBytes: 0,
      })),
    };
  },
  PutLogEvents: putLogEvents,
  /** Simple: every event of the stream in time order (optionally limited), no paging. */
  GetLogEvents(body, store) {
    const events = [...getStream(store, requireString(body, 'logGroupName'), requireString(body, 'logStreamName'))];
    events.sort((a, b) => a.timestamp - b.timestamp);
    const limited = typeof body.limit === 'number' ? events.slice(0, body.limit) : events;
    return { events: limited, nextForwardToken: 'f/end', nextBackwardToken: 'b/start' };
  },
  /** Simple: substring match on filterPattern (quotes stripped), startTime/endTime, optional stream names. */
  FilterLogEvents(body, store) {
    const group = getGroup(store, requireString(body, 'logGroupName'));
    const names: string[] = Array.isArray(body.logStreamNames) ? body.logStreamNames : [...group.streams.keys()];
    const needle = typeof body.filterPattern === 'string' ? body.filterPattern.replace(/^"|"$/g, '') : '';
    const out: { logStreamName: string; timestamp: number; message: string; ingestionTime: number; eventId: string }[] = [];
    for (const name of names) {
      (group.streams.get(name) ?? []).forEach((event, index) => {
        if (typeof body.startTime === 'number' && event.timestamp < body.startTime) return;
        if (typeof body.endTime === 'number' && event.timestamp > body.endTime) return;
        if (needle && !event.message.includes(needle)) return;
        out.push({ logStreamName: name, ...event, eventId: `${name}-${index}` });
      });
    }
    out.sort((a, b) => a.timestamp - b.timestamp);
    return { events: typeof body.limit === 'number' ? out.slice(0, body.limit) : out, searchedLogStreams: [] };
  },
};

interface PendingFault extends FakeFault {
  op: string;
  remaining: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = `${errorType}:`;
  res.writeHead(status, headers);
  res.end(text);
}

function sendError(res: ServerResponse, type: string, message: string, status: number): void {
  sendJson(res, status, { __type: `${ERROR_NAMESPACE}${type}`, message }, type);
}

export async function startFakeCloudWatch(options: { operations?: Record<string, OperationHandler> } = {}): Promise<FakeCloudWatch> {
  const store: FakeStore = { groups: new Map() };
  const calls: FakeCall[] = [];
  const operations: Record<string, OperationHandler> = { ...BUILT_IN_OPERATIONS, ...options.operations };
  let faults: PendingFault[] = [];
  let down = false;

  function takeFault(op: string): PendingFault | undefined {
    const fault = faults.find((f) => f.remaining > 0 && (f.op === op || f.op === '*'));
    if (!fault) return undefined;
    fault.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // An unreachable endpoint never answers a call that reached it while down, even if the test brings it back up
    // while the body is still being read (a loaded machine): that call must not be stored after all.
    const downAtArrival = down;
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      body = undefined;
    }
    const call: FakeCall = { op, at: Date.now(), body, status: 0 };
    calls.push(call);

    const fault = takeFault(op);
    if (down || downAtArrival || fault?.down) {
      // Simulates an unreachable endpoint: the SDK sees ECONNRESET / socket hang up.
      req.socket.destroy();
      return;
    }
    if (fault) {
      const status = fault.status ?? 400;
      const type = fault.type ?? (status >= 500 ? 'ServiceUnavailableException' : 'InvalidParameterException');
      call.status = status;
      sendError(res, type, fault.message ?? `injected ${type}`, status);
      return;
    }
    if (req.method !== 'POST' || body === undefined || typeof body !== 'object' || body === null) {
      call.status = 400;
      sendError(res, 'SerializationException', 'Expected a JSON object body on POST /', 400);
      return;
    }
    const handler = operations[op];
    if (!handler) {
      call.status = 400;
      sendError(res, 'UnknownOperationException', `Unknown operation ${op}`, 400);
      return;
    }
    try {
      const result = await handler(body, store);
      call.status = 200;
      sendJson(res, 200, result ?? {});
    } catch (error) {
      if (error instanceof FakeAwsError) {
        call.status = error.status;
        sendError(res, error.type, error.message, error.status);
      } else {
        call.status = 500;
        sendError(res, 'ServiceUnavailableException', error instanceof Error ? error.message : String(error), 500);
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 'ServiceUnavailableException', 'fake server failure', 500);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    store,
    calls,
    fail(op, fault) {
      faults.push({ ...fault, op, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    setDown(value) {
      // Checked per request (kept-alive connections included), so every call while down is recorded with status 0.
      down = value;
    },
    events(group, stream) {
      const g = store.groups.get(group);
      if (!g) return [];
      if (stream !== undefined) return [...(g.streams.get(stream) ?? [])];
      return [...g.streams.values()].flat().sort((a, b) => a.timestamp - b.timestamp);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
