/**
 * Test helpers: the fake CloudWatch server with the fake Logs Insights engine, the env that points the real SDK at
 * it, and a small writer that stores log lines as events.
 */
import { createInsightsEngine, type InsightsEngine, type InsightsEngineOptions } from '../../support/fake-cloudwatch/insights.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';

export interface Fake {
  cw: FakeCloudWatch;
  engine: InsightsEngine;
  restoreEnv(): void;
}

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_EC2_METADATA_DISABLED',
] as const;

/** Sets env for the SDK; returns a function restoring the previous values. */
export function setAwsEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>>): () => void {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) {
    if (k in values) {
      const v = values[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
}

/** Point the real AWS SDK at a fake endpoint with dummy credentials; returns the function that restores the env. */
export function pointSdkAt(url: string): () => void {
  return setAwsEnv({
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined,
    // never read this machine's real AWS files or the instance metadata service
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}

export async function startFake(options: InsightsEngineOptions = {}): Promise<Fake> {
  const engine = createInsightsEngine(options);
  const cw = await startFakeCloudWatch({ operations: engine.operations });
  return { cw, engine, restoreEnv: pointSdkAt(cw.url) };
}

/** Stores lines (objects become JSON messages; strings are stored as is) in the group, timestamp = line time. */
export function putLines(fake: Fake, group: string, lines: (Record<string, unknown> | { raw: string; time: number })[], stream = 'app/1'): void {
  let g = fake.cw.store.groups.get(group);
  if (!g) fake.cw.store.groups.set(group, (g = { createdAt: Date.now(), streams: new Map() }));
  const events = g.streams.get(stream) ?? [];
  for (const line of lines) {
    const time = Number(line.time);
    const message = 'raw' in line && typeof line.raw === 'string' ? line.raw : JSON.stringify(line);
    events.push({ timestamp: time, message, ingestionTime: time + 50 });
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  g.streams.set(stream, events);
}

/** Fast polling and retries: the behaviour under test is the same, only the waits shrink. */
export const FAST = { pollStartMs: 5, pollMaxMs: 20, retryBaseMs: 5, retryMaxMs: 40 } as const;
