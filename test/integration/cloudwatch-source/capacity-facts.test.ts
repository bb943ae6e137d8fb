/**
 * Issue 15 item 4 on both sources: the facts a service logged in service.start (and runtime.stats' pool_max) reach
 * the capacity section the same way from a local NDJSON file and from CloudWatch (the fake Logs Insights), where
 * they ride in the existing per-process query (no query of their own). A Fargate task's service.start (platform
 * ecs-fargate, cgroup CPU quota 2 of 4 CPUs, 4 GiB) describes an AWS deployment: measured, not assumed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentFacts } from '../../../analyzer/capacity/index.js';
import { analyzeRun, type RunAnalysis } from '../../../analyzer/pipeline.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { FAST, putLines, startFake, type Fake } from './helpers.js';

const RUN_ID = 'facts-run';
const GROUP = '/logjam/facts';
const L = logLines({ runId: RUN_ID });

function run(withStart: boolean): Line[] {
  const lines: Line[] = [];
  if (withStart) {
    lines.push({
      ...L.runtime({ t: L.at(-120_000) }),
      [F.event]: EVENTS.serviceStart,
      [F.msg]: 'listening',
      [F.cpus]: 4,
      [F.cpuQuota]: 2,
      [F.memoryLimitMb]: 4096,
      [F.memoryLimitSource]: 'cgroup_v2',
      [F.nodeVersion]: 'v22.12.0',
      [F.poolMax]: 4,
      [F.platform]: 'ecs-fargate',
    });
  }
  for (let i = 0; i < 200; i++) lines.push(L.finish({ id: `r${i}`, t: L.at(i * 50), ms: 20, dbMs: 5, dbQueries: 1 }));
  return lines;
}

let dir: string;
let fake: Fake;
const analyses: Record<string, RunAnalysis> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logjam-facts-'));
  fake = await startFake();
  for (const withStart of [true, false]) {
    const lines = run(withStart);
    const file = join(dir, `${withStart}.ndjson`);
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    putLines(fake, `${GROUP}/${withStart}`, lines);
    const input = { runId: RUN_ID, facts: parseDeploymentFacts({}), capacityFacts: 'require' as const };
    analyses[`local-${withStart}`] = await analyzeRun({ ...input, source: createLocalSource(file) });
    // the service.start is 2 minutes before the run: --since reaches back to it
    const cloud = createCloudWatchSource({
      logGroup: `${GROUP}/${withStart}`, progress: false, tuning: FAST, stopOnSigint: false,
      since: L.at(-300_000), until: L.at(3_600_000),
    });
    analyses[`cloud-${withStart}`] = await analyzeRun({ ...input, source: cloud });
  }
}, 60_000);

afterAll(async () => {
  fake?.restoreEnv();
  await fake?.cw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('capacity facts from service.start, local and CloudWatch', () => {
  it.each(['local', 'cloud'])('%s: the CPU quota, pool, platform and Fargate size are measured', (source) => {
    const { capacity, report } = analyses[`${source}-true`]!;
    expect(report.capacityMissing).toBeUndefined();
    const facts = Object.fromEntries(capacity!.inputs.facts.map((f) => [f.key, f]));
    expect(facts.cpus).toMatchObject({ value: '2', source: 'measured', detail: 'service.start cpu_quota (the cgroup CPU quota)' });
    expect(facts.poolSize).toMatchObject({ value: '4', source: 'measured' });
    expect(facts.platform).toMatchObject({ value: 'ecs-fargate', source: 'measured' });
    expect(facts.nodeVersion).toMatchObject({ value: 'v22.12.0' });
    expect(facts.fargate).toMatchObject({ value: '2 vCPU / 4 GB', source: 'measured' });
    expect(capacity!.inputs.deployment.awsBy).toBe('the service logged platform ecs-fargate');
    // no RDS class given: no assumed db.t3.micro, a note instead
    expect(capacity!.rds).toBeUndefined();
    expect(capacity!.notes.join('\n')).toContain('RDS: give --db-instance-class');
  });

  it.each(['local', 'cloud'])('%s: without service.start the section is one line naming what is missing', (source) => {
    const { capacity, report } = analyses[`${source}-false`]!;
    expect(capacity).toBeUndefined();
    expect(report.capacityMissing?.line).toBe(
      "capacity: needs the CPUs per task (--cpus <n>) and the DB pool size per worker (--pool-size <n>): the run's processes logged no service.start line with them (serviceStartFields() writes one)",
    );
  });

  it('CloudWatch folds the facts into the existing per-process query: the same number of queries either way', () => {
    const withStart = analyses['cloud-true']!.aggregate;
    const without = analyses['cloud-false']!.aggregate;
    expect(withStart.queries.processes?.text).toContain('max(pool_max) as pool_max');
    expect(withStart.scanned?.queries).toBe(without.scanned?.queries);
    expect(withStart.processes).toEqual(analyses['local-true']!.aggregate.processes);
  });
});
