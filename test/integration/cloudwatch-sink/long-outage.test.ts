/**
 * Long CloudWatch outages, in scaled-down time (backoff cap of a few ms, an injected clock for CloudWatch's age
 * window): within the buffer's bounds nothing is given up, however many retries the outage takes; the bounds that
 * do force drops (buffer size, the 14-day window) drop exactly what they must, counted by reason.
 */
import { expect, it } from 'vitest';
import { MAX_EVENT_AGE_MS } from '../../../middleware/sinks/cloudwatch/shipper.js';
import { GROUP, STREAM, sumDropped, waitFor, useFakeShipper } from './helpers.js';

const cw = useFakeShipper();

const line = (seq: number) => JSON.stringify({ seq });
const failedPuts = () => cw.fake.calls.filter((c) => c.op === 'PutLogEvents' && c.status === 503).length;
/** The seq of every delivered application line (log.dropped reports carry none). */
const deliveredSeqs = () => cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message).seq as number | undefined).filter((s) => s !== undefined);

it('an outage lasting 60 retries (about 10 min at the default backoff) loses nothing that fits the buffer', async () => {
  // No maxRetries: the default. At the default 20 s cap, 60 retries are ~10 min of outage; the old default gave a
  // batch up after 8 retries (~27 s at 200 ms base).
  const { shipper, stderr } = cw.setup({ backoff: { baseMs: 1, capMs: 4 }, maxBufferedEvents: 5000 });
  cw.fake.fail('PutLogEvents', { status: 503, times: 60 });
  for (let i = 0; i < 1000; i++) shipper.push(Date.now(), line(i));
  const flushed = shipper.flush();
  await waitFor(() => failedPuts() >= 30, 'half the outage');
  for (let i = 1000; i < 1500; i++) shipper.push(Date.now(), line(i)); // lines keep arriving during the outage
  await flushed;
  await shipper.flush();
  expect(failedPuts()).toBe(60);
  expect(deliveredSeqs()).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  expect(shipper.stats()).toMatchObject({ shipped: 1500, droppedTotal: 0 });
  expect(shipper.stats().retries).toBeGreaterThanOrEqual(60);
  expect(stderr).toEqual([]);
});

it('during an endless outage only the buffer bound drops (newest first, buffer_full); the retried batch is kept', async () => {
  const { shipper, stderr } = cw.setup({ backoff: { baseMs: 1, capMs: 4 }, maxBufferedEvents: 300 });
  cw.fake.setDown(true);
  for (let i = 0; i < 200; i++) shipper.push(Date.now(), line(i));
  const flushed = shipper.flush();
  await waitFor(() => cw.fake.calls.filter((c) => c.status === 0).length >= 40, '40 failed calls');
  for (let i = 200; i < 500; i++) shipper.push(Date.now(), line(i));
  expect(shipper.stats()).toMatchObject({ bufferedEvents: 300, dropped: { buffer_full: 200 } });
  expect(shipper.stats().dropped.retries_exhausted).toBeUndefined();
  cw.fake.setDown(false);
  await flushed;
  await shipper.flush();
  expect(deliveredSeqs()).toEqual(Array.from({ length: 300 }, (_, i) => i));
  await waitFor(() => sumDropped(stderr) === 200, 'the buffer_full report');
  expect(sumDropped(stderr, 'buffer_full')).toBe(200);
});

it('events that age past CloudWatch’s 14-day window while retried are dropped as too_old, the rest delivered', async () => {
  // The injected clock starts 14 days in the past and jumps to the present: the fake endpoint (real clock) then
  // sees only what is still inside the window.
  const realNow = Date.now();
  let clock = realNow - MAX_EVENT_AGE_MS;
  const { shipper, stderr } = cw.setup({ backoff: { baseMs: 1, capMs: 4 } }, undefined, { now: () => clock });
  cw.fake.setDown(true);
  // 100 events 13 days old when the outage starts (28 days old at its end), 50 from its last hour
  for (let i = 0; i < 100; i++) shipper.push(clock - 13 * 24 * 60 * 60 * 1000 + i, line(i));
  for (let i = 100; i < 150; i++) shipper.push(realNow - 60 * 60 * 1000 + i, line(i));
  const flushed = shipper.flush();
  await waitFor(() => cw.fake.calls.filter((c) => c.status === 0).length >= 5, 'a few failed calls');
  clock = realNow; // 14 days later
  await waitFor(() => shipper.stats().dropped.too_old === 100, 'the aged events dropped');
  cw.fake.setDown(false);
  await flushed;
  expect(deliveredSeqs()).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  expect(shipper.stats()).toMatchObject({ shipped: 50, droppedTotal: 100, bufferedEvents: 0 });
  expect(sumDropped(stderr, 'too_old')).toBe(100);
});
