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
import { jsonField, quote } from './json-text.js';
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

/** What writeLine needs of a logger createLogger built, read once: pino keeps these on the logger under symbols. */
interface DirectPlan {
  /** Top-level keys pino treats specially (a serializer, a redaction stringifier): such a line goes pino's way. */
  special: ReadonlySet<string>;
  levelPrefixes: Record<number, string>;
  end: string;
  stream: DestinationStream & MetadataStream;
  needsMetadata: boolean;
  timeSliceIndex: number;
}

const plans = new WeakMap<Logger, DirectPlan>();

/** For createLogger: `logger` was built with the configuration this module's serializer reproduces. */
export function serializeLinesDirectly(logger: Logger): void {
  const stringifiers = internal<Record<string | symbol, unknown>>(logger, stringifiersSym);
  // a wildcard redaction runs on every field of every line: pino's path only
  if (stringifiers[wildcardFirstSym] !== undefined) return;
  const stream = internal<DestinationStream & MetadataStream>(logger, streamSym);
  plans.set(logger, {
    special: new Set([...Object.keys(internal<object>(logger, serializersSym)), ...Object.keys(stringifiers)]),
    levelPrefixes: internal<Record<number, string>>(logger, lsCacheSym),
    end: internal<string>(logger, endSym),
    stream,
    needsMetadata: (stream as unknown as Record<symbol, unknown>)[needsMetadataGsym] === true,
    timeSliceIndex: internal<number>(logger, timeSliceIndexSym),
  });
}

/** Write one line of `fields` and `msg` at `level` through `logger`: byte for byte what logger[level](fields, msg) writes. */
export function writeLine(logger: Logger, level: LevelLabel, fields: Record<string, unknown>, msg: string): void {
  const plan = plans.get(logger);
  if (plan === undefined) {
    logger[level](fields, msg);
    return;
  }
  // a line below the logger's level costs nothing: checked before any field is serialized
  const num = logger.levels.values[level] ?? 0;
  if (num < logger.levelVal) return;
  const props = serializeFields(fields, plan.special);
  if (props === undefined) {
    logger[level](fields, msg);
    return;
  }
  const time = `,"time":${Date.now()}`;
  const line = lineText(logger, plan, num, time, props, `,"msg":${quote(msg)}`);
  const stream = plan.stream;
  if (plan.needsMetadata) {
    stream.lastLevel = num;
    stream.lastObj = fields;
    stream.lastMsg = msg;
    stream.lastTime = time.slice(plan.timeSliceIndex);
    stream.lastLogger = logger;
  }
  stream.write(line);
}

/**
 * For request-lines.ts, which builds a request line's fields as text itself: the plan of `logger` when such text can
 * be written directly, undefined when every line must go through writeLine (a logger createLogger did not build, a
 * wildcard redaction, or a stream that asks for each line's fields as metadata: pino.multistream).
 */
export function textLinePlan(logger: Logger): Pick<DirectPlan, 'special'> | undefined {
  const plan = plans.get(logger);
  return plan === undefined || plan.needsMetadata ? undefined : plan;
}

/** The number of `level` when a line at it is written, undefined when it is below the logger's level. */
export function enabledLevel(logger: Logger, level: LevelLabel): number | undefined {
  const num = logger.levels.values[level] ?? 0;
  return num < logger.levelVal ? undefined : num;
}

/**
 * Write one line whose fields are `props` (`,"key":value` each, as serializeFields makes them) and whose message is
 * `msgText` (`,"msg":` and the quoted message): the bytes writeLine writes for the same fields. Only for a logger
 * textLinePlan gave a plan for, at a level enabledLevel passed.
 */
export function writeTextLine(logger: Logger, num: number, props: string, msgText: string): void {
  const plan = plans.get(logger) as DirectPlan;
  plan.stream.write(lineText(logger, plan, num, `,"time":${Date.now()}`, props, msgText));
}

/** pino's line: level, time, the logger's bindings, the fields, the message, its end. */
function lineText(logger: Logger, plan: DirectPlan, num: number, time: string, props: string, msgText: string): string {
  return `${plan.levelPrefixes[num] ?? ''}${time}${internal<string>(logger, chindingsSym)}${props}${msgText}${plan.end}`;
}

/**
 * `,"key":value` for each field, as pino's asJson writes them (undefined and functions left out, non-finite numbers
 * as null), or undefined when a field is one pino treats specially or not a string, number or boolean (objects,
 * null, bigints, symbols: pino's path, its safe stringify).
 */
function serializeFields(fields: Record<string, unknown>, special: ReadonlySet<string>): string | undefined {
  let out = '';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    if (special.has(key)) return undefined;
    const field = jsonField(key, value);
    if (field === undefined) return undefined;
    out += field;
  }
  return out;
}
