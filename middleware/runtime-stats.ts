/**
 * runtimeStats(): a runtime.stats line every intervalMs: event-loop delay percentiles (reset each interval, so each
 * line describes its own interval), event-loop utilization over the interval, heap used, requests in flight, and the
 * pool's counts (and its max) when given one. The timer is unref'd: it never keeps a process alive.
 */
import { getHeapStatistics } from 'node:v8';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { inFlightRequests } from './context.js';
import { getBaseLogger } from './get-logger.js';
import { poolMaxOf } from './pg.js';
import { EVENTS, FIELDS } from './schema.js';

const NS_PER_MS = 1e6;
const BYTES_PER_MB = 1024 * 1024;

export function runtimeStats(options: { logger?: Logger; intervalMs?: number; pool?: Pool } = {}): { stop(): void } {
  const intervalMs = options.intervalMs ?? 5000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new Error(`logjam: runtimeStats intervalMs must be a positive number, got ${intervalMs}`);
  }
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastElu = performance.eventLoopUtilization();

  const timer = setInterval(() => {
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    const fields: Record<string, unknown> = {
      [FIELDS.event]: EVENTS.runtimeStats,
      [FIELDS.elu]: round(elu.utilization, 4),
      // An interval with no samples reports NaN/huge values: report 0 instead.
      [FIELDS.elDelayP50Ms]: delay.count > 0 ? round(delay.percentile(50) / NS_PER_MS, 3) : 0,
      [FIELDS.elDelayP99Ms]: delay.count > 0 ? round(delay.percentile(99) / NS_PER_MS, 3) : 0,
      [FIELDS.elDelayMaxMs]: delay.count > 0 ? round(delay.max / NS_PER_MS, 3) : 0,
      [FIELDS.heapUsedMb]: round(getHeapStatistics().used_heap_size / BYTES_PER_MB, 1),
      [FIELDS.inFlight]: inFlightRequests(),
    };
    delay.reset();
    if (options.pool) {
      fields[FIELDS.poolTotal] = options.pool.totalCount;
      fields[FIELDS.poolIdle] = options.pool.idleCount;
      fields[FIELDS.poolWaiting] = options.pool.waitingCount;
      // pool_max beside the counts: "10 of 10 busy" and "10 of 40" call for different fixes.
      const poolMax = poolMaxOf(options.pool);
      if (poolMax !== undefined) fields[FIELDS.poolMax] = poolMax;
    }
    (options.logger ?? getBaseLogger()).info(fields, 'runtime stats');
  }, intervalMs);
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
