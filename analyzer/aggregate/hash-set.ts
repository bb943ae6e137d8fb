/**
 * A set of request ids stored as 53-bit hashes in one Float64Array (open addressing, linear probing).
 * Why not Set<string>: a Set of a million ids costs ~80 MB (strings + entries); this costs 16 bytes per id at
 * the 50% load we keep, and no per-id objects for the GC to walk. The price is a false "seen before" with
 * probability ~ n² / 2^54 (about 1 in 1,000 runs at four million requests) — acceptable for dedupe counts.
 */
const EMPTY = 0;

/** Two independent 32-bit FNV-1a style hashes folded into one 53-bit integer (never 0). */
export function hash53(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  const hi = (h1 >>> 0) & 0x1fffff; // 21 bits
  const lo = h2 >>> 0; // 32 bits
  const h = hi * 0x100000000 + lo;
  return h === EMPTY ? 1 : h;
}

export class HashedIdSet {
  private table: Float64Array;
  private mask: number;
  private count = 0;
  /**
   * Sets added whole (adoptDisjoint), disjoint from this one and from each other: looked up, never copied —
   * copying a later range's million ids meant a table twice the size while the old one was still alive.
   */
  private readonly adopted: HashedIdSet[] = [];

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.table = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** A set over another set's table53 (handed over from another thread), without copying it. */
  static fromTable(table: Float64Array): HashedIdSet {
    const set = new HashedIdSet(0);
    set.table = table;
    set.mask = table.length - 1;
    for (const h of table) if (h !== EMPTY) set.count++;
    return set;
  }

  get size(): number {
    return this.adopted.reduce((n, s) => n + s.size, this.count);
  }

  /** Bytes held by the tables (for the benchmark and docs). */
  get bytes(): number {
    return this.adopted.reduce((n, s) => n + s.bytes, this.table.byteLength);
  }

  /** Adds every id of `set`, which holds none of this set's (the caller checked: overlap() is 0), without copying. */
  adoptDisjoint(set: HashedIdSet): void {
    this.adopted.push(set);
  }

  /** Adds the id; returns false when it was already present. */
  add(id: string): boolean {
    return this.addHash(hash53(id));
  }

  has(id: string): boolean {
    return this.hasHash(hash53(id));
  }

  /** has() for a hash53() the caller already holds */
  hasHash(h: number): boolean {
    return this.hasOwn(h) || (this.adopted.length > 0 && this.adopted.some((s) => s.hasHash(h)));
  }

  private hasOwn(h: number): boolean {
    let i = this.slot(h);
    for (;;) {
      const v = this.table[i]!;
      if (v === EMPTY) return false;
      if (v === h) return true;
      i = (i + 1) & this.mask;
    }
  }

  /** The table itself (empty slots are 0), to hand to another thread: transfer its buffer, then drop this set. */
  get table53(): Float64Array {
    // one table: the adopted sets' hashes copied in now (nothing adopts and then hands its table on today)
    for (const set of this.adopted.splice(0)) for (const h of set.table) if (h !== EMPTY) this.addHash(h);
    return this.table;
  }

  /** Hashes of `table` (another set's table53) this set holds too. */
  overlap(table: Float64Array): number {
    let both = 0;
    for (const h of table) if (h !== EMPTY && this.hasHash(h)) both++;
    return both;
  }

  private slot(h: number): number {
    // low 32 bits are the better-mixed half
    return (h % 0x100000000) & this.mask;
  }

  private addHash(h: number): boolean {
    if (this.adopted.length > 0 && this.adopted.some((s) => s.hasHash(h))) return false;
    let i = this.slot(h);
    for (;;) {
      const v = this.table[i]!;
      if (v === EMPTY) break;
      if (v === h) return false;
      i = (i + 1) & this.mask;
    }
    this.table[i] = h;
    this.count++;
    if (this.count * 2 > this.table.length) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    this.count = 0;
    for (const v of old) if (v !== EMPTY) this.addHash(v);
  }
}
