/**
 * SIGTERM to the sample app in the middle of a load run: the BUILT app (dist/sample-app/main.js) as a child
 * process with the file sink (LOG_FILE) and the CloudWatch sink (LOGJAM_CLOUDWATCH_LOG_GROUP, the SDK pointed at the
 * fake CloudWatch in this process through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), a bounded load where every request has
 * its own X-Request-Id, and SIGTERM once the load is well under way. Every response the client received must have
 * its request.finish line in the file AND in CloudWatch.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import { AppProcess, MAIN_JS } from '../../integration/sample-app/helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/fake-cloudwatch/server.js';
import { reportFigure } from '../support/figure-line.js';
import { runIdLoad } from '../support/id-load.js';
import { dropLinesIn, fakeAwsEnv } from '../support/logger-child.js';
import { requireBuild } from './build.js';
import { storedLines, type StoredLine } from './helpers.js';

const RUN_ID = 'delivery-sigterm';
const GROUP = '/logjam/delivery-sigterm';
/** responses received before the signal: far enough in that every loop has requests in flight */
const SIGNAL_AFTER_RESPONSES = 1500;
const CONCURRENCY = 16;

let pg: TestPostgres;
let fake: FakeCloudWatch;
let dir: string;
let app: AppProcess | undefined;

beforeAll(async () => {
  requireBuild();
  [pg, fake] = await Promise.all([startTestPostgres(), startFakeCloudWatch()]);
  dir = await mkdtemp(join(tmpdir(), 'logjam-delivery-sigterm-'));
  await chmod(dir, 0o777);
});

afterAll(async () => {
  app?.kill('SIGKILL'); // only if the test failed half-way
  await Promise.all([pg?.stop(), fake?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** request ids of the run's request.finish lines, with how many lines each has */
function finishedIds(lines: readonly StoredLine[]): Map<string, number> {
  const ids = new Map<string, number>();
  for (const l of lines) {
    if (l[FIELDS.event] !== EVENTS.requestFinish || l[FIELDS.runId] !== RUN_ID) continue;
    const id = l[FIELDS.requestId] as string;
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return ids;
}

it('SIGTERM mid-load: every response the client received has its request.finish line in the file and in CloudWatch', async () => {
  const logFile = join(dir, 'app.ndjson');
  app = new AppProcess(MAIN_JS, [], {
    ...fakeAwsEnv(fake.url),
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: pg.url,
    LOG_STDOUT: '0',
    LOG_FILE: logFile,
    LOGJAM_CLOUDWATCH_LOG_GROUP: GROUP,
    SERVICE_NAME: 'taskoverflow-delivery',
  });
  const running = app;
  const url = await running.url();

  let inFlightAtSignal = -1;
  let responsesAtSignal = -1;
  const result = await runIdLoad({
    url,
    runId: RUN_ID,
    concurrency: CONCURRENCY,
    maxRequests: 20_000,
    onResponse: ({ responses, started }) => {
      if (responsesAtSignal < 0 && responses >= SIGNAL_AFTER_RESPONSES) {
        responsesAtSignal = responses;
        // every other loop has its request outstanding (this one is between two requests)
        inFlightAtSignal = started - responses;
        running.kill('SIGTERM');
      }
    },
  });
  const exit = await running.exited;

  const fileLines = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter((t) => t.trim() !== '')
    .map((t) => JSON.parse(t) as StoredLine);
  const inFile = finishedIds(fileLines);
  // requests the server accepted (request.start) but never finished: a drain that cut requests would leave some
  const unfinished = fileLines.filter((l) => l[FIELDS.event] === EVENTS.requestStart && l[FIELDS.runId] === RUN_ID && !inFile.has(l[FIELDS.requestId] as string));
  const inCloud = finishedIds(storedLines(fake, GROUP));
  const received = result.responses;
  const missingInFile = received.filter((r) => !inFile.has(r.requestId));
  const missingInCloud = received.filter((r) => !inCloud.has(r.requestId));
  const afterSignal = received.length - responsesAtSignal;
  const drops = dropLinesIn(running.stderr);

  reportFigure(
    'SIGTERM mid-load',
    `SIGTERM after ${responsesAtSignal} responses (${CONCURRENCY} closed loops, ${inFlightAtSignal} requests in flight): ${received.length} responses received ` +
      `(${afterSignal} after the signal), ${received.length - missingInFile.length} of them with their request.finish line in the file sink, ` +
      `${received.length - missingInCloud.length} in CloudWatch; ${result.failures.length} requests got no response ` +
      `(${[...new Set(result.failures.map((f) => f.error))].join(', ')}); server logged ${inFile.size} finishes in the file, ` +
      `${inCloud.size} in CloudWatch, ${unfinished.length} started and never finished; exit ${String(exit.code)}; ${drops.length} log.dropped lines`,
  );

  // It really was mid-load: requests were in flight at the signal and were answered after it.
  expect(responsesAtSignal).toBe(SIGNAL_AFTER_RESPONSES);
  expect(inFlightAtSignal).toBeGreaterThan(0);
  expect(afterSignal).toBeGreaterThan(0);
  expect(exit).toEqual({ code: 0, signal: null });
  // The ids the client sent are the ids the server logged (echoed back on every response).
  expect(received.every((r) => r.echoed === r.requestId)).toBe(true);
  // Expected = arrived, in both sinks.
  expect(missingInFile).toEqual([]);
  expect(missingInCloud).toEqual([]);
  // Both sinks hold the same finishes, each once, and nothing was counted as dropped.
  expect([...inCloud.keys()].sort()).toEqual([...inFile.keys()].sort());
  expect([...inFile.values(), ...inCloud.values()].every((n) => n === 1)).toBe(true);
  expect(drops).toEqual([]);
  // The drain finished every request the server had accepted.
  expect(unfinished).toEqual([]);
});
