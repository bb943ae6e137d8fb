/**
 * A worker thread of the parallel pass (parallel.ts): its own piece of the input, then tails stolen from the
 * others (piece-reader.ts), each through the same scan and aggregator as one pass, and each piece's aggregator
 * state back to the main thread with where the piece lies (its big buffers moved, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunAggregator, snapshotTransferables, type AggregatorOptions } from '../../aggregate/aggregator.js';
import type { InputLayout } from './input-layout.js';
import type { PieceSnapshot } from './piece-order.js';
import { readPiece, stealPiece, type PieceContext } from './piece-reader.js';
import { StealTable, type SharedStealTable } from './steal-table.js';

export interface RangeTask {
  layout: InputLayout;
  table: SharedStealTable;
  /** this worker's own piece */
  slot: number;
  /** the aggregator's options that are data (the evidence and known-id callbacks stay on the main thread) */
  options: Pick<AggregatorOptions, 'runId' | 'source' | 'examples' | 'since' | 'until'>;
  maxLineBytes?: number;
  minStealBytes: number;
  /** test knob (parallel.ts): wait for the main thread's first steal before reading */
  hold: boolean;
}

/** A piece read, or the end of this worker's work. */
export type RangeWorkerMessage = PieceSnapshot | { done: true };

const task = workerData as RangeTask;
const table = StealTable.attach(task.table);
if (task.hold) table.waitForRelease();
const ctx: PieceContext = { layout: task.layout, table, maxLineBytes: task.maxLineBytes, minStealBytes: task.minStealBytes };
for (let slot: number | undefined = task.slot; slot !== undefined; slot = await stealPiece(ctx)) {
  const agg = new RunAggregator({ ...task.options, laterRange: true });
  const piece = await readPiece(ctx, slot, agg);
  const snapshot = agg.snapshot();
  const message: RangeWorkerMessage = { ...piece, snapshot };
  parentPort!.postMessage(message, snapshotTransferables(snapshot));
}
parentPort!.postMessage({ done: true } satisfies RangeWorkerMessage);
