/**
 * The local source: NDJSON logs from a file, a directory or stdin, read by streaming with bounded memory.
 * Each operation is one pass over the input (stdin can be read once: a second pass is a clear error).
 */
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import { LogjamError } from '../../../common/errors.js';
import type { InputAccounting, InputFileAccounting, RunAggregate } from '../../model.js';
import type { AggregateOptions, RunInventory, RunSource, TraceLine } from '../source.js';
import { emptyAccounting, RunAggregator } from '../../aggregate/aggregator.js';
import { RunIndex } from '../../aggregate/run-index.js';
import { nearestRuns, RunNotFoundError, WindowEmptyError, windowOf } from '../../aggregate/nearest-runs.js';

export { RunNotFoundError };
import { resolveInputs, type InputFile } from './inputs.js';
import { localEvidence } from './evidence.js';
import { scanInputs } from './scan.js';
import { aggregateInParallel, planParallel } from './parallel.js';

export interface LocalSourceOptions {
  /** only lines in [since, until] (epoch ms), from --since/--until */
  since?: number;
  until?: number;
  maxLineBytes?: number;
  /** for tests: stdin replacement when the path is '-' */
  stdin?: Readable;
  /** --follow-symlinks: walk symlinked folders of a --logs directory (each file still read once) */
  followSymlinks?: boolean;
  /** --alb-logs: files or directories read BEFORE `path` (ALB access logs synced from S3: see front-door.ts); not stdin */
  extraPaths?: string[];
}

/** Lines kept for one trace: a request with more lines than this is a finding on its own. */
export const MAX_TRACE_LINES = 10_000;

/** The request id of a request.finish line (the run index counts requests by it), else undefined. */
function finishedRequestId(line: Record<string, unknown>): string | undefined {
  const id = line[F.requestId];
  return line[F.event] === EVENTS.requestFinish && typeof id === 'string' ? id : undefined;
}

function addFileAccounting(a: InputFileAccounting | undefined, b: InputFileAccounting): InputFileAccounting {
  if (a === undefined) return b;
  return {
    files: a.files + b.files,
    symlinkedFoldersNotFollowed: a.symlinkedFoldersNotFollowed + b.symlinkedFoldersNotFollowed,
    filesSeenTwice: a.filesSeenTwice + b.filesSeenTwice,
    loops: a.loops + b.loops,
  };
}

function isDirectory(path: string): boolean {
  try {
    return path !== '-' && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function createLocalSource(path: string, options: LocalSourceOptions = {}): RunSource {
  const description = path === '-' ? '(stdin)' : path;
  let stdinUsed = false;

  async function inputs(input?: InputAccounting) {
    if (path === '-') {
      if (stdinUsed) {
        throw new LogjamError('LJ_STDIN_ONCE', 'stdin can be read only once', {
          hint: 'save the logs to a file and pass --logs <file>',
        });
      }
      stdinUsed = true;
    }
    // ALB files first: their lines wait for the app's, which then join as they stream past (aggregate/front-door.ts)
    const files = [];
    let accounting: InputFileAccounting | undefined;
    const warnings: string[] = [];
    for (const extra of options.extraPaths ?? []) {
      const more = await resolveInputs(extra, { followSymlinks: options.followSymlinks });
      files.push(...more.files);
      warnings.push(...more.warnings);
      if (more.accounting) accounting = addFileAccounting(accounting, more.accounting);
    }
    const resolved = await resolveInputs(path, { stdin: options.stdin, followSymlinks: options.followSymlinks });
    files.push(...resolved.files);
    warnings.push(...resolved.warnings);
    if (resolved.accounting) accounting = addFileAccounting(accounting, resolved.accounting);
    if (input && accounting) input.inputFiles = accounting;
    if (input && warnings.length) (input.warnings ??= []).push(...warnings);
    return files;
  }

  const inRange = (time: number, since = options.since, until = options.until) =>
    (since === undefined || time >= since) && (until === undefined || time <= until);

  async function inventory(): Promise<RunInventory> {
    const index = new RunIndex();
    await scanInputs(
      await inputs(),
      emptyAccounting(),
      (line) => {
        if (!inRange(line.time)) return;
        const runId = line[F.runId];
        if (typeof runId === 'string') index.note(runId, line.time, finishedRequestId(line));
        else if (line[F.requestId] !== undefined) index.noteUntagged(line.time, finishedRequestId(line));
      },
      options.maxLineBytes,
    );
    const untagged = index.untaggedRequests();
    return untagged ? { runs: index.list(), untagged } : { runs: index.list() };
  }

  return {
    description,
    streamsRunLines: true,

    inventory,

    async listRuns() {
      return (await inventory()).runs;
    },

    async aggregate(runId: string | undefined, opts: AggregateOptions = {}): Promise<RunAggregate> {
      const since = opts.since ?? options.since;
      const until = opts.until ?? options.until;
      const workerOptions = { runId, source: description, examples: opts.examples, since, until };
      const newAggregator = () =>
        new RunAggregator({
          ...workerOptions,
          ...(opts.knownIds ? { knownIds: opts.knownIds } : {}),
          albFirst: (options.extraPaths?.length ?? 0) > 0,
          // the local source can run jq on its files, not Logs Insights: its evidence is jq
          evidence: (found) => localEvidence({ path, directory: isDirectory(path), runId, since: found.since, until: found.until }),
        });
      const finished = (agg: RunAggregator): RunAggregate =>
        runId === undefined ? { ...agg.result(), window: windowOf(since, until) } : agg.result();
      const onRunLine = opts.onRunLine;

      // plain files large enough: several threads over byte ranges (parallel.ts), the same report as one pass.
      // Not with ALB logs or a client-log join: both join lines in input order.
      if (path !== '-' && options.extraPaths === undefined && opts.knownIds === undefined && onRunLine === undefined) {
        const agg = newAggregator();
        const files = await inputs(agg.input);
        const ranges = await planParallel(files);
        if (ranges !== undefined && (await aggregateInParallel(ranges, agg, workerOptions, options.maxLineBytes))) {
          if (agg.lines > 0) return finished(agg);
          if (runId === undefined) throw new WindowEmptyError(description, since, until);
          // run not found: the one pass below also indexes the other runs, to name the nearest
        } else if (ranges === undefined) {
          return scanOnce(agg, files);
        }
      }
      return scanOnce(newAggregator());

      /** One pass; `files`: the inputs when inputs() already ran for `agg` */
      async function scanOnce(agg: RunAggregator, files?: InputFile[]): Promise<RunAggregate> {
        // the same pass indexes the other runs, so "run not found" can name them without a second read
        const index = new RunIndex();
        await scanInputs(
          files ?? (await inputs(agg.input)),
          agg.input,
          (line) => {
            const id = line[F.runId];
            if (runId !== undefined && typeof id === 'string' && id !== runId) index.note(id, line.time, finishedRequestId(line));
            else if (onRunLine !== undefined && runId !== undefined && id === runId) onRunLine(line);
            agg.push(line);
          },
          options.maxLineBytes,
        );
        if (agg.lines > 0) return finished(agg);
        if (runId === undefined) throw new WindowEmptyError(description, since, until);
        throw new RunNotFoundError(runId, nearestRuns(runId, index.list()), description);
      }
    },

    async trace(requestId: string): Promise<TraceLine[]> {
      const lines: TraceLine[] = [];
      await scanInputs(
        await inputs(),
        emptyAccounting(),
        (line) => {
          if (line[F.requestId] === requestId && lines.length < MAX_TRACE_LINES) lines.push(line);
        },
        options.maxLineBytes,
      );
      // stable: lines with equal times keep their log order
      return lines.map((l, i) => [l, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([l]) => l);
    },
  };
}
