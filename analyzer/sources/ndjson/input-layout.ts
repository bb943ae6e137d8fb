/**
 * The input of the parallel pass as one run of bytes: the files' pieces (ranges.ts) one after the other, each at
 * its global offset, so a piece of work is just [start, end) (steal-table.ts) whatever files it spans. A file
 * boundary is always a line start (each file ends its last line), so cuts may fall there too.
 */
import type { ByteRun } from './steal-table.js';
import { nextLineStart, type FileRange } from './ranges.js';

/** Bytes [fileStart, fileEnd) of `path`, at global offset `at`. */
export interface Segment {
  path: string;
  fileStart: number;
  fileEnd: number;
  at: number;
}

/** The global offset just past `seg`. */
export function segmentEnd(seg: Segment): number {
  return seg.at + (seg.fileEnd - seg.fileStart);
}

export interface InputLayout {
  segments: Segment[];
  total: number;
}

/** The layout of `ranges` (in read order) and each range's global extent. */
export function layoutOf(ranges: readonly FileRange[][]): { layout: InputLayout; runs: ByteRun[] } {
  const segments: Segment[] = [];
  const runs: ByteRun[] = [];
  let at = 0;
  for (const range of ranges) {
    const start = at;
    for (const r of range) {
      const last = segments[segments.length - 1];
      // a file cut between two ranges is one segment again
      if (last !== undefined && last.path === r.path && last.fileEnd === r.start) last.fileEnd = r.end;
      else segments.push({ path: r.path, fileStart: r.start, fileEnd: r.end, at });
      at += r.end - r.start;
    }
    runs.push({ start, end: at });
  }
  return { layout: { segments, total: at }, runs };
}

/** The segments that hold bytes of [start, end). */
export function segmentsOf(layout: InputLayout, start: number, end: number): Segment[] {
  return layout.segments.filter((s) => s.at < end && segmentEnd(s) > start);
}

/** The global offset of the first line that starts at or after global offset `offset`. */
export async function lineStartAt(layout: InputLayout, offset: number): Promise<number> {
  const seg = layout.segments.find((s) => offset >= s.at && offset < segmentEnd(s));
  if (seg === undefined) return layout.total;
  if (offset === seg.at) return offset;
  const found = await nextLineStart(seg.path, seg.fileStart + (offset - seg.at), seg.fileEnd);
  return seg.at + (Math.min(found, seg.fileEnd) - seg.fileStart);
}
