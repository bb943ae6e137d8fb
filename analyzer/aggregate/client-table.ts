/**
 * The client's requests, held compactly enough to join a 10-million-request run within a few hundred MB: no
 * object and no string per request. Each request is a row of parallel typed arrays (21 bytes: the id's 64-bit hash,
 * start as 0.1 ms ticks, duration, status, outcome and join flags, name index), in fixed-size chunks so growing never copies, and
 * an open-addressing index (4 bytes a slot) maps an id's hash to its row. Ids are hashed, never stored: two ids
 * share a 64-bit hash with probability ~n²/2⁶⁵ (3·10⁻⁶ at 10M), an error far below anything the report shows.
 */

/** Outcome codes, in the low 3 bits of a row's flags. */
export const OUTCOME = { response: 0, timeout: 1, refused: 2, reset: 3, other: 4, interrupted: 5 } as const;
export type OutcomeCode = (typeof OUTCOME)[keyof typeof OUTCOME];
export const OUTCOME_NAMES = ['response', 'timeout', 'refused', 'reset', 'other', 'interrupted'] as const;
/** Server lines seen for the row's id, one bit per event (a second line of the same event is a duplicate). */
export const SEEN_START = 8;
export const SEEN_FINISH = 16;
export const SEEN_ABORT = 32;
export const SEEN_ERROR = 64;
export const SEEN_END = SEEN_FINISH | SEEN_ABORT;
export const SEEN_ANY = SEEN_START | SEEN_FINISH | SEEN_ABORT | SEEN_ERROR;
/** A second row for an id already in the table (found when the index is built): left out of everything. */
export const DUPLICATE = 128;

/** Starts are kept as 0.1 ms ticks after a base an hour before the first row: 4 bytes, ~119 hours of range. */
const TICKS_PER_MS = 10;
const BASE_MARGIN_MS = 3_600_000;
const MAX_TICKS = 0xffffffff;
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** Request names kept (method + name); more fold into one "(other names)" entry, counted. */
export const MAX_NAMES = 2000;
export const OTHER_NAMES = '(other names)';

class Chunk {
  readonly hashHi = new Uint32Array(CHUNK);
  readonly hashLo = new Uint32Array(CHUNK);
  /** 0.1 ms ticks after the table's base (see ClientTable.base) */
  readonly start = new Uint32Array(CHUNK);
  readonly duration = new Float32Array(CHUNK);
  readonly status = new Uint16Array(CHUNK);
  readonly flags = new Uint8Array(CHUNK);
  readonly name = new Uint16Array(CHUNK);
}

/** Two independent 32-bit hashes of the id (FNV-1a, and a multiplicative one with another seed): 64 bits. */
export function hashId(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

export interface ClientRow {
  start: number;
  durationMs: number;
  status: number;
  outcome: OutcomeCode;
  flags: number;
  name: string;
}

export class ClientTable {
  private readonly chunks: Chunk[] = [];
  /** row + 1 per slot (0 = empty); built once, sized for all rows, by seal(): no growth, no transient copy */
  private index = new Uint32Array(0);
  private indexMask = 0;
  private sealed = false;
  private readonly nameIds = new Map<string, number>();
  readonly names: string[] = [];
  size = 0;
  /** rows whose name folded into OTHER_NAMES */
  namesFolded = 0;
  minStart = Infinity;
  maxEnd = -Infinity;
  /** epoch ms the start ticks count from: an hour before the first row (rows arrive roughly in time order) */
  private base: number | undefined;
  /** rows whose start fell outside the ticks' range (clamped): a run over ~118 hours, or a wild clock */
  startsClamped = 0;

  /** Adds a request (before seal()); a repeated id is found by seal(). */
  add(id: string, start: number, durationMs: number, status: number, outcome: OutcomeCode, name: string): void {
    if (this.sealed) throw new Error('ClientTable: add() after seal()');
    const [hi, lo] = hashId(id);
    const row = this.size++;
    if ((row & MASK) === 0) this.chunks.push(new Chunk());
    const c = this.chunks[row >>> CHUNK_BITS]!;
    const i = row & MASK;
    c.hashHi[i] = hi;
    c.hashLo[i] = lo;
    this.base ??= start - BASE_MARGIN_MS;
    let ticks = Math.round((start - this.base) * TICKS_PER_MS);
    if (ticks < 0 || ticks > MAX_TICKS) {
      this.startsClamped++;
      ticks = ticks < 0 ? 0 : MAX_TICKS;
    }
    c.start[i] = ticks;
    c.duration[i] = durationMs;
    c.status[i] = Math.max(0, Math.min(65535, status | 0));
    c.flags[i] = outcome;
    c.name[i] = this.nameId(name);
    if (start < this.minStart) this.minStart = start;
    if (start + durationMs > this.maxEnd) this.maxEnd = start + durationMs;
  }

  /**
   * Builds the index over every row, at a load of at most 0.7; returns how many rows repeat an id already in the
   * table (the first row is kept, the others are flagged DUPLICATE and left out).
   */
  seal(): number {
    let slots = 16;
    while (slots * 0.7 < this.size) slots *= 2;
    this.index = new Uint32Array(slots);
    this.indexMask = slots - 1;
    this.sealed = true;
    this.lastId = undefined;
    let duplicates = 0;
    for (let row = 0; row < this.size; row++) {
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & MASK;
      const hi = c.hashHi[i]!;
      const lo = c.hashLo[i]!;
      if (this.find(hi, lo) !== -1) {
        c.flags[i] = c.flags[i]! | DUPLICATE;
        duplicates++;
      } else {
        this.insert(hi, lo, row);
      }
    }
    return duplicates;
  }

  private lastId: string | undefined;
  private lastRow = -1;

  /** The row of an id, or -1 (the last answer is kept: the join and the aggregator ask about the same line). */
  lookup(id: string): number {
    if (!this.sealed) return -1;
    if (id === this.lastId) return this.lastRow;
    const [hi, lo] = hashId(id);
    this.lastId = id;
    this.lastRow = this.find(hi, lo);
    return this.lastRow;
  }

  /** The row's flags. */
  flagsOf(row: number): number {
    return this.chunks[row >>> CHUNK_BITS]!.flags[row & MASK]!;
  }

  get(row: number): ClientRow {
    const c = this.chunks[row >>> CHUNK_BITS]!;
    const i = row & MASK;
    const flags = c.flags[i]!;
    return {
      start: this.startOf(c.start[i]!),
      durationMs: c.duration[i]!,
      status: c.status[i]!,
      outcome: (flags & 7) as OutcomeCode,
      flags,
      name: this.names[c.name[i]!]!,
    };
  }

  /** Sets flag bits on a row; returns the flags it had before. */
  mark(row: number, bits: number): number {
    const c = this.chunks[row >>> CHUNK_BITS]!;
    const before = c.flags[row & MASK]!;
    c.flags[row & MASK] = before | bits;
    return before;
  }

  /** Every row, in insertion order, without building objects: for the end-of-join sweep. */
  forEach(visit: (row: number, start: number, durationMs: number, status: number, flags: number, nameId: number) => void): void {
    for (let row = 0; row < this.size; row++) {
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & MASK;
      if (c.flags[i]! & DUPLICATE) continue;
      visit(row, this.startOf(c.start[i]!), c.duration[i]!, c.status[i]!, c.flags[i]!, c.name[i]!);
    }
  }

  private startOf(ticks: number): number {
    return (this.base ?? 0) + ticks / TICKS_PER_MS;
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id !== undefined) return id;
    if (this.names.length >= MAX_NAMES) {
      this.namesFolded++;
      id = this.nameIds.get(OTHER_NAMES);
      if (id !== undefined) return id;
      name = OTHER_NAMES;
    }
    id = this.names.length;
    this.names.push(name);
    this.nameIds.set(name, id);
    return id;
  }

  private find(hi: number, lo: number): number {
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.indexMask;
    for (;;) {
      const entry = this.index[slot]!;
      if (entry === 0) return -1;
      const row = entry - 1;
      const c = this.chunks[row >>> CHUNK_BITS]!;
      if (c.hashHi[row & MASK] === hi && c.hashLo[row & MASK] === lo) return row;
      slot = (slot + 1) & this.indexMask;
    }
  }

  private insert(hi: number, lo: number, row: number): void {
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.indexMask;
    while (this.index[slot] !== 0) slot = (slot + 1) & this.indexMask;
    this.index[slot] = row + 1;
  }
}
