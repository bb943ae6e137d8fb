/**
 * The request.* lines, serialized here instead of by pino's generic path, for the loggers createLogger builds: their
 * configuration is known (no mixin, no hooks, no nestedKey, no msgPrefix, `msg` as the message key, epoch time), so a
 * flat object of fields can be written as the very bytes pino would write — level, time, the logger's bindings, the
 * fields, the message — without pino's per-call machinery (2 lines on every request: the profile's largest share of
 * the middleware's own JS). A field pino would treat specially (a serializer: `err`; a redaction path; any wildcard
 * redaction) sends the line down pino's own path, as does any logger createLogger did not build.
 */
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LevelLabel } from './schema.js';

const {
  chindingsSym,
  endSym,
  lsCacheSym,
  needsMetadataGsym,
  serializersSym,
  streamSym,
  stringifiersSym,
  timeSliceIndexSym,
  wildcardFirstSym,
} = pino.symbols;

/** One of a pino logger's internals, by its pino.symbols name (typed by the caller: pino types them as plain symbols). */
function internal<T>(logger: Logger, sym: symbol): T {
  return (logger as unknown as Record<symbol, T>)[sym] as T;
}

/** What pino sets on a stream that asks for metadata (pino.multistream) before each write. */
interface MetadataStream {
  lastLevel?: number;
  lastObj?: object;
  lastMsg?: string;
  lastTime?: string;
  lastLogger?: Logger;
}

const direct = new WeakSet<Logger>();

/** For createLogger: `logger` was built with the configuration this module's serializer reproduces. */
export function serializeLinesDirectly(logger: Logger): void {
  // a wildcard redaction runs on every field of every line: pino's path only
  if (internal<Record<symbol, unknown>>(logger, stringifiersSym)[wildcardFirstSym] === undefined) direct.add(logger);
}

/** Write one line of `fields` and `msg` at `level` through `logger`: byte for byte what logger[level](fields, msg) writes. */
export function writeLine(logger: Logger, level: LevelLabel, fields: Record<string, unknown>, msg: string): void {
  if (!direct.has(logger)) {
    logger[level](fields, msg);
    return;
  }
  const num = logger.levels.values[level] ?? 0;
  if (num < logger.levelVal) return;
  const props = serializeFields(
    fields,
    internal<Record<string, unknown>>(logger, serializersSym),
    internal<Record<string, unknown>>(logger, stringifiersSym),
  );
  if (props === undefined) {
    logger[level](fields, msg);
    return;
  }
  const time = `,"time":${Date.now()}`;
  const levelPrefix = internal<Record<number, string>>(logger, lsCacheSym)[num] ?? '';
  const line = `${levelPrefix}${time}${internal<string>(logger, chindingsSym)}${props},"msg":${JSON.stringify(msg)}${internal<string>(logger, endSym)}`;
  const stream = internal<DestinationStream & MetadataStream>(logger, streamSym);
  if ((stream as unknown as Record<symbol, unknown>)[needsMetadataGsym] === true) {
    stream.lastLevel = num;
    stream.lastObj = fields;
    stream.lastMsg = msg;
    stream.lastTime = time.slice(internal<number>(logger, timeSliceIndexSym));
    stream.lastLogger = logger;
  }
  stream.write(line);
}

/** Key names as JSON, each made once (the request lines use a handful). */
const keyCache = new Map<string, string>();
const KEY_CACHE_BOUND = 256;

function jsonKey(key: string): string {
  let cached = keyCache.get(key);
  if (cached === undefined) {
    cached = `,${JSON.stringify(key)}:`;
    if (keyCache.size < KEY_CACHE_BOUND) keyCache.set(key, cached);
  }
  return cached;
}

/**
 * `,"key":value` for each field, as pino's asJson writes them (undefined and functions left out, non-finite numbers
 * as null), or undefined when a field has a serializer or a redaction stringifier (pino's path must write it).
 */
function serializeFields(
  fields: Record<string, unknown>,
  serializers: Record<string, unknown>,
  stringifiers: Record<string, unknown>,
): string | undefined {
  let out = '';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    if (serializers[key] !== undefined || stringifiers[key] !== undefined) return undefined;
    switch (typeof value) {
      case 'string':
        out += jsonKey(key) + JSON.stringify(value);
        break;
      case 'number':
        out += jsonKey(key) + (Number.isFinite(value) ? String(value) : 'null');
        break;
      case 'boolean':
        out += jsonKey(key) + String(value);
        break;
      case 'function':
        break;
      default:
        return undefined; // objects, bigints, symbols: pino's path (its safe stringify)
    }
  }
  return out;
}
