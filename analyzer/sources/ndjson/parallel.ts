/**
 * The parallel pass of `analyze` over plain log files: the files' bytes cut into one range of whole lines per
 * thread (ranges.ts), the first range read on this thread and the others in worker threads; a thread done with
 * its range steals the tail of the piece with the most bytes left (steal-table.ts, piece-reader.ts), so the
 * threads finish together. Each piece is read into its own RunAggregator, and the pieces' states are absorbed in
 * input order into the first one's (piece-order.ts, RunAggregator.absorb) — the report is the one a single pass
 * gives. When the pieces interact in a way only a single pass counts the same (absorb says which), or a worker
 * fails, the caller reads the input in one pass instead.
 *
 * Only plain files: a .gz stream cannot be entered in the middle, and stdin can be read only once.
 */
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { RunAggregator } from '../../aggregate/aggregator.js';
import { layoutOf } from './input-layout.js';
import { isGzipFile, type InputFile } from './inputs.js';
import { PieceOrder } from './piece-order.js';
import { DEFAULT_MIN_STEAL_BYTES, readPiece, stealPiece, type PieceContext } from './piece-reader.js';
import { splitIntoRanges, type FileRange } from './ranges.js';
import type { RangeTask, RangeWorkerMessage } from './range-worker.js';
import { StealTable, type ByteRun } from './steal-table.js';

/** Below this many bytes a worker's start-up (~30 ms) costs more than it saves. */
const DEFAULT_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Tuning and tests: LOGJAM_ANALYZE_THREADS (threads, 1 = always one pass; default os.availableParallelism()),
 * LOGJAM_PARALLEL_MIN_BYTES (input size from which the pass is parallel), LOGJAM_PARALLEL_MIN_STEAL_BYTES (the
 * unclaimed bytes from which a piece's tail is stolen; 0 in tests, to steal from small logs) and, for tests only,
 * LOGJAM_PARALLEL_TEST_HOLD=1: the workers wait until the main thread, done with its own range, has stolen once —
 * so stealing surely happens, from every worker's range on, whatever the machine's timing.
 */
function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/**
 * Worker heap: the per-line objects are short-lived, and what a range keeps (histograms, tables, id hashes) is
 * mostly typed arrays outside the heap, so a small young generation and a bounded old one cap what each worker
 * adds to the peak RSS; a worker that runs out fails and the input is read in one pass.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

/** Pieces per thread at most (its range and the tails it may steal): a full table only stops the stealing. */
const SLOTS_PER_THREAD = 32;

/** The ranges for a parallel pass over `files`, or undefined when one pass it is. */
export async function planParallel(files: readonly InputFile[]): Promise<FileRange[][] | undefined> {
  const threads = setting('LOGJAM_ANALYZE_THREADS', availableParallelism());
  if (threads < 2 || files.some((f) => f.path === undefined)) return undefined;
  try {
    const sized = [];
    for (const f of files) sized.push({ path: f.path!, size: (await stat(f.path!)).size });
    const total = sized.reduce((n, f) => n + f.size, 0);
    if (total < setting('LOGJAM_PARALLEL_MIN_BYTES', DEFAULT_MIN_BYTES)) return undefined;
    for (const f of sized) if (await isGzipFile(f.path)) return undefined;
    const ranges = await splitIntoRanges(sized, threads);
    return ranges.length > 1 ? ranges : undefined;
  } catch {
    // a file gone or unreadable since the directory was listed: the one pass reports it (LJ_LOGS_UNREADABLE)
    return undefined;
  }
}

function runWorker(task: RangeTask, order: PieceOrder): { worker: Worker; done: Promise<void> } {
  const worker = new Worker(new URL('./range-worker.js', import.meta.url), { workerData: task, resourceLimits: WORKER_LIMITS });
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: RangeWorkerMessage) => {
      if ('done' in message) {
        resolve();
        // its state has moved here: its heap goes before the merge and the report add to the main thread's
        void worker.terminate();
        return;
      }
      try {
        order.add(message);
      } catch (error) {
        reject(error);
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`range worker exited with code ${code}`)));
  });
  // awaited at the end: a worker failing meanwhile must not be an unhandled rejection
  done.catch(() => undefined);
  return { worker, done };
}

/**
 * Reads `ranges` into `agg`: the first range here, the others in workers, and whichever thread runs out of work
 * steals the tail of the piece with the most left (piece-reader.ts), so the threads finish together. false: not
 * exactly mergeable or a worker failed — `agg` is then spent and the caller reads the input in one pass.
 * `pieces` (tests): receives the pieces read, in input order (global offsets, input-layout.ts).
 */
export async function aggregateInParallel(
  ranges: readonly FileRange[][],
  agg: RunAggregator,
  options: RangeTask['options'],
  maxLineBytes?: number,
  pieces?: ByteRun[],
): Promise<boolean> {
  const { layout, runs } = layoutOf(ranges);
  const hold = setting('LOGJAM_PARALLEL_TEST_HOLD', 0) === 1;
  const minStealBytes = setting('LOGJAM_PARALLEL_MIN_STEAL_BYTES', DEFAULT_MIN_STEAL_BYTES);
  const table = StealTable.create(runs, runs.length * SLOTS_PER_THREAD, hold);
  const ctx: PieceContext = { layout, table, maxLineBytes, minStealBytes };
  const order = new PieceOrder(agg, layout.total, pieces);
  const workers = runs
    .slice(1)
    .map((_, i) => runWorker({ layout, table: table.shared, slot: i + 1, options, maxLineBytes, minStealBytes, hold }, order));
  try {
    order.firstRead((await readPiece(ctx, 0, agg)).end);
    for (let slot = await stealPiece(ctx); slot !== undefined && !order.failed; slot = await stealPiece(ctx)) {
      table.release();
      const piece = new RunAggregator({ ...options, laterRange: true });
      const run = await readPiece(ctx, slot, piece);
      order.add({ ...run, snapshot: piece.snapshot() });
    }
    table.release();
    if (order.failed) return false;
    const finished = await Promise.all(workers.map((w) => w.done)).then(
      () => true,
      () => false,
    );
    return finished && order.complete;
  } finally {
    // a worker still waiting for the test knob's release would not see its termination
    table.release();
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
