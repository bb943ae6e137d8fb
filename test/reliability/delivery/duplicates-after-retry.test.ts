/**
 * Duplicates after a retry do not double-count. The duplicate is produced the way it happens in production: the
 * real shipper (real SDK) sends a batch, the endpoint stores it, the answer is lost on the way back (a proxy drops
 * the connection), the shipper retries, and the same request.finish line is stored twice. Then the analyzer reads
 * that log group with the CloudWatch source (Logs Insights on the fake engine) and the same stream exported as
 * NDJSON with the local source: both count the request once and report one duplicate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeRun, type RunAnalysis } from '../../../analyzer/pipeline.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import { FAST, startFake, type Fake } from '../../integration/cloudwatch-source/helpers.js';
import { GROUP, STREAM, makeShipper, type Harness } from '../../integration/cloudwatch-sink/helpers.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { reportFigure } from '../support/figure-line.js';
import { startLossyProxy, type LossyProxy } from '../support/lossy-proxy.js';

const RUN_ID = 'delivery-duplicates';
const REQUESTS = 40;

let fake: Fake;
let proxy: LossyProxy;
let harness: Harness | undefined;
let dir: string;

beforeAll(async () => {
  fake = await startFake();
  proxy = await startLossyProxy(fake.cw.url);
  dir = await mkdtemp(join(tmpdir(), 'logjam-delivery-dup-'));
});

afterAll(async () => {
  await harness?.shipper.close(1000);
  harness?.client.destroy();
  await proxy?.close();
  fake?.restoreEnv();
  await fake?.cw.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A small run with recent timestamps (CloudWatch refuses events older than 14 days): every 8th request a 500. */
function craftRun(): { lines: Line[]; lastFinish: Line; errors5xx: number } {
  const build = logLines({ runId: RUN_ID, service: 'taskoverflow' });
  const base = Date.now() - 60_000;
  const lines: Line[] = [];
  let errors5xx = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const id = `dup-${i}`;
    // the last request (the one whose finish line gets duplicated) is a 500, so a double count would show twice
    const status = i % 8 === 7 || i === REQUESTS - 1 ? 500 : 200;
    if (status === 500) errors5xx++;
    lines.push(build.start({ id, t: base + i * 100, method: 'POST', path: '/api/v1/todos' }));
    lines.push(build.finish({ id, t: base + i * 100 + 20, method: 'POST', path: '/api/v1/todos', route: '/api/v1/todos', status, ms: 20 }));
  }
  return { lines, lastFinish: lines[lines.length - 1]!, errors5xx };
}

function counts(analysis: RunAnalysis) {
  const a = analysis.aggregate;
  return {
    requests: a.totals.requests,
    duplicates: a.input.duplicates,
    errors5xx: a.totals.errors5xx,
    latencyCount: a.totals.latency.count,
    routeCount: a.routes.reduce((sum, r) => sum + r.count, 0),
    duplicateFinding: analysis.findings.find((f) => f.id === 'duplicate-lines')?.counts.duplicates,
  };
}

it('a request.finish line stored twice by a retried batch is counted once, from CloudWatch and from NDJSON', async () => {
  const run = craftRun();
  // The shipper talks to the fake through the proxy (the rest of the harness is the sink tests' own).
  harness = makeShipper({ ...fake.cw, url: proxy.url });
  const { shipper } = harness;
  for (const line of run.lines.slice(0, -1)) shipper.push(line[FIELDS.time] as number, JSON.stringify(line));
  await shipper.flush();
  // The last batch: stored by the endpoint, its answer lost, retried by the shipper, stored again.
  proxy.loseAnswers('PutLogEvents', 1);
  shipper.push(run.lastFinish[FIELDS.time] as number, JSON.stringify(run.lastFinish));
  await shipper.flush();

  const stored = fake.cw.events(GROUP, STREAM);
  const storedFinishes = stored.filter((e) => (JSON.parse(e.message) as Line)[FIELDS.event] === EVENTS.requestFinish).length;
  const lastStoredTimes = stored.filter((e) => e.message === JSON.stringify(run.lastFinish)).length;

  const cloud = await analyzeRun({
    source: createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false }),
    runId: RUN_ID,
  });
  // The same stream as an NDJSON export (what `aws logs get-log-events` or a log shipper's file would hold).
  const exported = join(dir, 'export.ndjson');
  await writeFile(exported, stored.map((e) => e.message).join('\n') + '\n');
  const local = await analyzeRun({ source: createLocalSource(exported), runId: RUN_ID });

  const expected = {
    requests: REQUESTS,
    duplicates: 1,
    errors5xx: run.errors5xx,
    latencyCount: REQUESTS,
    routeCount: REQUESTS,
    duplicateFinding: 1,
  };
  reportFigure(
    'duplicates after a retry',
    `${REQUESTS} requests; one PutLogEvents answer lost (proxy), the shipper retried (${shipper.stats().retries} retry): ` +
      `${storedFinishes} request.finish lines stored, the last one ${lastStoredTimes} times; analyzer from CloudWatch: ` +
      `${cloud.aggregate.totals.requests} requests, duplicates ${cloud.aggregate.input.duplicates}, 5xx ${cloud.aggregate.totals.errors5xx}; ` +
      `from the NDJSON export: ${local.aggregate.totals.requests} requests, duplicates ${local.aggregate.input.duplicates}, ` +
      `5xx ${local.aggregate.totals.errors5xx} (expected ${REQUESTS}, 1, ${run.errors5xx})`,
  );

  // The duplicate really exists, and came from a retry, not from the test writing it twice.
  expect(proxy.lost).toBe(1);
  expect(shipper.stats()).toMatchObject({ retries: 1, droppedTotal: 0 });
  expect(lastStoredTimes).toBe(2);
  expect(storedFinishes).toBe(REQUESTS + 1);
  // Counted once by both sources, and reported.
  expect(counts(cloud)).toEqual(expected);
  expect(counts(local)).toEqual(expected);
});
