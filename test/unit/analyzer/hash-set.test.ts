/**
 * HashedIdSet.adoptDisjoint (the parallel merge's id sets, aggregator.ts's absorb): an adopted set's ids are in the
 * set — found, refused as duplicates on add, counted, and in the one table handed on — without being copied in.
 */
import { describe, expect, it } from 'vitest';
import { HashedIdSet } from '../../../analyzer/aggregate/hash-set.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('HashedIdSet.adoptDisjoint', () => {
  it('the adopted ids are members: has, add and overlap see them, size counts them, table53 holds them', () => {
    const mine = new HashedIdSet(16);
    for (const id of ids('a', 3000)) mine.add(id);
    const later = new HashedIdSet(16);
    for (const id of ids('b', 5000)) later.add(id);
    mine.adoptDisjoint(HashedIdSet.fromTable(later.table53));

    expect(mine.size).toBe(8000);
    expect(mine.has('b-4999')).toBe(true);
    expect(mine.has('a-0')).toBe(true);
    expect(mine.has('c-0')).toBe(false);
    // a duplicate of an adopted id is refused, a new id is added
    expect(mine.add('b-17')).toBe(false);
    expect(mine.add('c-1')).toBe(true);
    expect(mine.size).toBe(8001);

    const probe = new HashedIdSet(16);
    for (const id of ['b-3', 'a-4', 'z-1']) probe.add(id);
    expect(mine.overlap(probe.table53)).toBe(2);

    // handed on as one table: every id there
    const whole = HashedIdSet.fromTable(mine.table53);
    expect(whole.size).toBe(8001);
    for (const id of [...ids('a', 3000), ...ids('b', 5000), 'c-1']) expect(whole.has(id)).toBe(true);
  });
});
