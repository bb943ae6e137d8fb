import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/errors.js';
import {
  connectionsNeeded,
  dbInstanceClassMemory,
  findRdsClass,
  maxConnections,
  maxConnectionsOf,
  smallestRdsClassFor,
  usableConnectionsOf,
} from '../../../analyzer/capacity/rds.js';

describe('RDS max_connections', () => {
  it('reproduces the published default values (the table calibration)', () => {
    expect(maxConnectionsOf(findRdsClass('db.t2.small'))).toBe(198);
    expect(maxConnectionsOf(findRdsClass('db.t2.medium'))).toBe(413);
    expect(maxConnectionsOf(findRdsClass('db.m4.large'))).toBe(856);
  });

  it('computes LEAST(DBInstanceClassMemory / 9531392, 5000) by hand', () => {
    // db.t3.micro: 1 GiB × 0.77 = 826781204 bytes; / 9531392 = 86.7 -> 86
    const mem = dbInstanceClassMemory(findRdsClass('db.t3.micro'));
    expect(mem.result).toBe(Math.floor(1073741824 * 0.77));
    expect(maxConnections(mem.result).result).toBe(86);
    // 128 GiB would be ~13,700: capped at 5000
    expect(maxConnectionsOf(findRdsClass('db.r5.4xlarge'))).toBe(5000);
    expect(maxConnections(9531392 * 5000 + 1).result).toBe(5000);
    expect(maxConnections(9531392 * 10 - 1).result).toBe(9);
  });

  it('DBInstanceClassMemory is below nominal memory for every class', () => {
    for (const name of ['db.t3.micro', 'db.t4g.small', 'db.m5.large', 'db.m7g.4xlarge', 'db.r6g.xlarge']) {
      const cls = findRdsClass(name);
      expect(dbInstanceClassMemory(cls).result).toBeLessThan(cls.memoryGiB * 1024 ** 3);
    }
  });

  it('accepts a class without the db. prefix and in any case', () => {
    expect(findRdsClass('T3.Medium').name).toBe('db.t3.medium');
  });

  it('rejects an unknown class with a UsageError that lists the known ones', () => {
    let err: unknown;
    try {
      findRdsClass('db.x9.huge');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('db.x9.huge');
    expect((err as UsageError).hint).toContain('db.t3.micro');
    expect((err as UsageError).hint).toContain('db.r6g.large');
  });

  it('pool size × workers × tasks', () => {
    expect(connectionsNeeded(10, 4, 3).result).toBe(120);
  });

  it('finds the smallest class that fits, keeping the family on ties', () => {
    // t3.micro has 86 − 3 = 83 usable: 83 fits, 84 needs the 2 GiB class
    expect(usableConnectionsOf(findRdsClass('db.t3.micro'))).toBe(83);
    expect(smallestRdsClassFor(83)?.name).toBe('db.t3.micro');
    expect(smallestRdsClassFor(84)?.name).toBe('db.t3.small');
    expect(smallestRdsClassFor(84, 'db.t4g.micro')?.name).toBe('db.t4g.small');
    // 1000 connections: 8 GiB has 856 − 3, 16 GiB (t3.xlarge, m5.xlarge, r5.large) has 1712 − 3
    expect(smallestRdsClassFor(1000)?.memoryGiB).toBe(16);
    expect(smallestRdsClassFor(1000, 'db.r5.large')?.name).toBe('db.r5.large');
    expect(smallestRdsClassFor(4997)?.name).toBeDefined();
    expect(smallestRdsClassFor(4998)).toBeUndefined();
  });
});
