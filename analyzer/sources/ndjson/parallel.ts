/**
 * The parallel pass of `analyze` over plain log files: the files' bytes cut into one range of whole lines per
 * thread (ranges.ts), the first range read on this thread and the others in worker threads, each into its own
 * RunAggregator, then each later range's state absorbed in input order (RunAggregator.absorb) — the report is the
 * one a single pass gives. When the ranges interact in a way only a single pass counts the same (absorb says
 * which), or a worker fails, the caller reads the input in one pass instead.
 *
 * Only plain files: a .gz stream cannot be entered in the middle, and stdin can be read only once.
 */
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { AggregatorSnapshot, RunAggregator } from '../../aggregate/aggregator.js';
import { isGzipFile, type InputFile } from './inputs.js';
import { rangeInputs, splitIntoRanges, type FileRange } from './ranges.js';
import type { RangeTask } from './range-worker.js';
import { scanInputs } from './scan.js';

/** Below this many bytes a worker's start-up (~30 ms) costs more than it saves. */
const DEFAULT_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Tuning and tests: LOGJAM_ANALYZE_THREADS (threads, 1 = always one pass; default os.availableParallelism()) and
 * LOGJAM_PARALLEL_MIN_BYTES (input size from which the pass is parallel).
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

function runRange(task: RangeTask): { worker: Worker; snapshot: Promise<AggregatorSnapshot> } {
  const worker = new Worker(new URL('./range-worker.js', import.meta.url), { workerData: task, resourceLimits: WORKER_LIMITS });
  const snapshot = new Promise<AggregatorSnapshot>((resolve, reject) => {
    worker.once('message', (snapshot: AggregatorSnapshot) => {
      resolve(snapshot);
      // its state has moved here: its heap goes before the merge and the report add to the main thread's
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`range worker exited with code ${code}`)));
  });
  // awaited in order below: a later worker failing first must not be an unhandled rejection meanwhile
  snapshot.catch(() => undefined);
  return { worker, snapshot };
}

/**
 * Reads `ranges` into `agg` (the first range here, the rest in workers). false: not exactly mergeable or a worker
 * failed — `agg` is then spent and the caller reads the input in one pass.
 */
export async function aggregateInParallel(
  ranges: readonly FileRange[][],
  agg: RunAggregator,
  options: RangeTask['options'],
  maxLineBytes?: number,
): Promise<boolean> {
  const workers = ranges.slice(1).map((r) => runRange({ ranges: r, options, maxLineBytes }));
  try {
    await scanInputs(rangeInputs(ranges[0]!), agg.input, (line) => agg.push(line), maxLineBytes);
    for (const [i, w] of workers.entries()) {
      const snapshot = await w.snapshot.catch(() => undefined);
      if (snapshot === undefined || !agg.absorb(snapshot, i === workers.length - 1)) return false;
    }
    return true;
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
