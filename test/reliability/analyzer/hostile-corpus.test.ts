/**
 * Hostile input to the local analyzer source (issue 9, item 4): the crafted corpus of test/fixtures/hostile is read
 * by the real source (file -> splitter -> classifier -> aggregator). The source never throws on content, and every
 * non-blank line lands in exactly one bucket: parsed + malformed + oversized + foreign + otherRuns = totalLines,
 * with the number expected for each case. Blank lines are not lines (docs/analyzer.md): in no count.
 */
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputAccounting } from '../../../analyzer/model.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { scanInputs } from '../../../analyzer/sources/ndjson/scan.js';
import { emptyAccounting } from '../../../analyzer/aggregate/aggregator.js';
import { corpusBytes, corpusCases, HOSTILE_RUN_ID, writeCorpus, type Bucket, type CorpusCase, type Expected } from '../../fixtures/hostile/generate.js';
import { logLines } from '../../support/log-lines.js';
import { figure } from './figures.js';

const L = logLines({ runId: HOSTILE_RUN_ID });

export function bucketSum(i: InputAccounting): number {
  return i.parsed + i.malformed + i.oversized + i.foreign + i.otherRuns + (i.outsideTimeRange ?? 0);
}

function accountingLine(i: InputAccounting): string {
  return `total ${i.totalLines} = parsed ${i.parsed} + malformed ${i.malformed} + oversized ${i.oversized} + foreign ${i.foreign} + otherRuns ${i.otherRuns}${i.outsideTimeRange ? ` + outsideTimeRange ${i.outsideTimeRange}` : ''}`;
}

let dir: string;
let corpus: { path: string; cases: CorpusCase[]; expected: Expected };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logjam-hostile-'));
  corpus = writeCorpus(dir);
});

describe('hostile corpus through the local source', () => {
  it('aggregate(): never throws, every line in its bucket, exact counts', async () => {
    const { expected, cases } = corpus;
    // the corpus covers what the issue lists (a guard against the generator losing a case)
    expect(cases.filter((c) => c.bucket === 'blank').length).toBeGreaterThanOrEqual(4);
    expect(expected).toEqual({
      totalLines: 46,
      parsed: 12,
      malformed: 12,
      oversized: 2,
      foreign: 18,
      otherRuns: 2,
      requests: 6,
      duplicates: 1,
    });

    const agg = await createLocalSource(corpus.path).aggregate(HOSTILE_RUN_ID);
    const i = agg.input;
    expect({
      totalLines: i.totalLines,
      parsed: i.parsed,
      malformed: i.malformed,
      oversized: i.oversized,
      foreign: i.foreign,
      otherRuns: i.otherRuns,
      requests: agg.totals.requests,
      duplicates: i.duplicates,
    }).toEqual(expected);
    expect(bucketSum(i)).toBe(i.totalLines);
    expect(i.warnings).toBeUndefined();
    // the 200 KB line is a real request of the run, under its route
    expect(agg.routes.find((r) => r.route === '/api/v1/search/:q')?.count).toBe(1);
    // invalid UTF-8 inside a string decodes to U+FFFD; the request still counts under its route
    expect(agg.routes.find((r) => r.route === '/api/v1/todos/:id')?.count).toBe(1);
    // the process-wide runtime.stats line is in the run's range
    expect(agg.runtime?.samples).toBe(1);
    figure('hostile corpus (aggregate)', `${accountingLine(i)}; requests ${agg.totals.requests}, duplicates ${i.duplicates}; ${cases.length - i.totalLines} blank lines not counted`);
  });

  it('each case alone lands in its own bucket (beside one valid line of the run)', async () => {
    const anchor: CorpusCase = { name: 'anchor', bucket: 'parsed', bytes: Buffer.from(JSON.stringify(L.finish({ id: 'anchor' }))), eol: '\n' };
    const wrong: string[] = [];
    for (const [n, c] of corpusCases().entries()) {
      // a case without a line ending must stay last; everything else goes first (where a BOM is met)
      const file = join(dir, `case-${n}.ndjson`);
      writeFileSync(file, corpusBytes(c.eol === '' ? [anchor, c] : [c, anchor]));
      const i = (await createLocalSource(file).aggregate(HOSTILE_RUN_ID)).input;
      const want: Record<Exclude<Bucket, 'blank'>, number> = { parsed: 1, malformed: 0, oversized: 0, foreign: 0, otherRuns: 0 };
      if (c.bucket !== 'blank') want[c.bucket]++;
      const got = { parsed: i.parsed, malformed: i.malformed, oversized: i.oversized, foreign: i.foreign, otherRuns: i.otherRuns };
      if (JSON.stringify(got) !== JSON.stringify(want) || i.totalLines !== (c.bucket === 'blank' ? 1 : 2)) {
        wrong.push(`${c.name}: want ${c.bucket}, got ${JSON.stringify(got)} total ${i.totalLines}`);
      }
    }
    expect(wrong).toEqual([]);
    figure('hostile corpus (case by case)', `${corpusCases().length} cases, each alone in its expected bucket`);
  });

  it('listRuns() and trace() read the same corpus without throwing', async () => {
    const source = createLocalSource(corpus.path);
    const runs = await source.listRuns();
    expect(runs.map((r) => r.runId).sort()).toEqual([HOSTILE_RUN_ID, 'other-run']);
    const run = runs.find((r) => r.runId === HOSTILE_RUN_ID)!;
    // the listing counts requests by id, as aggregate() does: the duplicated finish line of h-1 counts once
    expect(run.requests).toBe(corpus.expected.requests);
    expect(run.firstTime).toBe(L.baseTime);
    const trace = await source.trace('h-1');
    expect(trace.map((l) => l.event)).toEqual(['request.finish', 'request.finish']);
    figure('hostile corpus (listRuns/trace)', `runs ${runs.length}, ${HOSTILE_RUN_ID} with ${run.requests} requests (its duplicate finish line counted once); trace h-1: ${trace.length} lines`);
  });

  it('the corpus from stdin in 7-byte chunks counts the same (line boundaries across every read)', async () => {
    const bytes = corpusBytes(corpus.cases);
    // uneven reads: boundaries fall inside lines, inside CRLF pairs, inside the BOM and inside the big lines
    const sizes = [7, 1, 3, 65_537, 2, 300_001];
    const chunks: Buffer[] = [];
    for (let at = 0, n = 0; at < bytes.length; n++) {
      const size = sizes[n % sizes.length]!;
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const agg = await createLocalSource('-', { stdin: Readable.from(chunks) }).aggregate(HOSTILE_RUN_ID);
    expect(agg.input.totalLines).toBe(corpus.expected.totalLines);
    expect(agg.input).toMatchObject({
      parsed: corpus.expected.parsed,
      malformed: corpus.expected.malformed,
      oversized: corpus.expected.oversized,
      foreign: corpus.expected.foreign,
      otherRuns: corpus.expected.otherRuns,
    });
    expect(agg.totals.requests).toBe(corpus.expected.requests);
  });

  it('--since/--until keep the sum: lines outside the range are counted, not dropped', async () => {
    const agg = await createLocalSource(corpus.path, { since: L.baseTime + 1 }).aggregate('other-run').catch((e: unknown) => e);
    // every line of other-run is at baseTime: outside the range, so the run is not found (a clean error) …
    expect((agg as Error).name).toBe('RunNotFoundError');
    const inRange = await createLocalSource(corpus.path, { until: L.baseTime }).aggregate(HOSTILE_RUN_ID);
    expect(bucketSum(inRange.input)).toBe(inRange.input.totalLines);
    expect(inRange.input.totalLines).toBe(corpus.expected.totalLines);
  });
});

describe('fixes found by the corpus (regressions)', () => {
  it('a line whose host is {"toString":1} is foreign, not a TypeError that hangs the pass', async () => {
    const file = join(dir, 'host-object.ndjson');
    writeFileSync(file, `${JSON.stringify({ ...L.finish({ id: 'x' }), host: { toString: 1 } })}\n${JSON.stringify(L.finish({ id: 'y' }))}\n`);
    const agg = await createLocalSource(file).aggregate(HOSTILE_RUN_ID);
    expect(agg.input).toMatchObject({ totalLines: 2, parsed: 1, foreign: 1 });
  });

  it('a time of 1e20 is foreign (it used to send the time-bin loop into an endless loop)', async () => {
    const file = join(dir, 'time-1e20.ndjson');
    writeFileSync(file, `${JSON.stringify({ ...L.finish({ id: 'x' }), time: 1e20 })}\n${JSON.stringify(L.finish({ id: 'y' }))}\n`);
    const agg = await createLocalSource(file).aggregate(HOSTILE_RUN_ID);
    expect(agg.input).toMatchObject({ totalLines: 2, parsed: 1, foreign: 1 });
    expect(agg.bins.length).toBe(1);
  });

  it('an event named "__proto__" or "hasOwnProperty" is an unknown event (parsed), not a TypeError', async () => {
    const file = join(dir, 'proto-events.ndjson');
    const lines = ['__proto__', 'hasOwnProperty', 'valueOf', 'constructor'].map((event) => JSON.stringify({ ...L.app({ id: 'p', msg: 'x' }), event }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const agg = await createLocalSource(file).aggregate(HOSTILE_RUN_ID);
    expect(agg.input).toMatchObject({ totalLines: 4, parsed: 4 });
    expect(agg.totals.requests).toBe(0);
  });

  it('an exception in the line handler fails the pass (a rejection), never an uncaught exception with a pass pending forever', async () => {
    const file = join(dir, 'handler-throws.ndjson');
    writeFileSync(file, `${JSON.stringify(L.finish({ id: 'x' }))}\n${JSON.stringify(L.finish({ id: 'y' }))}\n`);
    const failure = new Error('handler bug');
    let calls = 0;
    const pass = scanInputs([{ name: file, open: async () => createReadStream(file) }], emptyAccounting(), () => {
      calls++;
      throw failure;
    });
    await expect(pass).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  // The timeline walks firstTime..lastTime of ALL the run's lines: a run line far from the requests (an app line a
  // day earlier; a time in seconds instead of ms) used to yield one bin per second — 86,401 bins here.
  it('time bins stay ≤ 200 when a run line is a day away from the requests', async () => {
    const file = join(dir, 'far-app-line.ndjson');
    writeFileSync(file, `${JSON.stringify(L.app({ id: 'x', msg: 'a day early', t: L.at(-86_400_000) }))}\n${JSON.stringify(L.finish({ id: 'y' }))}\n`);
    const agg = await createLocalSource(file).aggregate(HOSTILE_RUN_ID);
    expect(agg.input).toMatchObject({ totalLines: 2, parsed: 2 });
    figure('bins for a far run line', `${agg.bins.length} time bins of ${agg.binMs} ms for a run whose lines are a day apart (documented: ≤ 200)`);
    expect(agg.bins.length).toBeLessThanOrEqual(200);
  });
});
