/**
 * CloudWatch answers that are not "200 OK", end to end through createLogger (the BUILT middleware, the real
 * worker-thread transport, the real SDK) in a child process, against the fake CloudWatch in this process: what the
 * process writes, what arrives, and what the `log.dropped` lines (stderr and CloudWatch) say about the rest.
 *
 * The same cases at the shipper level, with deterministic jitter and the shipper's own stats, are in
 * test/integration/cloudwatch-sink/shipper.test.ts (backoff growth: "retries throttling with growing backoff").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { putCalls, waitFor } from '../../integration/cloudwatch-sink/helpers.js';
import { ms, reportFigure } from '../support/figure-line.js';
import { droppedByReason, droppedSum, fakeAwsEnv, LoggerChild } from '../support/logger-child.js';
import { requireBuild } from './build.js';
import { range, storedDropReports, storedLines, storedSeqs } from './helpers.js';

const GROUP = '/logjam/delivery-faults';
const STREAM = 'faults';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** CloudWatch's per-event cap the sink applies by default (256 KB, counting AWS's 26-byte overhead) */
const MAX_EVENT_BYTES = 262_144;
const TRUNCATION_MARKER = /…\[truncated (\d+) bytes by logjam\]$/;

let fake: FakeCloudWatch;
let child: LoggerChild | undefined;
let dir: string;

beforeAll(requireBuild);
beforeEach(async () => {
  fake = await startFakeCloudWatch();
  // The group and stream exist (as terraform would have them), so every PutLogEvents answer is the one injected.
  fake.store.groups.set(GROUP, { createdAt: Date.now(), streams: new Map([[STREAM, []]]) });
  dir = await mkdtemp(join(tmpdir(), 'logjam-delivery-faults-'));
});
afterEach(async () => {
  child?.kill();
  child = undefined;
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** A child whose logger ships to the fake; `file` adds the file sink. */
async function startLogger(service: string, options: { file?: string; backoff?: { baseMs: number; capMs: number } } = {}): Promise<LoggerChild> {
  const logger = new LoggerChild(
    {
      service,
      stdout: false,
      ...(options.file ? { file: options.file } : {}),
      cloudwatch: {
        logGroupName: GROUP,
        logStreamName: STREAM,
        flushIntervalMs: 100,
        // Not public (passed through to the transport): the retry delays, shortened for the test.
        backoff: options.backoff ?? { baseMs: 20, capMs: 200 },
      },
    },
    fakeAwsEnv(fake.url),
  );
  child = logger;
  await logger.ready();
  return logger;
}

it('retries throttling, 5xx and a dropped connection with spaced retries, and delivers every line once', async () => {
  const backoff = { baseMs: 50, capMs: 1000 };
  fake.fail('PutLogEvents', { type: 'ThrottlingException', message: 'Rate exceeded', times: 3 });
  fake.fail('PutLogEvents', { status: 503, times: 1 });
  fake.fail('PutLogEvents', { status: 500, type: 'InternalFailure', times: 1 });
  fake.fail('PutLogEvents', { down: true, times: 1 });
  const logger = await startLogger('delivery-retry', { backoff });
  const n = 200;
  await logger.log({ from: 0, count: n });
  await waitFor(() => storedSeqs(storedLines(fake, GROUP, STREAM)).length >= n, 'every line delivered');
  const closed = await logger.close();

  const calls = putCalls(fake);
  const failed = calls.filter((c) => c.status !== 200);
  // the wait before each retry: from a failed call to the next call
  const waits = failed.map((c) => calls[calls.indexOf(c) + 1]!.at - c.at);
  const ceilings = waits.map((_, attempt) => Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt));
  const sentPerEvent = new Map<number, number>();
  for (const call of calls.filter((c) => c.status === 200)) {
    for (const e of call.events) {
      const seq = (JSON.parse(e.message) as { seq: number }).seq;
      sentPerEvent.set(seq, (sentPerEvent.get(seq) ?? 0) + 1);
    }
  }
  reportFigure(
    'retries',
    `3 ThrottlingException + 503 + 500 InternalFailure + a dropped connection: ${calls.length} PutLogEvents calls ` +
      `(statuses ${calls.map((c) => c.status).join(',')}), waits before each retry ${waits.map(ms).join(', ')} ` +
      `(full jitter under ceilings ${ceilings.join(', ')} ms); ${n} lines written, ${storedSeqs(storedLines(fake, GROUP, STREAM)).length} arrived, ` +
      `${droppedSum(logger.drops())} dropped`,
  );

  expect(closed).toEqual({ flushed: true, code: 0 });
  // each fault cost exactly one retry of the same batch: the first six calls failed, every call after them succeeded
  expect(calls.slice(0, 6).map((c) => c.status)).toEqual([400, 400, 400, 503, 500, 0]);
  expect(calls.slice(6).every((c) => c.status === 200)).toBe(true);
  expect(JSON.stringify(calls[1]!.events)).toBe(JSON.stringify(calls[0]!.events)); // a retry resends the same batch
  // spaced, not a retry storm: full jitter draws each wait from [0, ceiling]; six draws adding up to under 100 ms
  // has a probability of about 4e-6, and timers never fire early, so this lower bound holds on a loaded machine.
  expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100);
  // everything arrived, each line once
  expect(storedSeqs(storedLines(fake, GROUP, STREAM))).toEqual(range(0, n));
  expect([...sentPerEvent.values()].every((count) => count === 1)).toBe(true);
  expect(logger.drops()).toEqual([]);
});

it('does not retry a 400 InvalidParameterException: each batch is sent once, dropped and counted with its reason', async () => {
  fake.fail('PutLogEvents', { type: 'InvalidParameterException', message: 'refused for the test', times: Infinity });
  const logger = await startLogger('delivery-rejected');
  const n = 100;
  await logger.log({ from: 0, count: n });
  await waitFor(() => droppedSum(logger.drops()) >= n, 'the rejected lines counted on stderr');
  const rejectedCalls = putCalls(fake);
  const timesSent = new Map<number, number>();
  for (const call of rejectedCalls) {
    for (const e of call.events) {
      const seq = (JSON.parse(e.message) as { seq: number }).seq;
      timesSent.set(seq, (timesSent.get(seq) ?? 0) + 1);
    }
  }

  // The endpoint accepts again: later lines go through, and so does the count of what was lost.
  fake.clearFaults();
  await logger.log({ from: n, count: 10 });
  const closed = await logger.close();
  const lines = storedLines(fake, GROUP, STREAM);
  const stderrDrops = logger.drops();
  const cloudDrops = storedDropReports(lines);
  reportFigure(
    'InvalidParameterException',
    `${n} lines refused with 400 InvalidParameterException in ${rejectedCalls.length} call(s), each line sent ${[...new Set(timesSent.values())].join('/')} time(s); ` +
      `log.dropped on stderr ${JSON.stringify(droppedByReason(stderrDrops))} ("${stderrDrops[0]?.msg ?? ''}"), in CloudWatch ${JSON.stringify(droppedByReason(cloudDrops))}; ` +
      `10 lines written after the fault cleared, ${storedSeqs(lines).length} arrived`,
  );

  expect(closed).toEqual({ flushed: true, code: 0 });
  expect(rejectedCalls.every((c) => c.status === 400)).toBe(true);
  // not retried: every line was in exactly one refused call
  expect([...timesSent.keys()].sort((a, b) => a - b)).toEqual(range(0, n));
  expect([...timesSent.values()].every((count) => count === 1)).toBe(true);
  // counted once, with its reason and the API's error name, on stderr and in CloudWatch
  expect(droppedByReason(stderrDrops)).toEqual({ rejected: n });
  expect(stderrDrops.every((d) => d.msg.includes('InvalidParameterException'))).toBe(true);
  expect(droppedByReason(cloudDrops)).toEqual({ rejected: n });
  expect(storedSeqs(lines)).toEqual(range(n, n + 10));
});

it('counts lines 15 days old and 3 h in the future (a wrong clock) as too_old / too_new, never silently', async () => {
  const logger = await startLogger('delivery-clock');
  await logger.log({ from: 0, count: 3, skewMs: -15 * DAY_MS });
  await logger.log({ from: 3, count: 5 });
  await logger.log({ from: 8, count: 2, skewMs: 3 * HOUR_MS });
  const closed = await logger.close();

  const lines = storedLines(fake, GROUP, STREAM);
  const delivered = storedSeqs(lines);
  const stderrDrops = logger.drops();
  const cloudDrops = storedDropReports(lines);
  reportFigure(
    'event age',
    `10 lines (3 stamped 15 days ago, 5 now, 2 three hours ahead): ${delivered.length} arrived, ` +
      `log.dropped on stderr ${JSON.stringify(droppedByReason(stderrDrops))}, in CloudWatch ${JSON.stringify(droppedByReason(cloudDrops))}`,
  );

  expect(closed).toEqual({ flushed: true, code: 0 });
  expect(delivered).toEqual([3, 4, 5, 6, 7]);
  expect(droppedByReason(stderrDrops)).toEqual({ too_old: 3, too_new: 2 });
  expect(droppedByReason(cloudDrops)).toEqual({ too_old: 3, too_new: 2 });
  expect(delivered.length + droppedSum(stderrDrops)).toBe(10);
});

it('truncates lines over the event cap with a marker saying how much was cut (the file sink keeps them whole)', async () => {
  const file = join(dir, 'app.ndjson');
  const logger = await startLogger('delivery-oversize', { file });
  await logger.log({ from: 0, count: 1 });
  await logger.log({ from: 1, count: 1, pad: 400_000 }); // over 256 KB
  await logger.log({ from: 2, count: 1, pad: 1_500_000 }); // over the 1 MB a whole PutLogEvents call may carry
  await logger.log({ from: 3, count: 1 });
  const closed = await logger.close();

  const events = fake.events(GROUP, STREAM);
  const fileLines = (await readFile(file, 'utf8')).split('\n').filter((t) => t !== '');
  const cuts = [1, 2].map((seq) => {
    const message = events[seq]!.message;
    const marker = TRUNCATION_MARKER.exec(message);
    const kept = message.slice(0, message.length - (marker?.[0].length ?? 0));
    return { seq, messageBytes: Buffer.byteLength(message), keptBytes: Buffer.byteLength(kept), kept, removed: Number(marker?.[1] ?? -1), original: fileLines[seq]! };
  });
  reportFigure(
    'oversized lines',
    cuts
      .map((c) => `a ${Buffer.byteLength(c.original)}-byte line arrived as ${c.messageBytes} bytes (+26 overhead ≤ ${MAX_EVENT_BYTES}) marked "truncated ${c.removed} bytes"`)
      .join('; ') + `; ${events.length} of 4 lines arrived, ${fileLines.length} whole in the file sink, ${droppedSum(logger.drops())} dropped`,
  );

  expect(closed).toEqual({ flushed: true, code: 0 });
  expect(events).toHaveLength(4);
  expect(fileLines).toHaveLength(4);
  expect(JSON.parse(events[0]!.message)).toMatchObject({ seq: 0 });
  expect(JSON.parse(events[3]!.message)).toMatchObject({ seq: 3 });
  for (const cut of cuts) {
    expect(cut.messageBytes + 26).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    // the marker accounts for every byte: what was kept + what it says was cut = the line the process wrote
    expect(cut.keptBytes + cut.removed).toBe(Buffer.byteLength(cut.original));
    expect(cut.original.startsWith(cut.kept)).toBe(true);
  }
  // a truncation is not a loss: the line arrived (cut, and saying so), so no log.dropped
  expect(logger.drops()).toEqual([]);
});
