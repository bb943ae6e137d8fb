/**
 * What each thread of the parallel pass does (parallel.ts on the main thread, range-worker.ts in a worker): read
 * its own piece of the input into an aggregator, then steal the tail of the piece with the most bytes left
 * (steal-table.ts) and read that, until nothing is worth stealing. Each piece read gives one aggregator.
 */
import type { RunAggregator } from '../../aggregate/aggregator.js';
import { claimedInputs } from './claimed-stream.js';
import { lineStartAt, segmentsOf, type InputLayout } from './input-layout.js';
import { scanInputs } from './scan.js';
import type { ByteRun, StealTable } from './steal-table.js';

/** Below this many unclaimed bytes a piece is not cut: a piece's own aggregator and merge cost more than it saves. */
export const DEFAULT_MIN_STEAL_BYTES = 8 * 1024 * 1024;

/** A thief's tries to cut a piece that keeps moving (its owner claims on) before it stops stealing. */
const STEAL_TRIES = 8;

export interface PieceContext {
  layout: InputLayout;
  table: StealTable;
  maxLineBytes?: number;
  minStealBytes: number;
}

/** Reads piece `slot` (as far as its end lies when the reads get there) into `agg`; its final extent. */
export async function readPiece(ctx: PieceContext, slot: number, agg: RunAggregator): Promise<ByteRun> {
  const { start, end } = ctx.table.extentOf(slot);
  // the segments up to the piece's end as it lies now: a thief only ever lowers it
  const segments = segmentsOf(ctx.layout, start, end);
  const claim = (from: number, want: number) => ctx.table.claim(slot, from, want);
  await scanInputs(claimedInputs(segments, start, claim), agg.input, (line) => agg.push(line), ctx.maxLineBytes);
  return ctx.table.finish(slot);
}

/** Cuts the tail of the piece with the most bytes left; the new piece's slot, or undefined: nothing worth it. */
export async function stealPiece(ctx: PieceContext): Promise<number | undefined> {
  for (let tries = 0; tries < STEAL_TRIES; tries++) {
    const plan = ctx.table.planSteal(ctx.minStealBytes);
    if (plan === undefined) return undefined;
    const cut = await lineStartAt(ctx.layout, plan.claimed + Math.floor((plan.end - plan.claimed) / 2));
    const slot = ctx.table.commitSteal(plan, cut);
    if (slot !== undefined) return slot;
  }
  return undefined;
}
