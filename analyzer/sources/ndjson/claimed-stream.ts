/**
 * A file segment read for one piece of the parallel pass (steal-table.ts): before each read the bytes are claimed
 * from the shared table, so the read stops at the piece's end even when a thief lowers it meanwhile.
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import type { InputFile } from './inputs.js';
import { segmentEnd, type Segment } from './input-layout.js';

/** The bytes one read claims and reads (as the one pass's read streams). */
const CHUNK_BYTES = 256 * 1024;

/** Claims [from, returned) for this reader; returned <= from: the piece is over. */
export type Claim = (from: number, want: number) => number;

class ClaimedFileStream extends Readable {
  private fd: number | undefined;
  private pos: number;
  private readonly segEnd: number;

  constructor(
    private readonly seg: Segment,
    from: number,
    private readonly claim: Claim,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
    this.pos = from;
    this.segEnd = segmentEnd(seg);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.seg.path, 'r', (err, fd) => {
      this.fd = fd;
      callback(err);
    });
  }

  override _read(): void {
    const until = this.pos < this.segEnd ? this.claim(this.pos, Math.min(CHUNK_BYTES, this.segEnd - this.pos)) : this.pos;
    if (until <= this.pos) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(until - this.pos);
    read(this.fd!, buf, 0, buf.length, this.seg.fileStart + (this.pos - this.seg.at), (err, bytesRead) => {
      if (err) {
        this.destroy(err);
        return;
      }
      if (bytesRead === 0) {
        // the file shrank since it was measured: what is there was read, as a read stream with an end would
        this.push(null);
        return;
      }
      this.pos += bytesRead;
      this.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.fd === undefined) callback(error);
    else close(this.fd, () => callback(error));
  }
}

/** The scan inputs of the piece that begins at global offset `from`: its segments, read as `claim` allows. */
export function claimedInputs(segments: readonly Segment[], from: number, claim: Claim): InputFile[] {
  return segments.map((seg) => ({
    name: seg.path,
    async open() {
      return new ClaimedFileStream(seg, Math.max(from, seg.at), claim);
    },
  }));
}
