/**
 * The merge of the parallel pass (parallel.ts): the pieces' snapshots arrive in any order, from any thread; each
 * is absorbed into the first piece's aggregator as soon as every piece before it is, so the state ends as one
 * pass in input order gives — and a snapshot waits here only until its turn.
 */
import type { AggregatorSnapshot, RunAggregator } from '../../aggregate/aggregator.js';
import type { ByteRun } from './steal-table.js';

export interface PieceSnapshot extends ByteRun {
  snapshot: AggregatorSnapshot;
}

export class PieceOrder {
  /** the input up to here is in `agg`; undefined while the first piece is being read */
  private next: number | undefined;
  private readonly waiting = new Map<number, PieceSnapshot>();
  private refused = false;

  /** `agg` reads the first piece, from byte 0 of `total`; `absorbed` (tests): every piece in it, in order. */
  constructor(
    private readonly agg: RunAggregator,
    private readonly total: number,
    private readonly absorbed: ByteRun[] = [],
  ) {}

  /** `agg` has read the first piece, [0, end). */
  firstRead(end: number): void {
    this.absorbed.push({ start: 0, end });
    this.next = end;
    this.drain();
  }

  add(piece: PieceSnapshot): void {
    if (this.refused) return;
    this.waiting.set(piece.start, piece);
    this.drain();
  }

  private drain(): void {
    if (this.next === undefined) return;
    for (let p = this.waiting.get(this.next); p !== undefined && !this.refused; p = this.waiting.get(this.next)) {
      this.waiting.delete(p.start);
      // `last`: no piece follows, so absorb need not keep this one's ids
      if (!this.agg.absorb(p.snapshot, p.end === this.total)) {
        this.refused = true;
        this.waiting.clear();
        return;
      }
      this.absorbed.push({ start: p.start, end: p.end });
      this.next = p.end;
    }
  }

  /** absorb refused a piece: the aggregator is spent */
  get failed(): boolean {
    return this.refused;
  }

  /** every byte of the input is in the aggregator */
  get complete(): boolean {
    return !this.refused && this.next === this.total && this.waiting.size === 0;
  }
}
