/**
 * A 40 s CloudWatch outage in real time, with the sink's DEFAULT retry policy (backoff base 200 ms, cap 20 s, no
 * retry limit) and lines arriving at 60 a second (20 requests/s × 3 lines: start, db.query, finish). The old
 * policy gave a batch up after 8 retries, about 27 s in (3,691 lines lost in a 90 s outage); now every line is
 * delivered once the endpoint is back, and nothing is counted dropped. Jitter is fixed at the middle of its range so
 * the old policy's give-up time is not left to chance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveOptions } from '../../../middleware/sinks/cloudwatch/options.js';
import { CloudWatchShipper } from '../../../middleware/sinks/cloudwatch/shipper.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { sdkClient } from '../../integration/cloudwatch-sink/helpers.js';
import { reportFigure, seconds } from '../support/figure-line.js';

const OUTAGE_MS = 40_000;
const LINES_PER_SECOND = 60;
const GROUP = '/logjam/outage';
const STREAM = 'svc/host/1';

let fake: FakeCloudWatch;
beforeAll(async () => {
  fake = await startFakeCloudWatch();
});
afterAll(async () => {
  await fake?.close();
});

it('a 40 s outage at 60 lines/s with the default policy: every line delivered, 0 dropped', async () => {
  const client = sdkClient(fake);
  const stderr: string[] = [];
  const shipper = new CloudWatchShipper(resolveOptions({ logGroupName: GROUP, logStreamName: STREAM, service: 'svc' }), {
    client,
    random: () => 0.5,
    writeStderr: (line) => stderr.push(line),
  });
  let seq = 0;
  const push = (n: number) => {
    for (let i = 0; i < n; i++) shipper.push(Date.now(), JSON.stringify({ seq: seq++, event: 'request.finish' }));
  };
  push(60); // delivered before the outage
  await shipper.flush();
  fake.setDown(true);
  const outageStart = Date.now();
  while (Date.now() - outageStart < OUTAGE_MS) {
    push(LINES_PER_SECOND / 10);
    await new Promise((r) => setTimeout(r, 100));
  }
  fake.setDown(false);
  const recovered = Date.now();
  push(60);
  const result = await shipper.close(30_000);
  client.destroy();
  const delivered = fake
    .events(GROUP, STREAM)
    .map((e) => JSON.parse(e.message) as { seq?: number })
    .filter((m) => m.seq !== undefined)
    .map((m) => m.seq);
  reportFigure(
    'long-outage-default-policy',
    `outage ${seconds(Date.now() - outageStart - (Date.now() - recovered))}, ${seq} lines written, ${delivered.length} delivered, ` +
      `dropped ${result.stats.droppedTotal}, retries ${result.stats.retries}, peak buffer ${result.stats.peakBufferedEvents} events, ` +
      `delivered ${seconds(Date.now() - recovered)} after recovery`,
  );
  expect(delivered).toEqual(Array.from({ length: seq }, (_, i) => i));
  expect(result.stats.droppedTotal).toBe(0);
  expect(stderr).toEqual([]);
}, 120_000);
