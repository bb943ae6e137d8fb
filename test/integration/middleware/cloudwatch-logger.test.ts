/**
 * createLogger's CloudWatch wiring (not the transport's internals, which have their own suite): the logger starts
 * the built transport in a worker thread with the sink options + service, and closeLogger ends it and waits for the
 * worker's final flush, so every line written before closeLogger reaches the endpoint.
 * Needs the build (dist/middleware/sinks/cloudwatch/transport.js): `npx tsc -p tsconfig.build.json`.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { closeLogger, createLogger } from '../../../middleware/index.js';
import { startFakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import type { FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';

let fake: FakeCloudWatch;
beforeEach(async () => {
  fake = await startFakeCloudWatch();
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', fake.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

/** Polls (bounded) until `done()` holds: the fake endpoint has no event to wait on from here. */
async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const testLines = (fake: FakeCloudWatch, group: string, stream: string) =>
  fake
    .events(group, stream)
    .map((e) => JSON.parse(e.message) as Record<string, unknown>)
    .filter((l) => l.event === 'test.line');

it('ships lines in order as schema lines, with the sink options taken from the environment; closeLogger ends the worker', async () => {
  vi.stubEnv('LOGJAM_CLOUDWATCH_LOG_GROUP', '/logjam/test');
  vi.stubEnv('LOGJAM_CLOUDWATCH_LOG_STREAM', 'unit-stream');
  const logger = createLogger({ service: 'cw-test', stdout: false });
  for (let i = 0; i < 500; i++) logger.info({ event: 'test.line', n: i }, 'line');
  // The fake endpoint runs on this thread, and ending a pino transport blocks this thread until the worker has
  // finished: so wait for delivery first (the final flush on close is the transport suite's subject).
  await until(() => testLines(fake, '/logjam/test', 'unit-stream').length >= 500);
  expect(await closeLogger(logger, 20_000)).toEqual({ flushed: true });
  const lines = testLines(fake, '/logjam/test', 'unit-stream');
  expect(lines.map((l) => l.n)).toEqual([...Array(500).keys()]);
  expect(lines[0]).toMatchObject({ level: 'info', schema: 1, service: 'cw-test', msg: 'line' });
  // Closed: the worker is gone, a later line goes nowhere and nothing throws.
  logger.info({ event: 'test.line', n: 500 }, 'after close');
});

it('cloudwatch: false keeps the sink off even when the environment names a log group', async () => {
  vi.stubEnv('LOGJAM_CLOUDWATCH_LOG_GROUP', '/logjam/off');
  const logger = createLogger({ stdout: false, cloudwatch: false });
  logger.info({ event: 'test.line', n: 0 }, 'line');
  expect(await closeLogger(logger)).toEqual({ flushed: true });
  expect(fake.calls).toEqual([]);
});
