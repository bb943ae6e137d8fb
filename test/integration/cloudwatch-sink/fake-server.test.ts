/**
 * The fake endpoint must behave like CloudWatch Logs as the real SDK sees it, or every other CloudWatch test
 * proves nothing: named exceptions, the PutLogEvents limits, rejected-event indexes, fault injection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  InvalidParameterException,
} from '@aws-sdk/client-cloudwatch-logs';
import { FakeAwsError, startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';

let fake: FakeCloudWatch;
let client: CloudWatchLogsClient;

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  fake = await startFakeCloudWatch();
  client = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await fake.close();
});

async function makeStream(group = 'g', stream = 's'): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

describe('fake CloudWatch Logs server through the real SDK', () => {
  it('creates groups and streams, stores events, and reads them back', async () => {
    await makeStream();
    const now = Date.now();
    await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: now, message: 'a' }, { timestamp: now + 1, message: 'b' }] }));
    const got = await client.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', startFromHead: true }));
    expect(got.events?.map((e) => e.message)).toEqual(['a', 'b']);
    expect(fake.events('g', 's').map((e) => e.message)).toEqual(['a', 'b']);
    const streams = await client.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['s']);
    expect(fake.calls.map((c) => c.op)).toEqual(['CreateLogGroup', 'CreateLogStream', 'PutLogEvents', 'GetLogEvents', 'DescribeLogStreams']);
  });

  it('raises the modelled exceptions by name', async () => {
    const missing = await errorOf(client.send(new PutLogEventsCommand({ logGroupName: 'nope', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'x' }] })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    await makeStream();
    const again = await errorOf(client.send(new CreateLogGroupCommand({ logGroupName: 'g' })));
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);
    const missingStream = await errorOf(client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 'other', logEvents: [{ timestamp: Date.now(), message: 'x' }] })));
    expect(missingStream.name).toBe('ResourceNotFoundException');
  });

  it('refuses batches outside the limits: order, count, bytes, span', async () => {
    await makeStream();
    const now = Date.now();
    const put = (logEvents: { timestamp: number; message: string }[]) =>
      errorOf(client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents })));

    const unordered = await put([{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }]);
    expect(unordered).toBeInstanceOf(InvalidParameterException);
    expect(unordered.message).toMatch(/chronological/);

    const tooMany = await put(Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'x' })));
    expect(tooMany).toBeInstanceOf(InvalidParameterException);

    // 26 bytes of overhead per event count: 4 events of 262,118 bytes = exactly 1,048,576 accepted; one byte more refused.
    const exact = Array.from({ length: 4 }, () => ({ timestamp: now, message: 'y'.repeat(262_144 - 26) }));
    await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: exact }));
    const over = exact.map((e, i) => (i === 0 ? { ...e, message: `${e.message}y` } : e));
    expect((await put(over)).message).toMatch(/too large/i);

    const span = await put([{ timestamp: now - 25 * 3_600_000, message: 'old' }, { timestamp: now, message: 'new' }]);
    expect(span.message).toMatch(/24 hours/);
    expect(fake.events('g', 's')).toHaveLength(4);
  });

  it('returns too-old / too-new indexes and stores only the rest', async () => {
    await makeStream();
    const now = Date.now();
    const result = await client.send(new PutLogEventsCommand({
      logGroupName: 'g',
      logStreamName: 's',
      logEvents: [
        { timestamp: now - 15 * 86_400_000, message: 'old1' },
        { timestamp: now - 15 * 86_400_000 + 1, message: 'old2' },
        { timestamp: now, message: 'ok' },
        { timestamp: now + 3 * 3_600_000, message: 'future' },
      ],
    })).catch(() => undefined);
    // A 15-day-old + 3-h-future batch spans > 24 h; the real service refuses it, so split the cases.
    expect(result).toBeUndefined();

    const oldBatch = await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [
      { timestamp: now - 15 * 86_400_000, message: 'old1' },
      { timestamp: now - 15 * 86_400_000 + 1, message: 'old2' },
    ] }));
    expect(oldBatch.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    const newBatch = await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [
      { timestamp: now, message: 'ok' },
      { timestamp: now + 3 * 3_600_000, message: 'future' },
    ] }));
    expect(newBatch.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    expect(fake.events('g').map((e) => e.message)).toEqual(['ok']);
  });

  it('injects named faults, 5xx, and a dead connection, then recovers', async () => {
    await makeStream();
    fake.fail('PutLogEvents', { type: 'ThrottlingException', times: 2, message: 'Rate exceeded' });
    fake.fail('*', { status: 503 });
    const put = () => client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'x' }] }));
    const t1 = await errorOf(put());
    expect(t1.name).toBe('ThrottlingException');
    expect(t1.$metadata?.httpStatusCode).toBe(400);
    expect((await errorOf(put())).name).toBe('ThrottlingException');
    const unavailable = await errorOf(put());
    expect(unavailable.$metadata?.httpStatusCode).toBe(503);
    fake.setDown(true);
    const network = await errorOf(put());
    expect(network.$metadata?.httpStatusCode).toBeUndefined();
    fake.setDown(false);
    await put();
    expect(fake.events('g', 's')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.op === 'PutLogEvents').map((c) => c.status)).toEqual([400, 400, 503, 0, 200]);
  });

  it('accepts extra operations from other modules', async () => {
    await fake.close();
    fake = await startFakeCloudWatch({
      operations: {
        StartQuery: (body: { queryString?: string }) => {
          if (!body.queryString) throw new FakeAwsError('MalformedQueryException', 'empty query');
          return { queryId: 'q1' };
        },
      },
    });
    client.destroy();
    client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
    const { StartQueryCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const ok = await client.send(new StartQueryCommand({ logGroupName: 'g', startTime: 1, endTime: 2, queryString: 'fields @message' }));
    expect(ok.queryId).toBe('q1');
    const bad = await errorOf(client.send(new StartQueryCommand({ logGroupName: 'g', startTime: 1, endTime: 2, queryString: '' })));
    expect(bad.name).toBe('MalformedQueryException');
  });
});
