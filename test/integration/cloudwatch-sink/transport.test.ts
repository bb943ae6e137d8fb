/**
 * The built pino transport in a real worker thread (and in a child process that gets SIGTERM), through the real
 * SDK configured only by the standard environment (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_REGION, credentials).
 * Needs `npx tsc -p tsconfig.build.json` first (npm test does it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { EVENTS } from '../../../middleware/schema.js';
import { waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TRANSPORT = `${ROOT}dist/middleware/sinks/cloudwatch/transport.js`;
const CHILD = `${ROOT}dist/test/support/fake-cloudwatch/burst-child.js`;

let fake: FakeCloudWatch;

function awsEnv(url: string): Record<string, string> {
  return { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
}

beforeAll(() => {
  for (const file of [TRANSPORT, CHILD]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (npx tsc -p tsconfig.build.json)`);
  }
});
beforeEach(async () => {
  fake = await startFakeCloudWatch();
});
afterEach(async () => {
  await fake.close();
});

interface ChildResult {
  code: number | null;
  stderr: string;
  ms: number;
}

/** Run the burst child; SIGTERM it as soon as it says the burst is written. */
function runBurstChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalledAt = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!signalledAt && chunk.toString().includes('burst-done')) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr, ms: signalledAt ? Date.now() - signalledAt : -1 }));
  });
}

function seqs(fakeServer: FakeCloudWatch, group: string): number[] {
  return fakeServer
    .events(group)
    .map((e) => JSON.parse(e.message))
    .filter((m) => m.event === undefined)
    .map((m) => m.seq as number);
}

describe('CloudWatch pino transport', () => {
  it('ships each line as one event: raw line as message, its time as timestamp, default stream created', async () => {
    Object.assign(process.env, awsEnv(fake.url));
    const transport = pino.transport({ target: TRANSPORT, options: { logGroupName: 'in-process', service: 'unit', flushIntervalMs: 100 } });
    const logger = pino({ timestamp: pino.stdTimeFunctions.epochTime }, transport);
    logger.info({ seq: 0, ok: true }, 'hello');
    logger.warn({ seq: 1 }, 'world');
    // Wait for delivery before end(): thread-stream's end() blocks this thread (Atomics.wait) until the worker has
    // closed, and the fake server lives on this thread, so ending first would stall the final flush until its bound.
    await waitFor(() => fake.events('in-process').length === 2, 'two events delivered');
    const closed = new Promise((resolve) => transport.once('close', resolve));
    transport.end();
    await closed;

    const [stream] = [...fake.store.groups.get('in-process')!.streams.keys()];
    expect(stream).toMatch(new RegExp(`^unit/.+/${process.pid}-\\d+$`));
    const events = fake.events('in-process');
    expect(events).toHaveLength(2);
    const first = JSON.parse(events[0]!.message);
    expect(first).toMatchObject({ seq: 0, ok: true, msg: 'hello', level: 30 });
    expect(events[0]!.timestamp).toBe(first.time);
    expect(events[0]!.message).not.toMatch(/\n$/);
  });

  it('delivers every line when the process gets SIGTERM right after a burst (handler ends the transport)', async () => {
    const n = 20_000;
    const result = await runBurstChild({ ...awsEnv(fake.url), LJ_TRANSPORT: TRANSPORT, LJ_GROUP: 'burst', LJ_STREAM: 's', LJ_COUNT: String(n), LJ_EXIT: 'end' });
    expect(result.code).toBe(0);
    expect(seqs(fake, 'burst')).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(result.stderr).not.toContain(EVENTS.logDropped);
  });

  it('delivers every line when the SIGTERM handler just calls process.exit (pino exit hook)', async () => {
    const n = 5_000;
    const result = await runBurstChild({ ...awsEnv(fake.url), LJ_TRANSPORT: TRANSPORT, LJ_GROUP: 'exit', LJ_STREAM: 's', LJ_COUNT: String(n), LJ_EXIT: 'exit' });
    expect(result.code).toBe(0);
    expect(seqs(fake, 'exit')).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('LOGJAM_CLOUDWATCH_CREATE_GROUP=0 reaches the worker thread: the stream is created, the group never is', async () => {
    fake.store.groups.set('existing', { createdAt: Date.now(), streams: new Map() });
    const n = 200;
    const result = await runBurstChild({ ...awsEnv(fake.url), LJ_TRANSPORT: TRANSPORT, LJ_GROUP: 'existing', LJ_STREAM: 's', LJ_COUNT: String(n), LJ_EXIT: 'end', LOGJAM_CLOUDWATCH_CREATE_GROUP: '0' });
    expect(result.code).toBe(0);
    expect(seqs(fake, 'existing')).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(fake.calls.map((c) => c.op)).toContain('CreateLogStream');
    expect(fake.calls.map((c) => c.op)).not.toContain('CreateLogGroup');
  });

  it('with the endpoint down at shutdown, exits within the bound and counts every lost line', async () => {
    fake.setDown(true);
    const n = 300;
    const result = await runBurstChild({
      ...awsEnv(fake.url), LJ_TRANSPORT: TRANSPORT, LJ_GROUP: 'down', LJ_STREAM: 's', LJ_COUNT: String(n), LJ_EXIT: 'end', LJ_SHUTDOWN_MS: '1500',
    });
    expect(result.code).toBe(0);
    expect(fake.events('down')).toHaveLength(0);
    const drops = result.stderr.split('\n').filter((l) => l.includes(EVENTS.logDropped)).map((l) => JSON.parse(l));
    expect(drops.reduce((sum, d) => sum + d.dropped, 0)).toBe(n);
    expect(drops.every((d) => d.sink === 'cloudwatch' && d.service === 'burst-child')).toBe(true);
  });
});

describe('CloudWatch pino transport, misconfigured', () => {
  it('does not crash the host: says why on stderr and counts the lines it could not ship', async () => {
    const script = `
      import pino from 'pino';
      const t = pino.transport({ target: ${JSON.stringify(TRANSPORT)}, options: { service: 'bad' } });
      const logger = pino(t);
      for (let i = 0; i < 5; i++) logger.info({ i }, 'line');
      t.once('close', () => { process.stdout.write('host alive\\n'); process.exit(0); });
      setTimeout(() => t.end(), 300);
      setTimeout(() => process.exit(3), 20000); // keeps the host alive until 'close' (the transport is unref'd)
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('host alive');
    expect(stderr).toContain('cloudwatch sink disabled: cloudwatch sink: logGroupName is required');
    const dropped = stderr.split('\n').filter((l) => l.includes(EVENTS.logDropped)).map((l) => JSON.parse(l));
    expect(dropped).toEqual([expect.objectContaining({ dropped: 5, reason: 'misconfigured', sink: 'cloudwatch', service: 'bad' })]);
  });
});
