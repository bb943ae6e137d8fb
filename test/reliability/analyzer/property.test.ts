/**
 * Property tests of the local source on random input (fast-check, bounded runs, fixed seeds so a failure
 * reproduces): random bytes, random mixes of valid lines and garbage, and valid lines with random values in their
 * fields, fed through the real source in random read sizes (stdin replacement). The source never throws on
 * content, the buckets always sum to totalLines, and what is countable is counted exactly.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputAccounting } from '../../../analyzer/model.js';
import { emptyAccounting } from '../../../analyzer/aggregate/aggregator.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import type { InputFile } from '../../../analyzer/sources/ndjson/inputs.js';
import { scanInputs } from '../../../analyzer/sources/ndjson/scan.js';
import { FIELDS as F } from '../../../middleware/schema.js';
import { HOSTILE_RUN_ID } from '../../fixtures/hostile/generate.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { figure } from './figures.js';

const RUNS = 200;
const L = logLines({ runId: HOSTILE_RUN_ID });
const O = logLines({ runId: 'other-run' });

const sum = (i: InputAccounting) => i.parsed + i.malformed + i.oversized + i.foreign + i.otherRuns + (i.outsideTimeRange ?? 0);

/** Bytes biased toward what breaks line and JSON handling: LF, CR, braces, quotes, NUL, BOM bytes, digits. */
const hostileByte = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x3a, 0x2c, 0x20, 0x09, 0x00, 0xef, 0xbb, 0xbf, 0x31) },
);
const hostileBytes = (maxLength: number) => fc.array(hostileByte, { maxLength, size: 'max' }).map((a) => Buffer.from(a));

/** Cut a buffer into reads of the given sizes (cycled), as a stream would deliver it. */
function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, n = 0; at < bytes.length; n++) {
    const size = Math.max(1, sizes[n % sizes.length] ?? 1);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}
const readSizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 });

function stdinOf(chunks: Buffer[]): InputFile {
  return { name: '(random)', open: async () => Readable.from(chunks) };
}

/**
 * What the splitter must report, computed independently: segments between LFs (the last one only when non-empty),
 * one trailing CR dropped; longer than the cap -> oversized; spaces/tabs/CRs (after an optional BOM) -> blank.
 */
function reference(bytes: Buffer, maxLineBytes: number): { lines: number; oversized: number } {
  let lines = 0;
  let oversized = 0;
  let start = 0;
  while (start <= bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    const last = nl === -1;
    if (last) nl = bytes.length;
    let seg = bytes.subarray(start, nl);
    start = nl + 1;
    if (last && seg.length === 0) break;
    if (seg.length > 0 && seg[seg.length - 1] === 0x0d) seg = seg.subarray(0, seg.length - 1);
    if (seg.length > maxLineBytes) {
      oversized++;
      continue;
    }
    let i = seg.length >= 3 && seg[0] === 0xef && seg[1] === 0xbb && seg[2] === 0xbf ? 3 : 0;
    while (i < seg.length && (seg[i] === 0x20 || seg[i] === 0x09 || seg[i] === 0x0d)) i++;
    if (i < seg.length) lines++;
    if (last) break;
  }
  return { lines, oversized };
}

describe('random input through the local source (property tests)', () => {
  it('random bytes: never throws, every line counted once, splitter matches an independent reference', async () => {
    let lines = 0;
    let oversized = 0;
    await fc.assert(
      fc.asyncProperty(hostileBytes(3000), readSizes, fc.constantFrom(8, 64, 1024, 1024 * 1024), async (bytes, sizes, cap) => {
        const input = emptyAccounting();
        let parsed = 0;
        await scanInputs([stdinOf(chunked(bytes, sizes))], input, () => void parsed++, cap);
        const ref = reference(bytes, cap);
        expect(parsed + input.malformed + input.foreign + input.oversized).toBe(input.totalLines);
        expect(input.totalLines).toBe(ref.lines + ref.oversized);
        expect(input.oversized).toBe(ref.oversized);
        lines += input.totalLines;
        oversized += input.oversized;
      }),
      { numRuns: RUNS, seed: 9_4_1 },
    );
    figure('property: random bytes', `${RUNS} buffers (≤ 3000 biased bytes, caps 8 B–1 MiB, random read sizes): ${lines} lines (${oversized} oversized), all counted; never threw`);
  });

  it('random bytes around one valid line of the run: aggregate() never throws, the valid request is counted', async () => {
    let total = 0;
    await fc.assert(
      fc.asyncProperty(hostileBytes(2000), hostileBytes(2000), readSizes, async (before, after, sizes) => {
        const anchor = Buffer.from(JSON.stringify(L.finish({ id: 'anchor' })));
        const bytes = Buffer.concat([before, Buffer.from('\n'), anchor, Buffer.from('\n'), after]);
        const agg = await createLocalSource('-', { stdin: Readable.from(chunked(bytes, sizes)) }).aggregate(HOSTILE_RUN_ID);
        expect(sum(agg.input)).toBe(agg.input.totalLines);
        expect(agg.input.totalLines).toBe(reference(bytes, 1024 * 1024).lines);
        expect(agg.input.parsed).toBe(1);
        expect(agg.totals.requests).toBe(1);
        total += agg.input.totalLines;
      }),
      { numRuns: RUNS, seed: 9_4_2 },
    );
    figure('property: bytes around a valid line', `${RUNS} files, ${total} lines: sum = total every time, the 1 valid request always counted`);
  });

  it('valid lines mixed with garbage: parsed = valid lines of the run, requests = valid finish lines', async () => {
    type Piece = { kind: 'finish' | 'start' | 'other' | 'garbage' | 'blank'; bytes: Buffer };
    const garbage = hostileBytes(400).map((b) => Buffer.concat([Buffer.from('#'), Buffer.from(b.filter((x) => x !== 0x0a))]));
    const piece: fc.Arbitrary<Piece> = fc.oneof(
      fc.constant<Piece>({ kind: 'finish', bytes: Buffer.alloc(0) }),
      fc.constant<Piece>({ kind: 'start', bytes: Buffer.alloc(0) }),
      fc.constant<Piece>({ kind: 'other', bytes: Buffer.alloc(0) }),
      garbage.map((bytes): Piece => ({ kind: 'garbage', bytes })),
      fc.constantFrom(' ', '\t', '', '\r').map((s): Piece => ({ kind: 'blank', bytes: Buffer.from(s) })),
    );
    let finishes = 0;
    let garbageLines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 60, size: 'max' }), fc.array(fc.boolean(), { minLength: 1 }), readSizes, async (pieces, crlf, sizes) => {
        let seq = 0;
        const parts: Buffer[] = [];
        // one finish first, so the run always exists
        const all: Piece[] = [{ kind: 'finish', bytes: Buffer.alloc(0) }, ...pieces];
        for (const [n, p] of all.entries()) {
          const id = `r-${seq++}`;
          const bytes =
            p.kind === 'finish'
              ? JSON.stringify(L.finish({ id, t: L.at(n) }))
              : p.kind === 'start'
                ? JSON.stringify(L.start({ id, t: L.at(n) }))
                : p.kind === 'other'
                  ? JSON.stringify(O.finish({ id, t: L.at(n) }))
                  : p.bytes;
          parts.push(Buffer.from(bytes), Buffer.from(crlf[n % crlf.length] ? '\r\n' : '\n'));
        }
        const count = (k: Piece['kind']) => all.filter((p) => p.kind === k).length;
        const agg = await createLocalSource('-', { stdin: Readable.from(chunked(Buffer.concat(parts), sizes)) }).aggregate(HOSTILE_RUN_ID);
        const i = agg.input;
        expect(i).toMatchObject({
          parsed: count('finish') + count('start'),
          otherRuns: count('other'),
          malformed: count('garbage'),
          foreign: 0,
          oversized: 0,
          totalLines: all.length - count('blank'),
        });
        expect(sum(i)).toBe(i.totalLines);
        expect(agg.totals.requests).toBe(count('finish'));
        expect(agg.totals.unfinished).toBe(count('start'));
        finishes += count('finish');
        garbageLines += count('garbage');
      }),
      { numRuns: RUNS, seed: 9_4_3 },
    );
    figure('property: valid lines + garbage', `${RUNS} mixes: ${finishes} valid request.finish lines all counted as requests, ${garbageLines} garbage lines all malformed`);
  });

  it('valid lines with random JSON values in their fields: never throws, each line parsed, foreign or another run', async () => {
    // not `time`: a run line whose time is far from the run's requests (say in seconds, not ms) makes the aggregator
    // build one bin per second between them and run out of memory — a known bug outside this suite's files,
    // pinned by hostile-corpus.test.ts ("KNOWN BUG … time bins"); the classifier's own time rules are tested there
    const fieldNames = Object.values(F).filter((f) => f !== F.time);
    const oddValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom<unknown>({ toString: 1 }, { toString: 1, valueOf: 1 }, '__proto__', 'constructor', 1e20, -1, 1e308, -0, ''),
    );
    const mutated = fc.tuple(fc.constantFrom('finish', 'start', 'abort', 'error', 'runtime', 'dropped', 'app'), fc.dictionary(fc.constantFrom(...fieldNames), oddValue, { maxKeys: 4 }));
    let lines = 0;
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { maxLength: 30, size: 'max' }), async (specs) => {
        const base = (kind: string, id: string): Line =>
          kind === 'finish'
            ? L.finish({ id })
            : kind === 'start'
              ? L.start({ id })
              : kind === 'abort'
                ? L.abort({ id })
                : kind === 'error'
                  ? L.error({ id, message: 'boom 42' })
                  : kind === 'runtime'
                    ? L.runtime()
                    : kind === 'dropped'
                      ? L.dropped({ dropped: 3 })
                      : L.app({ id, msg: 'hello' });
        const text =
          [JSON.stringify(L.finish({ id: 'anchor' })), ...specs.map(([kind, over], n) => JSON.stringify({ ...base(kind, `m-${n}`), ...over }))].join('\n') + '\n';
        const agg = await createLocalSource('-', { stdin: Readable.from([Buffer.from(text)]) }).aggregate(HOSTILE_RUN_ID);
        const i = agg.input;
        expect(i.totalLines).toBe(specs.length + 1);
        expect(i.malformed + i.oversized).toBe(0);
        expect(sum(i)).toBe(i.totalLines);
        expect(agg.totals.requests).toBeGreaterThanOrEqual(1);
        // the report object is plain data: it serialises (no cycles, no throwing getters)
        expect(() => JSON.stringify(agg)).not.toThrow();
        lines += i.totalLines;
        parsed += i.parsed;
      }),
      { numRuns: RUNS, seed: 9_4_4 },
    );
    figure('property: mistyped fields', `${RUNS} files, ${lines} logjam lines with random field values: ${parsed} parsed, the rest foreign/otherRuns; never threw`);
  });
});
