/**
 * The request lines' own cost, in process: a request's state plus its request.start and request.finish lines, built
 * the fields-object way (lines.ts's builders + writeLine) and as one string each (request-lines.ts), through
 * createLogger's file sink on /dev/null (the batching and the write calls included, no disk). Interleaved rounds;
 * median and spread of ns per request and their ratio.
 *
 *   node dist/bench/request-lines.js [--requests 300000] [--rounds 7]
 */
import { randomUUID } from 'node:crypto';
import { RequestState, type RequestStateInit } from '../middleware/context.js';
import { writeLine } from '../middleware/line-writer.js';
import { MESSAGES, finishFields, startFields, type Outcome } from '../middleware/lines.js';
import { closeLogger, createLogger } from '../middleware/logger.js';
import { RequestLineWriter } from '../middleware/request-lines.js';
import { REQUEST_LINES_USAGE, handleBenchArgs } from './usage.js';

const INIT: Omit<RequestStateInit, 'requestId'> = {
  requestIdRejected: false,
  runId: undefined,
  runIdRejected: false,
  traceId: undefined,
  spanId: undefined,
  traceparentRejected: false,
  inboundTraceparent: undefined,
  amznTraceId: undefined,
  amznTraceSelf: undefined,
  amznTraceIdRejected: false,
  customFields: undefined,
};

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

handleBenchArgs(process.argv.slice(2), REQUEST_LINES_USAGE);
const requests = option('--requests', 300_000);
const rounds = option('--rounds', 7);
const logger = createLogger({ service: 'bench', stdout: false, cloudwatch: false, file: '/dev/null' });
const writer = new RequestLineWriter(logger);

const ways: Record<'fields object' | 'one string', (state: RequestState, o: Outcome) => void> = {
  'fields object': (state, o) => {
    writeLine(logger, 'info', startFields(state, o.method, o.path), MESSAGES.start);
    writeLine(logger, 'info', finishFields(state, o), MESSAGES.finish);
  },
  'one string': (state, o) => {
    writer.start(state, o.method, o.path);
    writer.finish(state, 'info', o);
  },
};

/** CPU ns per request of `way` over `count` requests. */
function measure(way: (state: RequestState, o: Outcome) => void, count: number): number {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const state = new RequestState(logger, { ...INIT, requestId: randomUUID() });
    way(state, { method: 'GET', path: '/hello', route: '/hello', status: 200, durationMs: 0.123, bytesOut: 11 });
  }
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / count;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const names = Object.keys(ways) as (keyof typeof ways)[];
const figures = new Map(names.map((name) => [name, [] as number[]]));
for (const name of names) measure(ways[name], 50_000); // warm-up: both ways optimized before measuring
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) figures.get(name)?.push(measure(ways[name], requests));
}
await closeLogger(logger);

const fields = figures.get('fields object') ?? [];
const text = figures.get('one string') ?? [];
process.stdout.write(`Node ${process.versions.node}: state + request.start + request.finish, CPU ns per request (median, min–max of ${rounds} rounds)\n`);
for (const name of names) {
  const xs = figures.get(name) ?? [];
  process.stdout.write(`  ${name.padEnd(14)} ${median(xs).toFixed(0).padStart(6)}  ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}\n`);
}
const ratios = fields.map((f, i) => f / (text[i] ?? Number.NaN));
process.stdout.write(`  one string is ${median(ratios).toFixed(2)}x as fast (per-round ratio ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})\n`);
