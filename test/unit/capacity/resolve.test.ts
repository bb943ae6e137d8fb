/** Which deployment the capacity math uses: a flag (given) wins, then what the service logged (measured), then a default (assumed). */
import { describe, expect, it } from 'vitest';
import { parseDeploymentFacts } from '../../../analyzer/capacity/facts.js';
import { measuredFacts } from '../../../analyzer/capacity/measured.js';
import { describeMissing, missingFacts, resolveDeployment } from '../../../analyzer/capacity/resolve.js';
import type { ProcessSummary } from '../../../analyzer/model.js';
import { aggregate } from './fixtures.js';

function proc(host: string, pid: number, facts?: ProcessSummary['facts']): ProcessSummary {
  return { host, pid, firstTime: 0, lastTime: 1, lines: 10, runLines: 10, lastEvent: 'request.finish', started: true, stopped: true, requestsStarted: 5, requestsEnded: 5, ...(facts ? { facts } : {}) };
}

describe('measuredFacts', () => {
  it('takes the cgroup CPU quota when below the CPUs seen, the pool max, and the processes and hosts of the run', () => {
    const agg = aggregate({
      processes: [proc('a', 1, { cpus: 4, cpuQuota: 1, poolMax: 5 }), proc('a', 2, { cpus: 4, cpuQuota: 1, poolMax: 5 }), proc('b', 3, { cpus: 4, cpuQuota: 1, poolMax: 5 })],
    });
    const m = measuredFacts(agg);
    expect(m.cpus).toEqual({ value: 1, detail: 'service.start cpu_quota (the cgroup CPU quota)' });
    expect(m.poolSize?.value).toBe(5);
    expect(m.workersPerTask).toEqual({ value: 2, detail: 'up to 2 processes per host served the run' });
    expect(m.tasks).toEqual({ value: 2, detail: '2 hosts served the run' });
  });

  it('says when processes disagree or only some logged the fact; falls back to runtime.stats pool_max', () => {
    const agg = aggregate({
      processes: [proc('a', 1, { cpus: 2 }), proc('a', 2, { cpus: 8 }), proc('a', 3)],
      runtime: { samples: 3, elDelayP99MsMax: 1, elDelayP99MsMean: 1, eluMean: 0.1, eluMax: 0.1, heapUsedMbMax: 1, poolWaitingMax: 0, poolTotalMax: 3, poolMax: 6 },
    });
    const m = measuredFacts(agg);
    expect(m.cpus).toEqual({ value: 8, detail: 'service.start cpus: processes said 2, 8; the largest (2 of 3 processes)' });
    expect(m.poolSize).toEqual({ value: 6, detail: 'runtime.stats pool_max' });
    expect(m.processesWithFacts).toBe(2);
  });
});

describe('resolveDeployment', () => {
  const agg = aggregate({ processes: [proc('a', 1, { cpus: 2, poolMax: 4, platform: 'ecs-ec2' })] });

  it('measured facts replace defaults; flags win and the difference is said', () => {
    const { facts } = resolveDeployment(parseDeploymentFacts({}), measuredFacts(agg));
    expect(facts).toMatchObject({ cpus: 2, poolSize: 4, workers: 1, tasks: 1, platform: 'ecs-ec2', awsBy: 'the service logged platform ecs-ec2' });
    expect(facts.provenance.cpus).toEqual({ source: 'measured', detail: 'service.start cpus' });
    const given = resolveDeployment(parseDeploymentFacts({ poolSize: '10' }), measuredFacts(agg));
    expect(given.facts.poolSize).toBe(10);
    expect(given.facts.provenance.poolSize?.source).toBe('given');
    expect(given.notes).toEqual(['pool size per worker: 10 given (--pool-size 10); the service logged 4 (service.start pool_max)']);
    // --deployment other: the logged platform does not make it AWS
    expect(resolveDeployment(parseDeploymentFacts({ deployment: 'other' }), measuredFacts(agg)).facts.awsBy).toBeUndefined();
  });

  it('names the missing facts, and the pool only for a run that used the database', () => {
    const none = aggregate({ processes: [proc('a', 1)] });
    const { facts } = resolveDeployment(parseDeploymentFacts({}), measuredFacts(none));
    const missing = missingFacts(facts, none);
    expect(missing.map((m) => m.flag)).toEqual(['--cpus <n>', '--pool-size <n>']);
    expect(describeMissing(missing, measuredFacts(none))).toMatch(/^capacity: needs the CPUs per task \(--cpus <n>\) and the DB pool size per worker \(--pool-size <n>\): /);
    const noDb = aggregate({ processes: [proc('a', 1)], totals: { dbQueries: 0 } });
    expect(missingFacts(facts, noDb).map((m) => m.key)).toEqual(['cpus']);
  });
});
