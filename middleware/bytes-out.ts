/**
 * Counting the body bytes a response sends, by wrapping write/end. Bytes actually sent: middleware mounted before
 * us keeps working, and what compression (before or after us) hands on is what is counted.
 *
 * Where the wrappers go: ONCE on the response prototype Express gives the app's responses (app.response), like
 * req.log on the request prototype (req-log.ts), and the count kept in a counter found through `res.req` (the
 * request's state). Nothing is added to the response object per request: each property added to a response made
 * V8 migrate its map (the profile's largest runtime cost of the middleware: 5 properties a request, write, end and
 * three of ours). A response whose prototype is Node's own ServerResponse (no Express app in between) is wrapped
 * per request instead, as before: Node's prototype is everyone's, never ours to change.
 */
import { ServerResponse } from 'node:http';

/** Where a response's bytes are counted (the request's state). */
export interface ByteCounter {
  bytesOut: number;
}

const BYTES = Symbol('logjam.bytesOut');
const WRITE = Symbol('logjam.write');
const END = Symbol('logjam.end');
/** Marks our prototype wrappers: a prototype that already inherits one is counted (a sub-app's responses). */
const COUNTING = Symbol('logjam.counting');

type Method = ((...args: unknown[]) => unknown) & { [COUNTING]?: true };
interface InstanceCounted extends ServerResponse {
  [BYTES]: number;
  [WRITE]: Method;
  [END]: Method;
}

/** The counter of the request `res` answers (set by the middleware), or undefined: a response we do not count. */
let counterOf: (res: ServerResponse) => ByteCounter | undefined = () => undefined;
export function setCounterLookup(lookup: (res: ServerResponse) => ByteCounter | undefined): void {
  counterOf = lookup;
}

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/** end()'s first argument is a chunk unless it is the callback (or absent). */
function endChunkBytes(chunk: unknown, encoding: unknown): number {
  return chunk !== undefined && chunk !== null && typeof chunk !== 'function' ? chunkBytes(chunk, encoding) : 0;
}

const patched = new WeakSet<object>();
/** The last prototype seen: one app (the common case) means one identity check per request. */
let lastPrototype: object | undefined;
let lastPatched = false;
/**
 * Inside a counting wrapper: a nested one (a sub-app's prototype patched before its parent's, both in the chain)
 * passes the call on without counting it again. write/end run synchronously, so a flag is enough.
 */
let counting = false;

/**
 * A prototype's counting write or end: counts the chunk into the response's counter, then calls what the prototype
 * inherits under that name, read at call time.
 */
function prototypeWrapper(parent: Record<'write' | 'end', Method>, name: 'write' | 'end', bytesOf: (chunk: unknown, encoding: unknown) => number): Method {
  const wrapper: Method = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (counting) return Reflect.apply(parent[name], this, args);
    const counter = counterOf(this);
    if (counter !== undefined) counter.bytesOut += bytesOf(args[0], args[1]);
    countedBelow = true;
    counting = true;
    try {
      return Reflect.apply(parent[name], this, args);
    } finally {
      counting = false;
    }
  };
  wrapper[COUNTING] = true;
  return wrapper;
}

/**
 * Wrap write/end on `proto` once (false: not a prototype we may change). The wrappers call what the prototype
 * inherits AT CALL TIME, so a patch made later below it (an APM instrumenting ServerResponse) is still called.
 */
function patchPrototype(proto: object): boolean {
  if (patched.has(proto)) return true;
  if (proto === ServerResponse.prototype || !(proto instanceof ServerResponse)) return false;
  patched.add(proto);
  // inherited from a prototype already counting (a sub-app's app.response inherits its parent's): counted there
  if ((proto as { write?: Method }).write?.[COUNTING] === true) return true;
  const parent = Object.getPrototypeOf(proto) as Record<'write' | 'end', Method>;
  const countingWrite = prototypeWrapper(parent, 'write', chunkBytes);
  const countingEnd = prototypeWrapper(parent, 'end', endChunkBytes);
  Object.defineProperty(proto, 'write', { value: countingWrite, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(proto, 'end', { value: countingEnd, writable: true, configurable: true, enumerable: false });
  return true;
}

/** Set by a prototype wrapper that counted the call: an instance wrapper beneath whose call it ran counts nothing. */
let countedBelow = false;

// Instance wrappers (Node's own prototype, or the first response of a prototype just patched): they count a call
// only when no prototype wrapper below counted it (a wrapper of someone before us that held the unpatched write).
function instanceWrapper(original: typeof WRITE | typeof END, bytesOf: (chunk: unknown, encoding: unknown) => number) {
  return function (this: InstanceCounted, ...args: unknown[]): unknown {
    countedBelow = false;
    const result = Reflect.apply(this[original], this, args);
    if (!countedBelow) this[BYTES] += bytesOf(args[0], args[1]);
    countedBelow = false;
    return result;
  };
}
const instanceWrite = instanceWrapper(WRITE, chunkBytes);
const instanceEnd = instanceWrapper(END, endChunkBytes);

/**
 * Count the body bytes `res` sends into `counter` (which counterOf(res) must find: through res.req), or, on a
 * response with Node's own prototype, on the response itself.
 */
export function countBytesOut(res: ServerResponse, counter: ByteCounter): void {
  counter.bytesOut = 0;
  const proto = Object.getPrototypeOf(res) as object | null;
  let firstOfPrototype = false;
  if (proto !== lastPrototype) {
    lastPrototype = proto ?? undefined;
    firstOfPrototype = proto !== null && !patched.has(proto);
    lastPatched = proto !== null && patchPrototype(proto);
  }
  // Counted through the prototype, unless: this is the first response of a prototype just patched (middleware that
  // ran before us may hold the unpatched write: this one response is wrapped itself), or res.req does not lead to
  // the counter.
  if (lastPatched && !firstOfPrototype && counterOf(res) === counter) return;
  const counted = res as InstanceCounted;
  // wrapped already (requestLogging in an app and its sub-app): one count serves both lines; a second wrapper would
  // call itself
  if (counted[BYTES] !== undefined) return;
  counted[BYTES] = 0;
  counted[WRITE] = res.write as Method;
  counted[END] = res.end as Method;
  res.write = instanceWrite as ServerResponse['write'];
  res.end = instanceEnd as ServerResponse['end'];
}

/**
 * Body bytes sent so far (0 for responses that carry no body: HEAD, 204, 304). Read from the response's current
 * counter: with requestLogging in an app and in a sub-app, both lines count the one response.
 */
export function bytesOut(res: ServerResponse, method: string, counter: ByteCounter): number {
  if (method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) return 0;
  return ((res as Partial<InstanceCounted>)[BYTES] ?? 0) + (counterOf(res) ?? counter).bytesOut;
}
