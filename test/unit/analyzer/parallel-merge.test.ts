/**
 * The parallel pass's merge (RunAggregator.snapshot/absorb over ranges.ts's byte ranges), in-process: the input cut
 * into 2, 3 and 8 ranges of whole lines, each range aggregated on its own, the states absorbed in order after a structured
 * clone (what a worker's postMessage does) — the report is the one a single pass gives, to the last digit. The logs
 * are cut everywhere: requests open across a cut, error lines whose finish is in the next range, malformed and
 * over-long lines, CRLF endings, a BOM, a last line without newline, several files. And where one pass only can
 * count the same (a request line in two ranges), absorb says so. The worker threads themselves: the CLI test.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunAggregator, snapshotTransferables, type AggregatorOptions } from '../../../analyzer/aggregate/aggregator.js';
import { resolveInputs } from '../../../analyzer/sources/ndjson/inputs.js';
import { rangeInputs, splitIntoRanges } from '../../../analyzer/sources/ndjson/ranges.js';
import { scanInputs } from '../../../analyzer/sources/ndjson/scan.js';
import { mixedLogLines } from '../../support/mixed-log.js';
import { logLines } from '../../support/log-lines.js';
import { tempDir } from './helpers.js';

const MAX_LINE = 4096;

async function onePass(path: string, options: AggregatorOptions) {
  const agg = new RunAggregator(options);
  await scanInputs((await resolveInputs(path)).files, agg.input, (l) => agg.push(l), MAX_LINE);
  return agg;
}

/** The ranges read one by one, then absorbed in order; undefined when absorb refuses. */
async function inRanges(path: string, parts: number, options: AggregatorOptions) {
  const files = (await resolveInputs(path)).files.map((f) => ({ path: f.path!, size: statSync(f.path!).size }));
  const ranges = await splitIntoRanges(files, parts);
  expect(ranges).toHaveLength(parts);
  const aggs = [];
  for (const [i, r] of ranges.entries()) {
    const agg = new RunAggregator({ ...options, laterRange: i > 0 });
    await scanInputs(rangeInputs(r), agg.input, (l) => agg.push(l), MAX_LINE);
    aggs.push(agg);
  }
  const [first, ...later] = aggs;
  for (const [i, agg] of later.entries()) {
    const snapshot = agg.snapshot();
    // as parallel.ts: the last part's ids are not merged (nothing reads them afterwards)
    if (!first!.absorb(structuredClone(snapshot, { transfer: snapshotTransferables(snapshot) }), i === later.length - 1)) return undefined;
  }
  return first!;
}

const json = (agg: RunAggregator) => JSON.parse(JSON.stringify(agg.result()));

function writeMixed(dir: string, name: string, lines: string[], o: { crlfEvery?: number; bom?: boolean; finalNewline?: boolean } = {}) {
  const text = lines.map((l, i) => (o.crlfEvery && i % o.crlfEvery === 0 ? `${l}\r\n` : `${l}\n`)).join('');
  writeFileSync(join(dir, name), (o.bom ? '\ufeff' : '') + (o.finalNewline === false ? text.trimEnd() : text));
}

describe('parallel pass: ranges absorbed in order give the one-pass report', () => {
  const dir = tempDir();
  const file = join(dir, 'one.ndjson');
  writeMixed(dir, 'one.ndjson', mixedLogLines({ requests: 1200, longLineBytes: 6000 }), { crlfEvery: 5, bom: true, finalNewline: false });
  const many = join(dir, 'many');
  mkdirSync(many);
  writeMixed(many, 'a.ndjson', mixedLogLines({ requests: 600, seed: 1, ids: 'a', longLineBytes: 6000 }), { bom: true, finalNewline: false });
  writeMixed(many, 'b.ndjson', mixedLogLines({ requests: 300, seed: 2, ids: 'b' }), { crlfEvery: 2 });
  writeFileSync(join(many, 'c.ndjson'), '');
  writeMixed(many, 'd.ndjson', mixedLogLines({ requests: 900, seed: 3, ids: 'd', longLineBytes: 6000 }));

  for (const [label, path] of [
    ['one file', file],
    ['a directory of files', many],
  ] as const) {
    for (const parts of [2, 3, 8]) {
      it(`${label}, ${parts} ranges: the time window, then run-1 in a --since/--until range`, async () => {
        const window = { runId: undefined, source: 'test' };
        const seq = await onePass(path, window);
        expect(seq.input.oversized).toBeGreaterThan(0);
        expect(seq.input.malformed).toBeGreaterThan(0);
        expect(seq.input.duplicates).toBe(0);
        const par = await inRanges(path, parts, window);
        expect(par).toBeDefined();
        expect(json(par!)).toEqual(json(seq));

        const L = logLines();
        const run = { runId: 'run-1', source: 'test', examples: 5, since: L.at(5_000), until: L.at(20_000) };
        const seqRun = await onePass(path, run);
        const parRun = await inRanges(path, parts, run);
        expect(json(parRun!)).toEqual(json(seqRun));
      });
    }
  }

  it('a request line in two ranges (two copies of one log): absorb refuses, one pass counts it once', async () => {
    const d = tempDir();
    const lines = mixedLogLines({ requests: 400, seed: 5 });
    writeMixed(d, 'a.ndjson', lines);
    writeMixed(d, 'b.ndjson', lines);
    const window = { runId: undefined, source: 'test' };
    expect(await inRanges(d, 2, window)).toBeUndefined();
    expect((await onePass(d, window)).input.duplicates).toBeGreaterThan(0);
  });
});
