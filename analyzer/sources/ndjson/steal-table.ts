/**
 * The shared cursor of the parallel pass (parallel.ts): one slot per piece of the input — a byte run
 * [start, end) of the global input (the files one after the other, piece-reader.ts) — that every thread sees
 * through SharedArrayBuffers. A piece's owner CLAIMS bytes before it reads them (claim); a thread with nothing
 * left to read STEALS the tail of the piece with the most unclaimed bytes: it lowers that piece's end to a cut at
 * or after the owner's claimed position and takes [cut, old end) as a new piece (planSteal, then commitSteal with
 * the cut aligned to a line start, which needs a file read in between). Both steps run under one lock, so an
 * owner never reads past its (possibly lowered) end and no byte is read by two threads.
 *
 * Offsets are Float64 (exact up to 2^53, so files over 2 GiB are fine), read and written only under the lock:
 * the lock's Atomics order those plain accesses between threads.
 */

/** header words (Int32) */
const LOCK = 0;
const SLOT_COUNT = 1;
/** test knob: 1 while the workers wait for the main thread's first steal (parallel.ts) */
const HOLD = 2;
const HEADER_WORDS = 3;

/** slot fields (Float64) */
const START = 0;
const CLAIMED = 1;
const END = 2;
const DONE = 3;
const FIELDS = 4;

export interface ByteRun {
  start: number;
  end: number;
}

/** What a thief saw of the piece it means to cut: commitSteal cuts only if the piece's end is still `end`. */
export interface StealPlan {
  slot: number;
  claimed: number;
  end: number;
}

/** The table's memory, to hand to a worker thread (workerData). */
export interface SharedStealTable {
  header: SharedArrayBuffer;
  slots: SharedArrayBuffer;
}

export class StealTable {
  private readonly header: Int32Array;
  private readonly slots: Float64Array;
  private readonly maxSlots: number;

  private constructor(readonly shared: SharedStealTable) {
    this.header = new Int32Array(shared.header);
    this.slots = new Float64Array(shared.slots);
    this.maxSlots = this.slots.length / FIELDS;
  }

  /** A table whose first slots are `runs` (in input order), with room for `maxSlots` pieces in all. */
  static create(runs: readonly ByteRun[], maxSlots: number, hold = false): StealTable {
    const table = new StealTable({
      header: new SharedArrayBuffer(HEADER_WORDS * Int32Array.BYTES_PER_ELEMENT),
      slots: new SharedArrayBuffer(Math.max(maxSlots, runs.length) * FIELDS * Float64Array.BYTES_PER_ELEMENT),
    });
    for (const [i, run] of runs.entries()) table.setSlot(i, run.start, run.end);
    table.header[SLOT_COUNT] = runs.length;
    table.header[HOLD] = hold ? 1 : 0;
    return table;
  }

  /** The table `shared` (another thread's), seen from this thread. */
  static attach(shared: SharedStealTable): StealTable {
    return new StealTable(shared);
  }

  /** Piece `slot` as it lies now (its start never moves; its end may only come down). */
  extentOf(slot: number): ByteRun {
    return this.locked(() => ({ start: this.slots[slot * FIELDS + START]!, end: this.slots[slot * FIELDS + END]! }));
  }

  /**
   * The owner of `slot`, at `from`, takes up to `want` more bytes: the bytes [from, returned) are its to read.
   * Returned <= from: the piece is over (its end is at or before `from`).
   */
  claim(slot: number, from: number, want: number): number {
    return this.locked(() => {
      const at = slot * FIELDS;
      const until = Math.min(from + want, this.slots[at + END]!);
      if (until > this.slots[at + CLAIMED]!) this.slots[at + CLAIMED] = until;
      return until;
    });
  }

  /** The owner of `slot` read it all: nobody cuts it any more; its final extent. */
  finish(slot: number): ByteRun {
    return this.locked(() => {
      const at = slot * FIELDS;
      this.slots[at + DONE] = 1;
      return { start: this.slots[at + START]!, end: this.slots[at + END]! };
    });
  }

  /** The unfinished piece with the most unclaimed bytes, if it has at least `minBytes` (and a slot is free). */
  planSteal(minBytes: number): StealPlan | undefined {
    return this.locked(() => {
      const count = this.header[SLOT_COUNT]!;
      if (count >= this.maxSlots) return undefined;
      let best: StealPlan | undefined;
      for (let slot = 0; slot < count; slot++) {
        const at = slot * FIELDS;
        if (this.slots[at + DONE] === 1) continue;
        const claimed = this.slots[at + CLAIMED]!;
        const end = this.slots[at + END]!;
        if (end - claimed >= Math.max(minBytes, 2) && (best === undefined || end - claimed > best.end - best.claimed)) {
          best = { slot, claimed, end };
        }
      }
      return best;
    });
  }

  /**
   * Cuts the piece of `plan` at `cut` (a line start the thief found after what it saw claimed) and makes
   * [cut, plan.end) a new piece: its slot, or undefined when the piece moved on meanwhile (its end changed, it
   * finished, or its owner claimed past `cut`) or `cut` leaves nothing on one side — the thief plans again.
   */
  commitSteal(plan: StealPlan, cut: number): number | undefined {
    return this.locked(() => {
      const at = plan.slot * FIELDS;
      const count = this.header[SLOT_COUNT]!;
      const ok =
        count < this.maxSlots &&
        this.slots[at + DONE] === 0 &&
        this.slots[at + END] === plan.end &&
        cut >= this.slots[at + CLAIMED]! &&
        cut > this.slots[at + START]! &&
        cut < plan.end;
      if (!ok) return undefined;
      this.slots[at + END] = cut;
      this.setSlot(count, cut, plan.end);
      this.header[SLOT_COUNT] = count + 1;
      return count;
    });
  }

  /** Test knob: the workers block here until release() (only in a worker: the main thread may not block). */
  waitForRelease(): void {
    while (Atomics.load(this.header, HOLD) === 1) Atomics.wait(this.header, HOLD, 1);
  }

  release(): void {
    Atomics.store(this.header, HOLD, 0);
    Atomics.notify(this.header, HOLD);
  }

  private setSlot(slot: number, start: number, end: number): void {
    const at = slot * FIELDS;
    this.slots[at + START] = start;
    this.slots[at + CLAIMED] = start;
    this.slots[at + END] = end;
    this.slots[at + DONE] = 0;
  }

  /** `fn` under the table's lock: a spin lock, held for a few plain reads and writes, never across an await. */
  private locked<T>(fn: () => T): T {
    while (Atomics.compareExchange(this.header, LOCK, 0, 1) !== 0) {
      // another thread holds it for a few instructions
    }
    try {
      return fn();
    } finally {
      Atomics.store(this.header, LOCK, 0);
    }
  }
}
