/**
 * Counting the body bytes a response sends, by wrapping write/end on the response object. The wrappers are shared
 * functions (no closure per request) and call whatever write/end the response had, so middleware mounted before
 * us keeps working and middleware mounted after us (compression) is counted as it writes: bytes actually sent.
 */
import type { ServerResponse } from 'node:http';

const BYTES = Symbol('logjam.bytesOut');
const WRITE = Symbol('logjam.write');
const END = Symbol('logjam.end');

type Method = (...args: unknown[]) => unknown;
interface CountedResponse extends ServerResponse {
  [BYTES]: number;
  [WRITE]: Method;
  [END]: Method;
}

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

function countingWrite(this: CountedResponse, ...args: unknown[]): unknown {
  this[BYTES] += chunkBytes(args[0], args[1]);
  return Reflect.apply(this[WRITE], this, args);
}

function countingEnd(this: CountedResponse, ...args: unknown[]): unknown {
  const chunk = args[0];
  if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this[BYTES] += chunkBytes(chunk, args[1]);
  return Reflect.apply(this[END], this, args);
}

export function countBytesOut(res: ServerResponse): void {
  const counted = res as CountedResponse;
  counted[BYTES] = 0;
  counted[WRITE] = res.write as Method;
  counted[END] = res.end as Method;
  res.write = countingWrite as ServerResponse['write'];
  res.end = countingEnd as ServerResponse['end'];
}

/** Body bytes sent so far (0 for responses that carry no body: HEAD, 204, 304). */
export function bytesOut(res: ServerResponse, method: string): number {
  if (method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) return 0;
  return (res as Partial<CountedResponse>)[BYTES] ?? 0;
}
