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
export function putLogEventsBody(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): Buffer {
  // Only the two wire fields: queued events also carry their byte size, which is not part of the API.
  const logEvents = events.map(({ timestamp, message }) => ({ timestamp, message }));
  return Buffer.from(JSON.stringify({ logGroupName, logStreamName, logEvents }), 'utf8');
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
