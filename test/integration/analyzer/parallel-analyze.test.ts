/**
 * `logjam analyze` with its parallel pass forced onto small logs (LOGJAM_PARALLEL_MIN_BYTES=0, several threads):
 * the built CLI prints the same --json report as with one thread, for a file and for a directory, a time window
 * and a run; and the worker threads really did the ranges (the pass, run from dist/, reports it absorbed every
 * range). The merge itself, cut everywhere: test/unit/analyzer/parallel-merge.test.ts.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Aggregator from '../../../analyzer/aggregate/aggregator.js';
import type * as Parallel from '../../../analyzer/sources/ndjson/parallel.js';
import type * as Ranges from '../../../analyzer/sources/ndjson/ranges.js';
import { CLI, ROOT, runBin, type CliResult } from '../../support/cli.js';
import { mixedLogLines } from '../../support/mixed-log.js';
import { tempDir } from '../../unit/analyzer/helpers.js';

let dir: string;
let file: string;

/**
 * Forced stealing (parallel.ts's test knobs): the workers wait until the main thread, done with its range, has
 * stolen from theirs, and tails of any size are stolen — so the pieces are many and cut everywhere.
 */
const STEAL = { LOGJAM_PARALLEL_TEST_HOLD: '1', LOGJAM_PARALLEL_MIN_STEAL_BYTES: '0' };

function analyze(args: string[], threads: number, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runBin(CLI, ['analyze', '--json', ...args], undefined, undefined, {
    LOGJAM_ANALYZE_THREADS: String(threads),
    LOGJAM_PARALLEL_MIN_BYTES: '0',
    ...env,
  });
}

/** The report without the time it was made at. */
async function report(args: string[], threads: number, env?: NodeJS.ProcessEnv): Promise<unknown> {
  const r = await analyze(args, threads, env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as { generatedAt?: string };
  delete json.generatedAt;
  return json;
}

/** The pass from dist/: its worker threads run the built range-worker.js. */
async function fromDist() {
  const dist = (path: string) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
  const { aggregateInParallel } = (await dist('analyzer/sources/ndjson/parallel.js')) as typeof Parallel;
  const { splitIntoRanges } = (await dist('analyzer/sources/ndjson/ranges.js')) as typeof Ranges;
  const { RunAggregator } = (await dist('analyzer/aggregate/aggregator.js')) as typeof Aggregator;
  return { aggregateInParallel, splitIntoRanges, RunAggregator };
}

beforeAll(() => {
  dir = tempDir();
  // a line over the CLI's 1 MB line cap, so a range holds an oversized line
  const lines = mixedLogLines({ requests: 1200, longLineBytes: 1_100_000 });
  file = join(dir, 'app.ndjson');
  writeFileSync(file, `\ufeff${lines.join('\r\n')}`);
  mkdirSync(join(dir, 'runs'));
  writeFileSync(join(dir, 'runs', 'a.ndjson'), mixedLogLines({ requests: 700, seed: 2, ids: 'a' }).join('\n'));
  writeFileSync(join(dir, 'runs', 'b.ndjson'), `${mixedLogLines({ requests: 900, seed: 3, ids: 'b' }).join('\n')}\n`);
});

describe('analyze: the parallel pass prints the one-thread report', () => {
  it('a file: the time window', async () => {
    expect(await report(['--logs', file], 3)).toEqual(await report(['--logs', file], 1));
  });

  it('a directory of files: a run, from --since', async () => {
    const args = ['--logs', join(dir, 'runs'), '--run', 'run-1', '--since', '2025-01-15T12:00:05Z'];
    expect(await report(args, 4)).toEqual(await report(args, 1));
  });

  for (const threads of [2, 3]) {
    it(`${threads} threads stealing tails: a file, then a directory's run from --since`, async () => {
      expect(await report(['--logs', file], threads, STEAL)).toEqual(await report(['--logs', file], 1));
      const args = ['--logs', join(dir, 'runs'), '--run', 'run-1', '--since', '2025-01-15T12:00:05Z'];
      expect(await report(args, threads, STEAL)).toEqual(await report(args, 1));
    });
  }

  it('stealing: the threads read more pieces than ranges, and the pieces tile the input in order', async () => {
    const { aggregateInParallel, splitIntoRanges, RunAggregator } = await fromDist();
    const ranges = await splitIntoRanges([{ path: file, size: statSync(file).size }], 3);
    const options = { runId: undefined, source: file };
    const agg = new RunAggregator(options);
    const pieces: { start: number; end: number }[] = [];
    Object.assign(process.env, STEAL);
    try {
      expect(await aggregateInParallel(ranges, agg, options, undefined, pieces)).toBe(true);
    } finally {
      for (const name of Object.keys(STEAL)) delete process.env[name];
    }
    expect(pieces.length).toBeGreaterThan(ranges.length);
    expect(pieces[0]!.start).toBe(0);
    for (const [i, p] of pieces.entries()) {
      expect(p.end).toBeGreaterThan(p.start);
      if (i > 0) expect(p.start).toBe(pieces[i - 1]!.end);
    }
    expect(pieces.at(-1)!.end).toBe(statSync(file).size);
    expect(agg.input.oversized).toBeGreaterThan(0);
  });

  it('worker threads read the later ranges and every range is absorbed', async () => {
    const { aggregateInParallel, splitIntoRanges, RunAggregator } = await fromDist();
    const ranges = await splitIntoRanges([{ path: file, size: statSync(file).size }], 3);
    const options = { runId: undefined, source: file };
    const agg = new RunAggregator(options);
    expect(await aggregateInParallel(ranges, agg, options)).toBe(true);
    expect(agg.input.oversized).toBeGreaterThan(0);
    expect(agg.lines).toBeGreaterThan(2000);
  });
});
