/**
 * Records waiting for their partner in a join, keyed by a 53-bit hash (hash-set.ts), with a few numeric columns
 * each. Why typed arrays and not a Map of objects: a big log can leave a million lines of one side waiting (ALB
 * files read before the app's), and a Map of a million small objects costs ~150 MB and a long GC walk; this holds
 * 12 bytes per slot (50% load at most) plus 57 bytes per record (~110 bytes per waiting line with growth
 * headroom: bench/front-door.ts).
 *
 * Open addressing with linear probing; removal shifts the following entries back (no tombstones, so a table that
 * sees many inserts and removals never fills with dead slots).
 */
const EMPTY = 0;
const NUMBERS = 6;

export class JoinTable {
  private keys: Float64Array;
  private recordOf: Int32Array;
  private mask: number;
  private count = 0;
  /** per record: kind (a caller's tag), two small integers, NUMBERS float columns */
  private kinds = new Uint8Array(1024);
  private ints = new Int32Array(1024 * 2);
  private nums = new Float64Array(1024 * NUMBERS);
  private records = 0;
  private readonly free: number[] = [];

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.recordOf = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** the record of `hash`, or -1 */
  find(hash: number): number {
    let i = this.home(hash);
    for (;;) {
      const k = this.keys[i]!;
      if (k === EMPTY) return -1;
      if (k === hash) return this.recordOf[i]!;
      i = (i + 1) & this.mask;
    }
  }

  /** a new record for `hash` (the caller checked find() first); fill it with set*() */
  insert(hash: number, kind: number): number {
    const record = this.free.pop() ?? this.newRecord();
    this.kinds[record] = kind;
    let i = this.home(hash);
    while (this.keys[i]! !== EMPTY) i = (i + 1) & this.mask;
    this.keys[i] = hash;
    this.recordOf[i] = record;
    this.count++;
    if (this.count * 2 > this.keys.length) this.grow();
    return record;
  }

  /** removes `hash` and frees its record (read the record first) */
  remove(hash: number): void {
    let i = this.home(hash);
    for (;;) {
      const k = this.keys[i]!;
      if (k === EMPTY) return;
      if (k === hash) break;
      i = (i + 1) & this.mask;
    }
    this.free.push(this.recordOf[i]!);
    // backward shift: move later entries of the probe run into the hole when their home is not after it
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const k = this.keys[j]!;
      if (k === EMPTY) break;
      const home = this.home(k);
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.keys[hole] = k;
      this.recordOf[hole] = this.recordOf[j]!;
      hole = j;
    }
    this.keys[hole] = EMPTY;
    this.count--;
  }

  kind(record: number): number {
    return this.kinds[record]!;
  }
  int(record: number, column: 0 | 1): number {
    return this.ints[record * 2 + column]!;
  }
  setInt(record: number, column: 0 | 1, value: number): void {
    this.ints[record * 2 + column] = value;
  }
  num(record: number, column: number): number {
    return this.nums[record * NUMBERS + column]!;
  }
  setNum(record: number, column: number, value: number): void {
    this.nums[record * NUMBERS + column] = value;
  }

  /** every (hash, record) still waiting, in no particular order */
  *entries(): Generator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i]! !== EMPTY) yield [this.keys[i]!, this.recordOf[i]!];
  }

  private home(hash: number): number {
    return (hash % 0x100000000) & this.mask;
  }

  private newRecord(): number {
    if (this.records === this.kinds.length) {
      const grow = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
      this.ints = grow(this.ints, (n) => new Int32Array(n));
      this.nums = grow(this.nums, (n) => new Float64Array(n));
    }
    return this.records++;
  }

  private grow(): void {
    const keys = this.keys;
    const recordOf = this.recordOf;
    this.keys = new Float64Array(keys.length * 2);
    this.recordOf = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let s = 0; s < keys.length; s++) {
      const k = keys[s]!;
      if (k === EMPTY) continue;
      let i = this.home(k);
      while (this.keys[i]! !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.recordOf[i] = recordOf[s]!;
    }
  }
}
