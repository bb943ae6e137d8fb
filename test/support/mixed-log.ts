/**
 * A log with everything the analyzer reads, interleaved the way a busy service writes it — for tests that cut it
 * into pieces (the parallel pass): concurrent requests (starts and finishes far apart), request.error lines that wait
 * for their finish (the next line), aborts, 4xx/5xx with error messages, suspicious and unmatched paths, several hosts and
 * processes with service.start/stop, runtime.stats and log.dropped lines, other runs' and untagged lines, and the
 * damage a real file has: malformed and foreign lines, CRLF endings, over-long lines. Deterministic (seeded).
 */
import { EVENTS, FIELDS as F } from '../../middleware/schema.js';
import { logLines } from './log-lines.js';

export interface MixedLogOptions {
  requests: number;
  seed?: number;
  /** a line this long (bytes) is added now and then: over a small maxLineBytes it is oversized */
  longLineBytes?: number;
  /** request ids start with this (default "req"): files of one directory need their own */
  ids?: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** The log as text lines (no line endings: the caller joins them, with LF or CRLF). */
export function mixedLogLines(o: MixedLogOptions): string[] {
  const rand = rng(o.seed ?? 7);
  const hosts = ['host-a', 'host-b'].map((host, h) => [0, 1].map((p) => logLines({ runId: 'run-1', host, pid: 100 + h * 10 + p })));
  const procs = hosts.flat();
  const other = logLines({ runId: 'run-2', host: 'host-c', pid: 900 });
  const out: string[] = [];
  const emit = (line: Record<string, unknown>) => out.push(JSON.stringify(line));
  for (const L of procs) emit({ ...L.runtime({ t: L.at(0) }), [F.event]: EVENTS.serviceStart, [F.msg]: 'service started', [F.workers]: 2 });
  const routes = [
    { method: 'GET', path: (i: number) => `/api/v1/todos/${i % 50}`, route: '/api/v1/todos/:id' },
    { method: 'POST', path: () => '/api/v1/todos', route: '/api/v1/todos' },
    { method: 'GET', path: (i: number) => `/api/v1/legacy/${i}`, route: null },
    { method: 'GET', path: () => '/.env', route: null },
    { method: 'DELETE', path: () => '/api/v1/todos/undefined', route: '/api/v1/todos/:id' },
  ];
  const open: { id: string; L: (typeof procs)[number]; end: number; r: (typeof routes)[number]; i: number }[] = [];
  let t = 0;
  const finishOne = (k: number) => {
    const { id, L, r, i } = open.splice(k, 1)[0]!;
    const roll = rand();
    if (roll < 0.05) {
      emit(L.abort({ id, t: L.at(t), method: r.method, path: r.path(i), route: r.route ?? undefined }));
      return;
    }
    const status = roll < 0.15 ? 500 : roll < 0.25 ? 404 : r.method === 'POST' ? 201 : 200;
    if (status === 500) {
      emit(L.error({ id, t: L.at(t), method: r.method, path: r.path(i), status, message: `db timeout after ${Math.floor(rand() * 900)} ms on query ${i % 7}` }));
    }
    emit(L.finish({ id, t: L.at(t + 1), method: r.method, path: r.path(i), route: r.route, status, ms: rand() * rand() * 800 + 0.1, dbMs: rand() * 9, dbQueries: Math.floor(rand() * 4), poolWaitMs: rand() < 0.3 ? rand() * 40 : 0 }));
  };
  for (let i = 0; i < o.requests; i++) {
    t += Math.floor(rand() * 40);
    const L = procs[Math.floor(rand() * procs.length)]!;
    const r = routes[Math.floor(rand() * routes.length)]!;
    const id = `${o.ids ?? 'req'}-${i}`;
    emit(L.start({ id, t: L.at(t), method: r.method, path: r.path(i) }));
    open.push({ id, L, end: t + Math.floor(rand() * 2000), r, i });
    // requests end out of order: whichever is due
    for (let k = open.length - 1; k >= 0; k--) if (open[k]!.end <= t) finishOne(k);
    const roll = rand();
    if (roll < 0.02) emit(L.runtime({ t: L.at(t), elu: rand(), elP99: rand() * 80, inFlight: open.length }));
    else if (roll < 0.025) emit(L.dropped({ t: L.at(t), dropped: 1 + Math.floor(rand() * 5) }));
    else if (roll < 0.04) emit(other.finish({ id: `${o.ids ?? 'req'}-other-${i}`, t: other.at(t), status: 200 }));
    else if (roll < 0.05) emit(L.finish({ id: `${o.ids ?? 'req'}-health-${i}`, t: L.at(t), run: null, path: '/health', status: 200 }));
    else if (roll < 0.055) out.push(`{"truncated": ${i}, "msg": "cut off`);
    else if (roll < 0.06) emit({ level: 30, time: L.at(t), msg: 'another service', hostname: 'elsewhere' });
    else if (roll < 0.063) out.push(`not json at all ${i}`);
    else if (roll < 0.066 && o.longLineBytes) emit({ ...L.app({ id, t: L.at(t), msg: 'x'.repeat(o.longLineBytes) }) });
    else if (roll < 0.07) emit(L.app({ id, t: L.at(t), msg: `handler note ${i % 3}` }));
  }
  t += 2500;
  // the requests still open stay unfinished (a start line, no end)
  for (const L of procs.slice(1)) emit({ ...L.runtime({ t: L.at(t) }), [F.event]: EVENTS.serviceStop, [F.msg]: 'service stopped' });
  return out;
}
