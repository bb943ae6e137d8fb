/**
 * PutLogEvents with a body built here instead of by the SDK's generic serializer.
 *
 * The SDK walks the operation's schema for every event and escapes every message character by character
 * (writeJsonString): that was over a third of the worker's time. The request is plain strings and numbers, so V8's
 * native JSON.stringify makes the same AWS JSON 1.1 body in one call.
 * The SDK still does everything else — endpoint, region and credential chains, SigV4 signing (which hashes this
 * body), the HTTP call and the parsing of errors into named exceptions — so retries and error classification are
 * unchanged: the command is an ordinary PutLogEventsCommand whose own serialized body (for an empty event list) is
 * swapped for this one after serialization (with a content length to match), before the request is signed.
 */
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent } from './batcher.js';

/**
 * The request body, UTF-8 encoded once: the signer hashes these bytes and the HTTP handler writes them as they are.
 * One native JSON.stringify of the whole request (messages are plain strings: V8 escapes them in one pass each);
 * measured faster than stringifying each message and joining the pieces.
 */
export function putLogEventsBody(logGroupName: string, logStreamName: string, events: readonly LogEvent[], pool?: BodyPool): Buffer {
  // Only the two wire fields: queued events also carry their byte size, which is not part of the API.
  const logEvents = events.map(({ timestamp, message }) => ({ timestamp, message }));
  const text = JSON.stringify({ logGroupName, logStreamName, logEvents });
  return pool ? pool.encode(text) : Buffer.from(text, 'utf8');
}

/**
 * Request bodies written into buffers that are used again, call after call. A body is up to ~1 MB, and a fresh
 * buffer of that size per call (Buffer.from) costs more than the UTF-8 encoding itself: new memory to fault in, and
 * external memory the GC then accounts for. A body is taken for one batch and given back once its calls have settled
 * (the HTTP request no longer reads it); at most `keep` buffers are kept, one per call that can be in flight.
 */
export class BodyPool {
  private readonly free: Buffer[] = [];
  constructor(private readonly keep: number) {}

  /** `text` UTF-8 encoded into a free buffer (or a new one when none is large enough). */
  encode(text: string): Buffer {
    const bytes = Buffer.byteLength(text, 'utf8');
    let index = this.free.length - 1;
    while (index >= 0 && this.free[index]!.length < bytes) index--;
    // Room to grow: the next batches are about as large, so a buffer that fits one usually fits the next.
    const whole = index >= 0 ? this.free.splice(index, 1)[0]! : Buffer.allocUnsafeSlow(Math.ceil(bytes * 1.1) + 1024);
    const written = whole.write(text, 0, 'utf8');
    return whole.subarray(0, written);
  }

  /** Give a body from encode() back; it must no longer be read by anyone. */
  release(body: Buffer): void {
    if (this.free.length >= this.keep) return;
    // Bodies are views from the start of buffers of their own (allocUnsafeSlow): the whole buffer is their memory.
    if (body.byteOffset !== 0) return;
    this.free.push(Buffer.from(body.buffer, 0, body.buffer.byteLength));
  }
}

interface MutableHttpRequest {
  headers: Record<string, string>;
  body?: unknown;
}

function isHttpRequest(request: unknown): request is MutableHttpRequest {
  return typeof request === 'object' && request !== null && typeof (request as MutableHttpRequest).headers === 'object';
}

/** A PutLogEventsCommand that sends `body` (from putLogEventsBody) as its request body. */
export function prebuiltPutLogEvents(logGroupName: string, logStreamName: string, body: Buffer): PutLogEventsCommand {
  const command = new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [] });
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request;
      if (isHttpRequest(request)) {
        request.body = body;
        for (const name of Object.keys(request.headers)) if (name.toLowerCase() === 'content-length') delete request.headers[name];
        request.headers['content-length'] = String(body.byteLength);
      }
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'logjamPrebuiltPutLogEventsBody' },
  );
  return command;
}
