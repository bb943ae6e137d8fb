/** The capacity facts of service.start, read from cgroup files (given here as a fake machine), and X-Amzn-Trace-Id parsing. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseAmznTraceId } from '../../../middleware/index.js';
import { cgroupV2Dirs, platformOf, readRuntimeFacts, startFieldsOf } from '../../../middleware/runtime-facts.js';

const GIB = 1024 ** 3;
const machine = (files: Record<string, string>) => ({
  read: (path: string) => files[path],
  cpus: 2,
  totalMemoryBytes: 8 * GIB,
  nodeVersion: 'v20.19.0',
  env: {},
});

describe('readRuntimeFacts', () => {
  it('takes the cgroup v2 memory and CPU limits of a container (ECS task: 0.5 vCPU, 1 GiB)', () => {
    const facts = readRuntimeFacts(
      machine({
        '/proc/self/cgroup': '0::/\n',
        '/sys/fs/cgroup/memory.max': `${GIB}\n`,
        '/sys/fs/cgroup/cpu.max': '50000 100000\n',
      }),
    );
    expect(facts).toEqual({ cpus: 2, cpuQuota: 0.5, memoryLimitMb: 1024, memoryLimitSource: 'cgroup_v2', nodeVersion: 'v20.19.0' });
  });

  it('walks up from the process cgroup: the tightest limit of it and its parents binds', () => {
    const facts = readRuntimeFacts(
      machine({
        '/proc/self/cgroup': '0::/system.slice/app.service\n',
        '/sys/fs/cgroup/system.slice/app.service/memory.max': 'max\n',
        '/sys/fs/cgroup/system.slice/memory.max': `${2 * GIB}\n`,
        '/sys/fs/cgroup/system.slice/app.service/cpu.max': 'max 100000\n',
      }),
    );
    expect(facts.memoryLimitMb).toBe(2048);
    expect(facts.memoryLimitSource).toBe('cgroup_v2');
    expect(facts.cpuQuota).toBeUndefined();
    expect(cgroupV2Dirs('0::/a/b\n')).toEqual(['/sys/fs/cgroup/a/b', '/sys/fs/cgroup/a', '/sys/fs/cgroup']);
  });

  it('falls back to cgroup v1, and to the host memory when no cgroup limits (v1 "unlimited" is a huge number)', () => {
    const v1 = readRuntimeFacts(
      machine({
        '/sys/fs/cgroup/memory/memory.limit_in_bytes': `${512 * 1024 * 1024}\n`,
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      }),
    );
    expect(v1).toMatchObject({ memoryLimitMb: 512, memoryLimitSource: 'cgroup_v1', cpuQuota: 2 });
    const unlimited = readRuntimeFacts(
      machine({
        '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      }),
    );
    expect(unlimited).toMatchObject({ memoryLimitMb: 8192, memoryLimitSource: 'host_total', cpuQuota: undefined });
    expect(readRuntimeFacts(machine({ '/sys/fs/cgroup/memory.max': 'garbage' })).memoryLimitSource).toBe('host_total');
  });

  it('builds service.start with the pool max and the workers', () => {
    const facts = readRuntimeFacts(machine({}));
    const pool = new pg.Pool({ max: 4 });
    expect(startFieldsOf(facts, { pool, workers: 3 })).toEqual({
      event: 'service.start',
      cpus: 2,
      memory_limit_mb: 8192,
      memory_limit_source: 'host_total',
      node_version: 'v20.19.0',
      workers: 3,
      pool_max: 4,
    });
    expect(startFieldsOf(facts)).not.toHaveProperty('pool_max');
    expect(startFieldsOf(facts)).not.toHaveProperty('platform');
    void pool.end();
  });

  it('says the platform when ECS set its variables (only the platform name, never the values)', () => {
    expect(platformOf({ AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' })).toBe('ecs-fargate');
    expect(platformOf({ AWS_EXECUTION_ENV: 'AWS_ECS_EC2' })).toBe('ecs-ec2');
    expect(platformOf({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' })).toBe('ecs');
    expect(platformOf({ ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/x' })).toBe('ecs');
    expect(platformOf({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' })).toBeUndefined();
    expect(platformOf({})).toBeUndefined();
    const onFargate = readRuntimeFacts({ ...machine({}), env: { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' } });
    expect(startFieldsOf(onFargate)).toMatchObject({ event: 'service.start', platform: 'ecs-fargate' });
  });
});

describe('parseAmznTraceId', () => {
  const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
  it('reads Root and Self in any order, ignoring the other fields', () => {
    expect(parseAmznTraceId(`Root=${ROOT}`)).toEqual({ root: ROOT });
    expect(parseAmznTraceId(`Self=1-67891233-12456789abcdef0123456789;Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;`)).toEqual({
      root: ROOT,
      self: '1-67891233-12456789abcdef0123456789',
    });
    expect(parseAmznTraceId(`Root=${ROOT};CalledFrom=app`)).toEqual({ root: ROOT });
  });

  it.each([
    ['no Root', 'Self=1-67891233-12456789abcdef0123456789'],
    ['a short id', 'Root=1-5759e988-bd862e3fe1be46a99427279'],
    ['version 2', 'Root=2-5759e988-bd862e3fe1be46a994272793'],
    ['non-hex', 'Root=1-5759e98g-bd862e3fe1be46a994272793'],
    ['two Roots', `Root=${ROOT};Root=${ROOT}`],
    ['a repeated header joined by Node', `Root=${ROOT}, Root=${ROOT}`],
    ['a bad Self', `Root=${ROOT};Self=1-x`],
    ['a field without =', `Root=${ROOT};junk`],
    ['CRLF', `Root=${ROOT};A=b\r\nX: y`],
    ['a quote after the Root', `Root=${ROOT}"`],
    ['too long', `Root=${ROOT};A=${'a'.repeat(2000)}`],
    ['empty', ''],
  ])('refuses %s', (_what, value) => {
    expect(parseAmznTraceId(value)).toBeUndefined();
  });
});
