/**
 * The shipper through the real SDK against the fake endpoint: limits, order, retries, drops and their accounting.
 */
import { describe, expect, it } from 'vitest';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import { isValidBatch } from '../../../middleware/sinks/cloudwatch/batcher.js';
import { GROUP, STREAM, putCalls, sumDropped, useFakeShipper, waitFor } from './helpers.js';

const cw = useFakeShipper();

const line = (seq: number, pad = 0) => JSON.stringify({ seq, msg: 'x'.repeat(pad) });

describe('CloudWatch shipper', () => {
  it('creates the group and stream, respects count and byte limits, and keeps order', async () => {
    const { shipper } = cw.setup();
    const base = Date.now();
    // 25,000 small events: count-limited calls. Then 3,000 events of ~1 KB: byte-limited calls.
    for (let i = 0; i < 25_000; i++) shipper.push(base + Math.floor(i / 10), line(i));
    for (let i = 25_000; i < 28_000; i++) shipper.push(base + 2500 + i, line(i, 1000));
    await shipper.flush();

    // Calls in flight together may land in any order; CloudWatch's readers order events by timestamp, and in that
    // order every event is there once, as written.
    const stored = cw.fake.events(GROUP);
    expect(stored).toHaveLength(28_000);
    expect(stored.map((e) => JSON.parse(e.message).seq)).toEqual(Array.from({ length: 28_000 }, (_, i) => i));
    const calls = putCalls(cw.fake);
    expect(calls.filter((c) => c.status === 200).every((c) => isValidBatch(c.events))).toBe(true);
    expect(calls.every((c) => c.status === 200 || c === calls[0])).toBe(true); // only the first hit the missing stream
    const accepted = calls.filter((c) => c.status === 200);
    for (const call of accepted) {
      expect(call.events.length).toBeLessThanOrEqual(10_000);
      const bytes = call.events.reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0);
      expect(bytes).toBeLessThanOrEqual(1_048_576);
    }
    expect(accepted.filter((c) => c.events.length === 10_000).length).toBeGreaterThanOrEqual(2);
    // The ~1 KB events need at least 3 calls because of bytes alone.
    expect(accepted.filter((c) => c.events.some((e) => e.message.length > 1000)).length).toBeGreaterThanOrEqual(3);
    // the stream first; its ResourceNotFoundException says the group is missing too
    expect(cw.fake.calls.map((c) => c.op).slice(0, 5)).toEqual(['PutLogEvents', 'CreateLogStream', 'CreateLogGroup', 'CreateLogStream', 'PutLogEvents']);
    expect(shipper.stats()).toMatchObject({ shipped: 28_000, droppedTotal: 0 });
  });

  it('retries throttling with growing backoff and delivers everything', async () => {
    const { shipper } = cw.setup({ backoff: { baseMs: 40, capMs: 5000 } }, () => 0.999);
    cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map([[STREAM, []]]) });
    cw.fake.fail('PutLogEvents', { type: 'ThrottlingException', message: 'Rate exceeded', times: 4 });
    for (let i = 0; i < 100; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();

    const calls = putCalls(cw.fake);
    expect(calls.map((c) => c.status)).toEqual([400, 400, 400, 400, 200]);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    // Full jitter with random≈1 waits ≈ the ceiling: 40, 80, 160, 320 ms. Timers never fire early, so the lower
    // bounds hold on a loaded machine; the growth is asserted loosely (last gap longer than the first).
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(Math.floor(0.999 * 40 * 2 ** i) - 2));
    expect(gaps[3]!).toBeGreaterThan(gaps[0]!);
    expect(cw.fake.events(GROUP, STREAM)).toHaveLength(100);
    expect(shipper.stats()).toMatchObject({ retries: 4, shipped: 100, droppedTotal: 0 });
  });

  it('retries 5xx and network errors too', async () => {
    const { shipper } = cw.setup();
    cw.fake.fail('PutLogEvents', { status: 503, times: 2 });
    cw.fake.fail('PutLogEvents', { down: true, times: 1 });
    cw.fake.fail('*', { status: 500, type: 'InternalFailure', times: 1 });
    for (let i = 0; i < 10; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();
    expect(cw.fake.events(GROUP)).toHaveLength(10);
    expect(shipper.stats().droppedTotal).toBe(0);
    expect(shipper.stats().retries).toBeGreaterThanOrEqual(4);
  });

  it('does not retry InvalidParameterException: drops that batch once, counts it, reports it on stderr and in CloudWatch', async () => {
    const { shipper, stderr } = cw.setup();
    cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map([[STREAM, []]]) });
    cw.fake.fail('PutLogEvents', { type: 'InvalidParameterException', message: 'bad batch', times: 1 });
    for (let i = 0; i < 7; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();
    expect(putCalls(cw.fake).map((c) => c.status)).toEqual([400]);
    expect(shipper.stats().dropped).toEqual({ rejected: 7 });
    expect(stderr).toEqual([expect.objectContaining({ event: EVENTS.logDropped, dropped: 7, reason: 'rejected', sink: 'cloudwatch', level: 'warn' })]);

    // Next batch works; the drop report rides along once shipping works again.
    for (let i = 7; i < 10; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();
    const messages = cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message));
    expect(messages.filter((m) => m.seq !== undefined).map((m) => m.seq)).toEqual([7, 8, 9]);
    const report = messages.find((m) => m[FIELDS.event] === EVENTS.logDropped);
    expect(report).toMatchObject({ dropped: 7, reason: 'rejected', sink: 'cloudwatch', service: 'svc', schema: 1, pid: process.pid });
    expect(typeof report.host).toBe('string');
    expect(typeof report.time).toBe('number');
  });

  it('counts events AWS rejects as too old or too new', async () => {
    const { shipper, stderr } = cw.setup();
    const now = Date.now();
    for (let i = 0; i < 3; i++) shipper.push(now - 15 * 86_400_000 + i, line(i));
    for (let i = 3; i < 8; i++) shipper.push(now + i, line(i));
    for (let i = 8; i < 10; i++) shipper.push(now + 3 * 3_600_000 + i, line(i));
    await shipper.flush();
    const stored = cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message));
    expect(stored.filter((m) => m.seq !== undefined).map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    // The loss is visible in CloudWatch too: log.dropped events for both reasons.
    const reports = stored.filter((m) => m.event === EVENTS.logDropped);
    expect(Object.fromEntries(reports.map((r) => [r.reason, r.dropped]))).toEqual({ too_old: 3, too_new: 2 });
    expect(shipper.stats()).toMatchObject({ shipped: 5, dropped: { too_old: 3, too_new: 2 }, droppedTotal: 5 });
    expect(sumDropped(stderr, 'too_old')).toBe(3);
    expect(sumDropped(stderr, 'too_new')).toBe(2);
  });

  it('truncates an oversized event with a marker and counts it', async () => {
    const { shipper } = cw.setup();
    const big = JSON.stringify({ seq: 1, blob: 'é'.repeat(200_000) }); // 400 KB in UTF-8
    shipper.push(Date.now(), big);
    shipper.push(Date.now(), line(2));
    await shipper.flush();
    const [first, second] = cw.fake.events(GROUP, STREAM);
    expect(Buffer.byteLength(first!.message) + 26).toBeLessThanOrEqual(262_144);
    const marker = /…\[truncated (\d+) bytes by logjam\]$/.exec(first!.message);
    expect(marker).not.toBeNull();
    expect(Buffer.byteLength(first!.message) - Buffer.byteLength(marker![0]) + Number(marker![1])).toBe(Buffer.byteLength(big));
    expect(big.startsWith(first!.message.slice(0, first!.message.length - marker![0].length))).toBe(true);
    expect(second!.message).toBe(line(2));
    expect(shipper.stats()).toMatchObject({ truncated: 1, shipped: 2, droppedTotal: 0 });
  });

  it('loses nothing within the buffer bound while the endpoint is down for a while', async () => {
    const { shipper } = cw.setup({ maxBufferedEvents: 1000, maxRetries: 50 });
    cw.fake.setDown(true);
    for (let i = 0; i < 600; i++) shipper.push(Date.now(), line(i));
    const flushed = shipper.flush();
    await waitFor(() => cw.fake.calls.filter((c) => c.status === 0).length >= 3, 'three failed calls');
    for (let i = 600; i < 900; i++) shipper.push(Date.now(), line(i)); // still arriving during the outage
    cw.fake.setDown(false);
    await flushed;
    await shipper.flush();
    expect(cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message).seq)).toEqual(Array.from({ length: 900 }, (_, i) => i));
    expect(shipper.stats()).toMatchObject({ shipped: 900, droppedTotal: 0 });
  });

  it('keeps memory bounded while the endpoint stays down, and log.dropped counts exactly what is missing', async () => {
    const { shipper, stderr } = cw.setup({ maxBufferedEvents: 200, maxBufferedBytes: 1_000_000, maxRetries: 3 });
    cw.fake.setDown(true);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) shipper.push(Date.now(), line(round * 100 + i, 200));
      expect(shipper.stats().bufferedEvents).toBeLessThanOrEqual(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await shipper.close(500);
    const stats = result.stats;
    expect(stats.peakBufferedEvents).toBeLessThanOrEqual(200);
    expect(stats.shipped).toBe(0);
    expect(stats.droppedTotal).toBe(500);
    expect(stats.dropped.buffer_full).toBeGreaterThan(0);
    // stderr carries every drop, by reason, and they add up to exactly what never arrived.
    expect(sumDropped(stderr)).toBe(500 - cw.fake.events(GROUP).length);
    expect(stderr.every((l) => l.event === EVENTS.logDropped && l.sink === 'cloudwatch')).toBe(true);
  });

  it('bounds the buffer in bytes too', async () => {
    const { shipper, stderr } = cw.setup({ maxBufferedBytes: 20_000, maxRetries: 1 });
    cw.fake.setDown(true);
    for (let i = 0; i < 100; i++) shipper.push(Date.now(), line(i, 1000));
    expect(shipper.stats().peakBufferedBytes).toBeLessThanOrEqual(20_000);
    expect(shipper.stats().dropped.buffer_full).toBe(100 - shipper.stats().bufferedEvents);
    await shipper.close(300);
    expect(sumDropped(stderr)).toBe(100);
  });

  it('after an outage with overflow, ships the log.dropped count to CloudWatch once it is back', async () => {
    const { shipper, stderr } = cw.setup({ maxBufferedEvents: 100, maxRetries: 100 });
    cw.fake.setDown(true);
    for (let i = 0; i < 150; i++) shipper.push(Date.now(), line(i));
    await waitFor(() => cw.fake.calls.some((c) => c.status === 0), 'a failed call');
    await waitFor(() => stderr.length > 0, 'the buffer_full report on stderr');
    cw.fake.setDown(false);
    await waitFor(() => shipper.stats().dropReportsShipped > 0, 'the drop report shipped');
    const messages = cw.fake.events(GROUP).map((e) => JSON.parse(e.message));
    const delivered = messages.filter((m) => m.seq !== undefined);
    const reports = messages.filter((m) => m.event === EVENTS.logDropped);
    expect(delivered).toHaveLength(100);
    expect(reports.reduce((sum, r) => sum + r.dropped, 0)).toBe(50);
    expect(sumDropped(stderr, 'buffer_full')).toBe(50);
  });

  it('drops (and counts) when the group is missing and creating it is disabled', async () => {
    const { shipper, stderr } = cw.setup({ createLogGroup: false });
    for (let i = 0; i < 5; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();
    expect(cw.fake.calls.map((c) => c.op)).toEqual(['PutLogEvents', 'CreateLogStream']);
    expect(shipper.stats().dropped).toEqual({ missing_destination: 5 });
    expect(sumDropped(stderr, 'missing_destination')).toBe(5);
  });

  it('with createLogGroup false, still creates its own stream in an existing group', async () => {
    cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map() });
    const { shipper } = cw.setup({ createLogGroup: false });
    for (let i = 0; i < 5; i++) shipper.push(Date.now(), line(i));
    await shipper.flush();
    expect(cw.fake.events(GROUP, STREAM)).toHaveLength(5);
    expect(cw.fake.calls.map((c) => c.op)).not.toContain('CreateLogGroup');
    expect(shipper.stats()).toMatchObject({ shipped: 5, droppedTotal: 0 });
  });

  describe('least-privilege role (terraform: CreateLogStream + PutLogEvents only, CreateLogGroup denied)', () => {
    const denyCreateGroup = () => cw.fake.fail('CreateLogGroup', { type: 'AccessDeniedException', message: 'not authorized to perform: logs:CreateLogGroup', times: Infinity });

    it('delivers every line when the group exists: CreateLogGroup is not needed, so its denial costs nothing', async () => {
      cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map() });
      denyCreateGroup();
      const { shipper, stderr } = cw.setup();
      for (let i = 0; i < 50; i++) shipper.push(Date.now(), line(i));
      await shipper.flush();
      expect(cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(shipper.stats()).toMatchObject({ shipped: 50, droppedTotal: 0 });
      expect(stderr).toEqual([]);
    });

    it('when the stream is created by someone else meanwhile and the group check is refused, lines still go out', async () => {
      // The group exists, but the first CreateLogStream answers "group not found" (eventual consistency right after
      // terraform created it): the refused CreateLogGroup must not stop the sink from trying the stream again.
      cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map() });
      denyCreateGroup();
      cw.fake.fail('CreateLogStream', { type: 'ResourceNotFoundException', message: 'The specified log group does not exist.', times: 1 });
      const { shipper } = cw.setup();
      for (let i = 0; i < 20; i++) shipper.push(Date.now(), line(i));
      await shipper.flush();
      expect(cw.fake.calls.map((c) => [c.op, c.status])).toEqual([
        ['PutLogEvents', 400],
        ['CreateLogStream', 400],
        ['CreateLogGroup', 400],
        ['CreateLogStream', 200],
        ['PutLogEvents', 200],
      ]);
      expect(cw.fake.events(GROUP, STREAM)).toHaveLength(20);
      expect(shipper.stats()).toMatchObject({ shipped: 20, droppedTotal: 0 });
    });

    it('a missing group that may not be created: counted with the reason, asked once, and shipping resumes once the group exists', async () => {
      denyCreateGroup();
      const { shipper, stderr } = cw.setup();
      for (let i = 0; i < 5; i++) shipper.push(Date.now(), line(i));
      await shipper.flush();
      expect(shipper.stats().dropped).toEqual({ missing_destination: 5 });
      const report = stderr.find((l) => l.reason === 'missing_destination') as unknown as { msg: string };
      expect(report.msg).toMatch(/CreateLogGroup refused: AccessDeniedException/);

      // an administrator (or terraform) creates the group: the next lines are delivered
      cw.fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map() });
      for (let i = 5; i < 10; i++) shipper.push(Date.now(), line(i));
      await shipper.flush();
      const delivered = cw.fake.events(GROUP, STREAM).map((e) => JSON.parse(e.message)).filter((m) => m.seq !== undefined);
      expect(delivered.map((m) => m.seq)).toEqual([5, 6, 7, 8, 9]);
      expect(cw.fake.calls.filter((c) => c.op === 'CreateLogGroup')).toHaveLength(1); // a refusal is not repeated
      expect(shipper.stats()).toMatchObject({ shipped: 5, droppedTotal: 5 });
    });
  });

  it('never throws into the caller, even for odd input', () => {
    const { shipper } = cw.setup();
    expect(() => {
      shipper.push(Number.NaN, 'no timestamp');
      shipper.push(Date.now(), '');
    }).not.toThrow();
    expect(shipper.stats().received).toBe(1);
  });
});
