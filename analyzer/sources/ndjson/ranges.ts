/**
 * Byte ranges of plain log files for a parallel pass (parallel.ts): the files' bytes cut into `parts` runs of
 * about equal size, each cut moved forward to the next line start, so every range holds whole lines and reading
 * the ranges one after the other yields exactly the lines, in the order, one pass over the files reads.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { InputFile } from './inputs.js';

/** Bytes [start, end) of one file. */
export interface FileRange {
  path: string;
  start: number;
  end: number;
}

export interface SizedFile {
  path: string;
  size: number;
}

const PROBE_BYTES = 64 * 1024;

/** The offset of the first line that starts at or after `offset` (the file's size when none does). */
export async function nextLineStart(path: string, offset: number, size: number): Promise<number> {
  if (offset <= 0) return 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(PROBE_BYTES);
    // the byte before `offset` may be the newline that ends the previous line
    for (let at = offset - 1; at < size; at += PROBE_BYTES) {
      const { bytesRead } = await fh.read(buf, 0, PROBE_BYTES, at);
      if (bytesRead === 0) break;
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl !== -1) return at + nl + 1;
    }
    return size;
  } finally {
    await fh.close();
  }
}

/** The files cut into at most `parts` ranges of whole lines, in read order (a range may span several files). */
export async function splitIntoRanges(files: readonly SizedFile[], parts: number): Promise<FileRange[][]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  // cut k at global byte k * total / parts, as (file, offset), aligned and never before the previous cut
  const cuts: { file: number; offset: number }[] = [{ file: 0, offset: 0 }];
  let file = 0;
  let before = 0; // bytes of the files before `file`
  for (let k = 1; k < parts; k++) {
    const at = Math.floor((k * total) / parts);
    while (file < files.length - 1 && at >= before + files[file]!.size) before += files[file++]!.size;
    const f = files[file]!;
    let offset = await nextLineStart(f.path, at - before, f.size);
    const prev = cuts[cuts.length - 1]!;
    if (prev.file === file && offset < prev.offset) offset = prev.offset;
    cuts.push({ file, offset });
  }
  cuts.push({ file: files.length - 1, offset: files[files.length - 1]!.size });
  const ranges: FileRange[][] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k]!;
    const to = cuts[k + 1]!;
    const part: FileRange[] = [];
    for (let i = from.file; i <= to.file; i++) {
      const start = i === from.file ? from.offset : 0;
      const end = i === to.file ? to.offset : files[i]!.size;
      if (end > start) part.push({ path: files[i]!.path, start, end });
    }
    if (part.length > 0) ranges.push(part);
  }
  return ranges;
}

/** A range as scan inputs: each piece of a file is read on its own and ends its last line (always a whole line). */
export function rangeInputs(ranges: readonly FileRange[]): InputFile[] {
  return ranges.map((r) => ({
    name: r.path,
    async open() {
      return createReadStream(r.path, { start: r.start, end: r.end - 1, highWaterMark: 256 * 1024 });
    },
  }));
}
