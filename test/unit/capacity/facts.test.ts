import { describe, expect, it } from 'vitest';
import { parseDeploymentFacts } from '../../../analyzer/capacity/facts.js';
import { UsageError } from '../../../common/errors.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}

describe('deployment flags', () => {
  it('defaults, and says which flags it assumed', () => {
    const f = parseDeploymentFacts({});
    expect(f).toMatchObject({ cpus: 1, workerModel: 'node-cluster', threads: 1, tasks: 1, poolSize: 10, headroom: 0.3 });
    expect(f.workers).toBeUndefined();
    expect(f.target).toBeUndefined();
    // no RDS class is assumed, and nothing says AWS
    expect(f.dbInstanceClass).toBeUndefined();
    expect(f.awsBy).toBeUndefined();
    expect(f.defaulted).toEqual(expect.arrayContaining(['--cpus 1']));
    expect(f.provenance).toMatchObject({ cpus: { source: 'assumed' }, poolSize: { source: 'assumed' }, workers: { source: 'assumed' }, tasks: { source: 'assumed' } });
  });

  it('marks flags as given, and the AWS-only flags describe an AWS deployment', () => {
    const f = parseDeploymentFacts({ cpus: '2', poolSize: '4' });
    expect(f.provenance).toMatchObject({ cpus: { source: 'given', detail: '--cpus 2' }, poolSize: { source: 'given', detail: '--pool-size 4' } });
    expect(f.awsBy).toBeUndefined();
    expect(parseDeploymentFacts({ deployment: 'aws' }).awsBy).toBe('--deployment aws');
    expect(parseDeploymentFacts({ dbInstanceClass: 'db.t3.micro' }).awsBy).toBe('--db-instance-class');
    const fargate = parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048' });
    expect(fargate.awsBy).toBe('--fargate-cpu/--fargate-memory');
    expect(fargate.provenance.cpus).toEqual({ source: 'given', detail: '--fargate-cpu 1024' });
    expect(usage(() => parseDeploymentFacts({ deployment: 'gcp' })).message).toContain('--deployment must be "aws" or "other"');
    expect(usage(() => parseDeploymentFacts({ deployment: 'other', dbInstanceClass: 'db.t3.micro' })).message).toContain('contradicts');
  });

  it('reads every flag', () => {
    const f = parseDeploymentFacts({
      cpus: '2',
      workerModel: 'gunicorn',
      workers: '5',
      threads: '4',
      tasks: '3',
      poolSize: '20',
      dbInstanceClass: 't4g.large',
      fargateCpu: '2048',
      fargateMemory: '4GB',
      targetRps: '250.5',
      thinkTime: '1.5',
      headroom: '50%',
    });
    expect(f).toMatchObject({
      cpus: 2,
      workerModel: 'gunicorn',
      workers: 5,
      threads: 4,
      tasks: 3,
      poolSize: 20,
      dbInstanceClass: 'db.t4g.large',
      fargate: { cpuUnits: 2048, memoryMiB: 4096 },
      target: { kind: 'rps', rps: 250.5 },
      thinkTimeS: 1.5,
      headroom: 0.5,
    });
    expect(f.defaulted).toBeUndefined();
  });

  it('takes vCPUs and bare GB for Fargate, and cpus from the Fargate size', () => {
    const f = parseDeploymentFacts({ fargateCpu: '0.5', fargateMemory: '1' });
    expect(f.fargate).toEqual({ cpuUnits: 512, memoryMiB: 1024 });
    expect(f.cpus).toBe(0.5);
  });

  it('reads headroom as a fraction, a bare percentage or with %', () => {
    expect(parseDeploymentFacts({ headroom: '0.2' }).headroom).toBeCloseTo(0.2);
    expect(parseDeploymentFacts({ headroom: '20' }).headroom).toBeCloseTo(0.2);
    expect(parseDeploymentFacts({ headroom: '0%' }).headroom).toBe(0);
  });

  it('rejects bad numbers with the flag name', () => {
    expect(usage(() => parseDeploymentFacts({ cpus: 'two' })).message).toContain('--cpus');
    expect(usage(() => parseDeploymentFacts({ cpus: '0' })).message).toContain('> 0');
    expect(usage(() => parseDeploymentFacts({ workers: '2.5' })).message).toContain('whole number');
    expect(usage(() => parseDeploymentFacts({ tasks: '-1' })).message).toContain('--tasks');
    expect(usage(() => parseDeploymentFacts({ poolSize: '1e3' })).message).toContain('--pool-size');
    expect(usage(() => parseDeploymentFacts({ thinkTime: 'NaN' })).message).toContain('--think-time');
    expect(usage(() => parseDeploymentFacts({ targetVus: '10.5' })).message).toContain('--target-vus');
    expect(usage(() => parseDeploymentFacts({ headroom: '5000%' })).message).toContain('--headroom');
    expect(usage(() => parseDeploymentFacts({ workerModel: 'uwsgi' })).message).toContain('--worker-model');
  });

  it('rejects --target-rps with --target-vus', () => {
    expect(usage(() => parseDeploymentFacts({ targetRps: '10', targetVus: '10' })).message).toContain('not both');
  });

  it('rejects invalid Fargate sizes, listing the valid memory', () => {
    const e = usage(() => parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '1024' }));
    expect(e.message).toContain('no 1024 CPU / 1024 MiB');
    expect(e.hint).toContain('2048, 3072');
    expect(usage(() => parseDeploymentFacts({ fargateCpu: '3072', fargateMemory: '8GB' })).message).toContain('not a Fargate CPU');
    expect(usage(() => parseDeploymentFacts({ fargateCpu: '1024' })).message).toContain('go together');
  });

  it('rejects an unknown DB class', () => {
    expect(usage(() => parseDeploymentFacts({ dbInstanceClass: 'db.nope.large' })).hint).toContain('db.t3.micro');
  });
});
