/**
 * A worker thread of the parallel pass (parallel.ts): one range of the input through the same scan and aggregator
 * as one pass, and the aggregator's state back to the main thread (its big buffers moved, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunAggregator, snapshotTransferables, type AggregatorOptions } from '../../aggregate/aggregator.js';
import type { FileRange } from './ranges.js';
import { rangeInputs } from './ranges.js';
import { scanInputs } from './scan.js';

export interface RangeTask {
  ranges: FileRange[];
  /** the aggregator's options that are data (the evidence and known-id callbacks stay on the main thread) */
  options: Pick<AggregatorOptions, 'runId' | 'source' | 'examples' | 'since' | 'until'>;
  maxLineBytes?: number;
}

const task = workerData as RangeTask;
const agg = new RunAggregator({ ...task.options, laterRange: true });
await scanInputs(rangeInputs(task.ranges), agg.input, (line) => agg.push(line), task.maxLineBytes);
const snapshot = agg.snapshot();
parentPort!.postMessage(snapshot, snapshotTransferables(snapshot));
