/**
 * The shipper's own PutLogEvents body (built once per batch, sent through the SDK with its serializer bypassed) and
 * its calls in flight together, through the real SDK against the fake endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchShipper, MAX_PUTS_IN_FLIGHT } from '../../../middleware/sinks/cloudwatch/shipper.js';
import { resolveOptions } from '../../../middleware/sinks/cloudwatch/options.js';
import { BUILT_IN_OPERATIONS, startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { GROUP, STREAM, makeShipper, putCalls, sdkClient } from './helpers.js';

let fake: FakeCloudWatch | undefined;
let shipper: CloudWatchShipper | undefined;
afterEach(async () => {
  await shipper?.close(1000);
  shipper = undefined;
  await fake?.close();
  fake = undefined;
});

describe('CloudWatch PutLogEvents body', () => {
  it('delivers every message exactly as written: quotes, backslashes, control characters, non-ASCII, U+2028', async () => {
    fake = await startFakeCloudWatch();
    const harness = makeShipper(fake, { logGroupName: 'group "quoted" \\ é', logStreamName: 'stream/ü' });
    shipper = harness.shipper;
    const messages = [
      JSON.stringify({ msg: 'say "hi"', path: 'C:\\temp\\x', tab: '\t', nl: '\n' }),
      'plain text, not JSON',
      'tab\there, bell \u0007, nul \u0000, DEL \u007f',
      'café — 日本語 — 🚀 — line\u2028separator',
      '\\"already escaped\\"',
    ];
    const base = Date.now();
    messages.forEach((message, i) => shipper!.push(base + i, message));
    await shipper.flush();
    expect(fake.events('group "quoted" \\ é', 'stream/ü').map((e) => [e.timestamp, e.message])).toEqual(messages.map((m, i) => [base + i, m]));
    // sizes as AWS counts them (UTF-8 bytes + 26), measured once at push
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m) + 26, 0);
    expect(shipper.stats()).toMatchObject({ shipped: messages.length, shippedBytes: bytes, droppedTotal: 0 });
    harness.client.destroy();
  });

  it(`keeps up to ${MAX_PUTS_IN_FLIGHT} calls in flight once a call has succeeded, and every event arrives once`, async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    fake = await startFakeCloudWatch({
      operations: {
        async PutLogEvents(body, store) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // a slow endpoint: the calls that overlap are the ones the shipper started together
          await new Promise((resolve) => setTimeout(resolve, 40));
          inFlight--;
          return BUILT_IN_OPERATIONS.PutLogEvents!(body, store);
        },
      },
    });
    fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map([[STREAM, []]]) });
    const client = sdkClient(fake);
    shipper = new CloudWatchShipper(resolveOptions({ logGroupName: GROUP, logStreamName: STREAM, service: 'svc' }), { client, writeStderr: () => {} });
    shipper.push(Date.now(), 'first');
    await shipper.flush();
    expect(maxInFlight).toBe(1);
    const total = 60_000; // six full batches of 10,000
    const base = Date.now();
    for (let i = 0; i < total; i++) shipper.push(base, `e${i}`);
    await shipper.flush();
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(MAX_PUTS_IN_FLIGHT);
    const stored = fake.events(GROUP, STREAM).map((e) => e.message);
    expect(stored).toHaveLength(total + 1);
    expect(new Set(stored).size).toBe(total + 1);
    expect(shipper.stats()).toMatchObject({ shipped: total + 1, droppedTotal: 0 });
    client.destroy();
  });

  it('keeps batches full under a burst that outlasts a tick: only what has waited a tick goes in a partial batch', async () => {
    let calls = 0;
    fake = await startFakeCloudWatch({
      operations: {
        async PutLogEvents(body, store) {
          calls++;
          // a call takes a while, so calls stay in flight (and the pump runs) from tick to tick during the burst
          await new Promise((resolve) => setTimeout(resolve, 30));
          return BUILT_IN_OPERATIONS.PutLogEvents!(body, store);
        },
      },
    });
    fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map([[STREAM, []]]) });
    const client = sdkClient(fake);
    const tickMs = 50;
    shipper = new CloudWatchShipper(resolveOptions({ logGroupName: GROUP, logStreamName: STREAM, service: 'svc', flushIntervalMs: 2 * tickMs }), { client, writeStderr: () => {} });
    shipper.push(Date.now(), 'first');
    await shipper.flush();
    const before = calls;
    // ~1 KB lines: a full batch is ~1,020 of them (1 MiB). The writer yields between chunks that are not whole
    // batches, as a server does between requests, so the pump keeps catching up with a partial tail.
    const line = 'x'.repeat(1000);
    const chunks = 60;
    const started = Date.now();
    for (let c = 0; c < chunks; c++) {
      for (let i = 0; i < 700; i++) shipper.push(Date.now(), `${c}-${i}-${line}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const burstMs = Date.now() - started;
    await shipper.flush();
    const perCall = putCalls(fake).slice(before).map((c) => c.events.length);
    expect(perCall.reduce((sum, n) => sum + n, 0)).toBe(chunks * 700);
    // A partial batch needs its head to have waited a tick: at most one per tick of the burst, plus the final flush.
    const partial = perCall.filter((n) => n < 1000).length;
    expect(partial).toBeLessThanOrEqual(Math.ceil(burstMs / tickMs) + 1);
    expect(partial).toBeLessThan(perCall.length / 2);
    expect(calls - before).toBe(perCall.length);
    client.destroy();
  });
});

