/**
 * The file sink: lines wait in the buffer until bufferBytes have gathered or the flush interval passes, then reach
 * the file in order; flush/end write out the rest; a write that fails, or a line after end, is counted and reported,
 * never thrown into the request that logged it.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferedFileSink } from '../../../middleware/buffered-file-sink.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-file-sink-'));
  file = join(dir, 'app.ndjson');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = () => readFileSync(file, 'utf8');
const line = (i: number) => `{"seq":${i},"path":"/ünïcode/✓"}\n`;

describe('BufferedFileSink', () => {
  it('holds lines until bufferBytes have gathered, then writes them all, in order', () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 200, flushIntervalMs: 60_000 });
    const bytes = Buffer.byteLength(line(0));
    const fit = Math.floor(199 / bytes);
    for (let i = 0; i < fit; i++) sink.write(line(i));
    expect(read()).toBe('');
    sink.write(line(fit));
    expect(read()).toBe(Array.from({ length: fit + 1 }, (_, i) => line(i)).join(''));
    sink.end();
  });

  it('writes what light traffic gathered within the flush interval', async () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 8192, flushIntervalMs: 20 });
    sink.write(line(1));
    expect(read()).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(read()).toBe(line(1));
    sink.end();
  });

  it('a batch written because the buffer filled leaves no later line waiting past the flush interval', async () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 100, flushIntervalMs: 20, writesWithinBuffer: true });
    const fit = Math.floor(100 / Buffer.byteLength(line(0)));
    for (let i = 0; i <= fit; i++) sink.write(line(i));
    expect(read()).toBe(Array.from({ length: fit }, (_, i) => line(i)).join(''));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(read()).toBe(Array.from({ length: fit + 1 }, (_, i) => line(i)).join(''));
    sink.end();
  });

  it('bufferBytes 0 writes each line at once; a line larger than the buffer is written whole', () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 0, flushIntervalMs: 60_000 });
    sink.write(line(1));
    expect(read()).toBe(line(1));
    const big = `{"big":"${'x'.repeat(40_000)}"}\n`;
    sink.write(big);
    expect(read()).toBe(line(1) + big);
    sink.end();
  });

  it('flush and end write out what is gathered; end closes the file', async () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 8192, flushIntervalMs: 60_000 });
    sink.write(line(1));
    await new Promise<void>((resolve) => sink.flush(() => resolve()));
    expect(read()).toBe(line(1));
    sink.write(line(2));
    const closed = once(sink, 'close');
    sink.end();
    await closed;
    expect(read()).toBe(line(1) + line(2));
  });

  it('counts and reports the lines of a write that failed, and lines written after end', () => {
    const reports: string[] = [];
    writeFileSync(file, '');
    const sink = new BufferedFileSink(openSync(file, 'r'), { bufferBytes: 8192, flushIntervalMs: 60_000, report: (m) => reports.push(m) });
    sink.write(line(1));
    sink.write(line(2));
    expect(() => sink.flushSync()).not.toThrow();
    expect(sink.lostLines()).toBe(2);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/lost 2 line\(s\) \(EBADF\)/);
    sink.write(line(3));
    sink.flushSync();
    expect(sink.lostLines()).toBe(3);
    expect(reports).toHaveLength(1);
    sink.end();
    expect(reports[1]).toMatch(/lost 3 line\(s\) in all/);
    expect(sink.write(line(4))).toBe(false);
    expect(sink.lostLines()).toBe(4);
    expect(reports[2]).toMatch(/lost 1 line\(s\) \(the sink was closed\); 4 lost so far/);
  });

  it('writesWithinBuffer: no write is larger than bufferBytes (a pipe writes up to PIPE_BUF whole), the order kept', () => {
    const sink = new BufferedFileSink(openSync(file, 'a'), { bufferBytes: 200, flushIntervalMs: 60_000, writesWithinBuffer: true });
    const bytes = Buffer.byteLength(line(0));
    const fit = Math.floor(200 / bytes);
    for (let i = 0; i < fit; i++) sink.write(line(i));
    expect(read()).toBe('');
    // the line that would overflow the batch waits for the next one: what was written stays within 200 bytes
    sink.write(line(fit));
    const written = read();
    expect(written).toBe(Array.from({ length: fit }, (_, i) => line(i)).join(''));
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(200);
    sink.flushSync();
    expect(read()).toBe(Array.from({ length: fit + 1 }, (_, i) => line(i)).join(''));
    sink.end();
  });

  it('closeFd false (stdout): end flushes and leaves the fd open; losses are reported under the label', async () => {
    const fd = openSync(file, 'a');
    const sink = new BufferedFileSink(fd, { bufferBytes: 8192, flushIntervalMs: 60_000, closeFd: false, label: 'the stdout sink', report: () => undefined });
    sink.write(line(1));
    const closed = once(sink, 'close');
    sink.end();
    await closed;
    expect(read()).toBe(line(1));
    // still open: a write on the fd works
    writeSync(fd, line(2));
    expect(read()).toBe(line(1) + line(2));
    closeSync(fd);
    const reports: string[] = [];
    const broken = new BufferedFileSink(openSync(file, 'r'), { bufferBytes: 8192, flushIntervalMs: 60_000, label: 'the stdout sink', report: (m) => reports.push(m) });
    broken.write(line(3));
    broken.flushSync();
    expect(reports[0]).toMatch(/^logjam: the stdout sink lost 1 line\(s\) \(EBADF\)/);
    broken.end();
  });
});
