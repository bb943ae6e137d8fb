/**
 * A 50 MB line is skipped as it streams past, never buffered whole: the built source reads the file in a child
 * process that measures its memory two ways.
 * - Live memory (heap used + ArrayBuffers) sampled after a forced GC every 5 ms while it reads. This is the
 *   regression detector: streaming keeps it within a few MB of a 2-line file on every Node version (+1–4 MB on
 *   Node 20, 22 and 24), buffering the 50 MB line raises it by ≥ 50 MB for the whole time the line is read.
 * - Peak RSS (process.resourceUsage().maxRSS): buffering costs the bytes, a concatenated copy and a decoded
 *   string (≥ 100 MB; measured +200 MB with the line cap raised above the line).
 * Why the GC sampling: without it, the peak RSS counts the 256 KB read buffers that are already garbage but not yet
 * collected, and when V8 collects external (ArrayBuffer) memory differs by version. Measured on the 2-core machine,
 * same files: +32 MB on Node 20, +32 MB on Node 22, +51 MB on Node 24 (with 52 MB of dead ArrayBuffers still
 * uncollected at exit), which missed the old 50 MB RSS bound on Node 24 while holding nothing. The sampler makes
 * the figure the memory the source actually holds; it is the same on every version.
 * A 200 MB line costs no more than a 50 MB one (within a margin): memory does not grow with the line.
 * Uses dist/ (build first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_RUN_ID, writeLongLineFile } from '../../fixtures/hostile/generate.js';
import { logLines } from '../../support/log-lines.js';
import { figure } from './figures.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCE = join(ROOT, 'dist/analyzer/sources/ndjson/index.js');
const MB = 1024 * 1024;
/** below the line's own size: buffering the 50 MB line whole would cost ≥ 100 MB */
const MAX_EXTRA_RSS_MB = 50;
/** a line 4× longer may not cost more than this on top (buffering would add ≥ 300 MB) */
const MAX_GROWTH_RSS_MB = 25;
/** the line cap (1 MB) plus a few read chunks, with room; buffering the 50 MB line holds ≥ 50 MB live */
const MAX_EXTRA_LIVE_MB = 16;
/** a line 4× longer holds nothing more (buffering would hold ≥ 150 MB more) */
const MAX_GROWTH_LIVE_MB = 8;

interface ChildReport {
  input: { totalLines: number; parsed: number; oversized: number; malformed: number; foreign: number; otherRuns: number };
  requests: number;
  maxRssKb: number;
  /** the highest heapUsed + arrayBuffers seen right after a forced GC while reading */
  peakLiveBytes: number;
}

/** Aggregates `file` in a fresh node process and returns its accounting, peak RSS and peak live memory. */
function aggregateInChild(file: string): Promise<ChildReport> {
  const script = `
    const { createLocalSource } = await import(${JSON.stringify(pathToFileURL(SOURCE).href)});
    let peakLiveBytes = 0;
    const sample = () => {
      globalThis.gc();
      const m = process.memoryUsage();
      peakLiveBytes = Math.max(peakLiveBytes, m.heapUsed + m.arrayBuffers);
    };
    const sampler = setInterval(sample, 5);
    const agg = await createLocalSource(${JSON.stringify(file)}).aggregate(${JSON.stringify(HOSTILE_RUN_ID)});
    clearInterval(sampler);
    sample();
    process.stdout.write(JSON.stringify({ input: agg.input, requests: agg.totals.requests, maxRssKb: process.resourceUsage().maxRSS, peakLiveBytes }));
  `;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => {
      if (code !== 0) rej(new Error(`child exited ${code}: ${err}`));
      else res(JSON.parse(out) as ChildReport);
    });
  });
}

let dir: string;

beforeAll(() => {
  if (!existsSync(SOURCE)) throw new Error(`build first: ${SOURCE} is missing (npx tsc -p tsconfig.build.json)`);
  dir = mkdtempSync(join(tmpdir(), 'logjam-long-line-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a 50 MB line', () => {
  it('is counted as one oversized line, the lines around it are parsed, and memory stays low', async () => {
    const big = join(dir, 'long-line-50mb.ndjson');
    await writeLongLineFile(big, 50 * MB);
    expect(statSync(big).size).toBeGreaterThan(50 * MB);
    const huge = join(dir, 'long-line-200mb.ndjson');
    await writeLongLineFile(huge, 200 * MB);
    const small = join(dir, 'baseline.ndjson');
    const L = logLines({ runId: HOSTILE_RUN_ID });
    writeFileSync(small, `${JSON.stringify(L.finish({ id: 'a' }))}\n${JSON.stringify(L.finish({ id: 'b' }))}\n`);

    const baseline = await aggregateInChild(small);
    const long = await aggregateInChild(big);
    const longer = await aggregateInChild(huge);

    for (const r of [long, longer]) {
      expect(r.input).toMatchObject({ totalLines: 3, parsed: 2, oversized: 1, malformed: 0, foreign: 0, otherRuns: 0 });
      expect(r.requests).toBe(2);
    }
    const mb = (kb: number) => kb / 1024;
    const extra = mb(long.maxRssKb - baseline.maxRssKb);
    const growth = mb(longer.maxRssKb - long.maxRssKb);
    const liveMb = (bytes: number) => bytes / MB;
    const extraLive = liveMb(long.peakLiveBytes - baseline.peakLiveBytes);
    const growthLive = liveMb(longer.peakLiveBytes - long.peakLiveBytes);
    const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
    figure(
      '50 MB line (memory)',
      `Node ${process.versions.node}: peak RSS ${mb(baseline.maxRssKb).toFixed(1)} MB (2-line file), ${mb(long.maxRssKb).toFixed(1)} MB (50 MB line, ${signed(extra)}), ${mb(longer.maxRssKb).toFixed(1)} MB (200 MB line, ${signed(growth)} over 50 MB); peak live ${liveMb(baseline.peakLiveBytes).toFixed(1)} / ${liveMb(long.peakLiveBytes).toFixed(1)} (${signed(extraLive)}) / ${liveMb(longer.peakLiveBytes).toFixed(1)} MB (${signed(growthLive)}); each long line: 1 oversized, 2 parsed`,
    );
    expect(extraLive).toBeLessThan(MAX_EXTRA_LIVE_MB);
    expect(growthLive).toBeLessThan(MAX_GROWTH_LIVE_MB);
    expect(extra).toBeLessThan(MAX_EXTRA_RSS_MB);
    expect(growth).toBeLessThan(MAX_GROWTH_RSS_MB);
  }, 180_000);
});
