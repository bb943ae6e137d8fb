/** Shared setup for the CloudWatch sink integration tests: a shipper on the real SDK pointed at the fake server. */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { resolveOptions, type CloudWatchTransportOptions } from '../../../middleware/sinks/cloudwatch/options.js';
import { CloudWatchShipper, type ShipperDeps } from '../../../middleware/sinks/cloudwatch/shipper.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';

export const GROUP = '/logjam/test';
export const STREAM = 'svc/host/1';

export function sdkClient(fake: FakeCloudWatch): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

export interface Harness {
  shipper: CloudWatchShipper;
  client: CloudWatchLogsClient;
  /** log.dropped lines written to "stderr", parsed. */
  stderr: { dropped: number; reason: string; event: string; sink: string; level: string }[];
}

export function makeShipper(
  fake: FakeCloudWatch,
  overrides: Partial<CloudWatchTransportOptions> = {},
  random?: () => number,
  deps: Pick<ShipperDeps, 'now'> = {},
): Harness {
  const client = sdkClient(fake);
  const stderr: Harness['stderr'] = [];
  const shipper = new CloudWatchShipper(
    resolveOptions({
      logGroupName: GROUP,
      logStreamName: STREAM,
      service: 'svc',
      // Short delays keep the tests quick; the policy's shape is what is under test.
      backoff: { baseMs: 10, capMs: 100 },
      flushIntervalMs: 50,
      ...overrides,
    }),
    { client, writeStderr: (line) => stderr.push(JSON.parse(line)), ...(random ? { random } : {}), ...deps },
  );
  return { shipper, client, stderr };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** PutLogEvents calls the fake answered, with the events each carried. */
export function putCalls(fake: FakeCloudWatch) {
  return fake.calls
    .filter((c) => c.op === 'PutLogEvents')
    .map((c) => ({ ...c, events: (c.body as { logEvents: { timestamp: number; message: string }[] }).logEvents }));
}

export function sumDropped(lines: Harness['stderr'], reason?: string): number {
  return lines.filter((l) => reason === undefined || l.reason === reason).reduce((sum, l) => sum + l.dropped, 0);
}

type ShipperArgs = Parameters<typeof makeShipper> extends [unknown, ...infer R] ? R : never;

/**
 * A fresh fake endpoint per test, and `setup(...)` for the test's shipper, closed (bounded) and its client
 * destroyed after the test: the lifecycle every shipper test file needs.
 */
export function useFakeShipper(): { readonly fake: FakeCloudWatch; setup(...args: ShipperArgs): Harness } {
  let fake: FakeCloudWatch | undefined;
  let harness: Harness | undefined;
  beforeEach(async () => {
    fake = await startFakeCloudWatch();
  });
  afterEach(async () => {
    await harness?.shipper.close(1000);
    harness?.client.destroy();
    harness = undefined;
    await fake?.close();
    fake = undefined;
  });
  return {
    get fake(): FakeCloudWatch {
      if (!fake) throw new Error('useFakeShipper: the fake endpoint exists only inside a test');
      return fake;
    },
    setup(...args: ShipperArgs): Harness {
      harness = makeShipper(this.fake, ...args);
      return harness;
    },
  };
}
