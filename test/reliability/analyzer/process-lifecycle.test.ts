/**
 * Issue 14, defects 4 and 5 (analyzer side): a process that served the run but never logged service.stop (SIGKILL,
 * a crash, an outage at shutdown) is a finding of its own — per host + pid: its last line and the requests it
 * started and never finished — and the report no longer says "0 dropped by sinks" as if it knew: the count is a
 * lower bound naming those processes. Same answer from the NDJSON source and from CloudWatch (the fake).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processSummariesFromRows, ProcessTracker } from '../../../analyzer/aggregate/processes.js';
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import { analyzeRun } from '../../../analyzer/pipeline.js';
import { renderMarkdown } from '../../../analyzer/report/markdown.js';
import { renderTerminal } from '../../../analyzer/report/terminal.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { FAST, putLines, startFake, type Fake } from '../../integration/cloudwatch-source/helpers.js';
import { logLines, type Line } from '../../support/log-lines.js';

const RUN_ID = 'kill-run';
const GROUP = '/logjam/lifecycle';

/** host-a pid 1 stops cleanly; host-b pid 2 is SIGKILLed with 2 requests open (3 started, 1 finished). */
function lifecycleRun(): Line[] {
  const A = logLines({ runId: RUN_ID, host: 'host-a', pid: 1 });
  const B = logLines({ runId: RUN_ID, host: 'host-b', pid: 2 });
  const lifecycle = (L: typeof A, event: string, t: number): Line => ({ ...L.runtime({ t }), [F.event]: event, [F.msg]: event });
  const lines: Line[] = [lifecycle(A, EVENTS.serviceStart, A.at(0)), lifecycle(B, EVENTS.serviceStart, B.at(0))];
  for (let i = 0; i < 3; i++) {
    lines.push(A.start({ id: `a${i}`, t: A.at(100 + i) }), A.finish({ id: `a${i}`, t: A.at(200 + i) }));
    lines.push(B.start({ id: `b${i}`, t: B.at(100 + i) }));
  }
  lines.push(B.finish({ id: 'b0', t: B.at(300) }));
  lines.push(lifecycle(A, EVENTS.serviceStop, A.at(5000)));
  return lines;
}

const expectedKilled = { host: 'host-b', pid: 2, started: true, stopped: false, requestsStarted: 3, requestsEnded: 1, lastEvent: 'request.finish' };

let dir: string;
let ndjson: string;
let fake: Fake;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logjam-lifecycle-'));
  ndjson = join(dir, 'app.ndjson');
  const lines = lifecycleRun();
  writeFileSync(ndjson, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  fake = await startFake();
  putLines(fake, GROUP, lines);
});

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a process that never stopped', () => {
  it('NDJSON: process-never-stopped names host-b pid 2 with 2 requests never finished; drops are a lower bound', async () => {
    const { aggregate, report, findings } = await analyzeRun({ source: createLocalSource(ndjson), runId: RUN_ID });
    expect(aggregate.processes?.map((p) => [p.host, p.pid, p.stopped])).toEqual([
      ['host-a', 1, true],
      ['host-b', 2, false],
    ]);
    expect(aggregate.processes?.[1]).toMatchObject(expectedKilled);

    const f = findings.find((x) => x.id === 'process-never-stopped');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('warning');
    expect(f!.counts).toEqual({ processes: 2, neverStopped: 1, requestsNeverFinished: 2 });
    expect(f!.details).toHaveLength(1);
    expect(f!.details![0]).toContain('host-b pid 2');
    expect(f!.details![0]).toContain('2 requests started and never finished');

    // "0 dropped" is not claimed: the delivery finding and the input line say it is a lower bound
    const delivery = findings.find((x) => x.id === 'log-delivery');
    expect(delivery?.title).toMatch(/^at least 0 log lines dropped .*1 processes never stopped/);
    expect(delivery?.explanation).toContain('host-b pid 2');
    const text = renderTerminal(report, { color: false });
    expect(text).toContain('at least 0 dropped by sinks (a lower bound: 1 process never logged service.stop)');
    expect(text).not.toMatch(/; 0 dropped by sinks/);
    expect(renderMarkdown(report)).toContain('at least 0 dropped by sinks');
  });

  it('CloudWatch (fake Logs Insights): the same processes and the same finding', async () => {
    const base = logLines().baseTime;
    // the lines are of 2025: the search window is given (the default is the last 7 days)
    const cloud = createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false, since: base - 60_000, until: base + 3_600_000 });
    const { aggregate, findings } = await analyzeRun({ source: cloud, runId: RUN_ID });
    const local = await createLocalSource(ndjson).aggregate(RUN_ID);
    expect(aggregate.processes).toEqual(local.processes);
    const f = findings.find((x) => x.id === 'process-never-stopped');
    expect(f?.counts).toEqual({ processes: 2, neverStopped: 1, requestsNeverFinished: 2 });
    expect(findings.find((x) => x.id === 'log-delivery')?.title).toMatch(/^at least 0/);
  });

  it('every process stopped: no finding, and "0 dropped by sinks" is stated plainly', async () => {
    const lines = lifecycleRun().filter((l) => l[F.host] === 'host-a');
    const file = join(dir, 'clean.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { report, findings } = await analyzeRun({ source: createLocalSource(file), runId: RUN_ID });
    expect(findings.map((x) => x.id)).not.toContain('process-never-stopped');
    expect(findings.map((x) => x.id)).not.toContain('log-delivery');
    expect(renderTerminal(report, { color: false })).toContain('; 0 dropped by sinks');
  });

  it('the two builders agree: ProcessTracker over lines = processSummariesFromRows over grouped rows', () => {
    const lines = lifecycleRun();
    const tracker = new ProcessTracker();
    for (const l of lines) tracker.push(l, l[F.runId] === RUN_ID);
    // the rows Logs Insights would return for `stats … by host, pid, service, event, run_id`
    const groups = new Map<string, { host: string; pid: number; service: string; event: string; run_id?: string; lines: number; first_time: number; last_time: number }>();
    for (const l of lines) {
      const key = JSON.stringify([l[F.host], l[F.pid], l[F.service], l[F.event], l[F.runId]]);
      const g = groups.get(key) ?? { host: l[F.host] as string, pid: l[F.pid] as number, service: l[F.service] as string, event: l[F.event] as string, run_id: l[F.runId] as string | undefined, lines: 0, first_time: Infinity, last_time: -Infinity };
      g.lines++;
      g.first_time = Math.min(g.first_time, l[F.time] as number);
      g.last_time = Math.max(g.last_time, l[F.time] as number);
      groups.set(key, g);
    }
    const rows = [...groups.values()].map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v === undefined ? '' : String(v)])));
    expect(processSummariesFromRows(rows, RUN_ID)).toEqual(tracker.summaries());
  });
});
