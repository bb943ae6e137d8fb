/** The capacity facts a service logs about itself: service.start (this machine, read for real) and runtime.stats' pool_max. */
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { expect, it } from 'vitest';
import { EVENTS, MEMORY_LIMIT_SOURCES, instrumentPool, runtimeStats, serviceStartFields } from '../../../middleware/index.js';
import { captureLogger } from './helpers.js';

it('service.start says the CPUs, memory limit and its source, Node version and pool max; runtime.stats the pool max', async () => {
  const { logger, capture } = captureLogger();
  const pool = instrumentPool(new pg.Pool({ max: 4 }));
  logger.info(serviceStartFields({ pool }), 'listening');
  const start = await capture.waitFor((l) => l.event === EVENTS.serviceStart);
  expect(start).toMatchObject({ cpus: availableParallelism(), node_version: process.version, pool_max: 4 });
  expect(MEMORY_LIMIT_SOURCES).toContain(start.memory_limit_source);
  expect(start.memory_limit_mb).toBeGreaterThan(0);

  const stats = runtimeStats({ logger, pool, intervalMs: 20 });
  try {
    const line = await capture.waitFor((l) => l.event === EVENTS.runtimeStats);
    expect(line).toMatchObject({ pool_total: 0, pool_idle: 0, pool_waiting: 0, pool_max: 4 });
  } finally {
    stats.stop();
    await pool.end();
  }
});
