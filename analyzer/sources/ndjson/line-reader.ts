/**
 * Splits a byte stream into lines without holding more than one line (up to `maxLineBytes`) in memory. A line
 * longer than the cap is reported as oversized and skipped as it streams past — never buffered whole.
 * CRLF endings are handled (the CR is dropped); blank lines (spaces, tabs, CRs, a lone BOM) are ignored: they are
 * not log lines (the NDJSON spec lets a parser skip empty lines), so they are in no count, not even totalLines.
 */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface LineHandler {
  line(text: string): void;
  /**
   * Optional: a line's bytes (buf[start, end), CR dropped, not blank) before any decoding. true: handled, done;
   * false: the line is decoded and goes to line() as usual. `buf` is only valid during the call.
   */
  bytes?(buf: Buffer, start: number, end: number): boolean;
  oversized(): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private skipping = false;

  constructor(
    private readonly handler: LineHandler,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      this.endLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.carry(chunk, start);
  }

  /** The input ended: a last line without a newline (often truncated) is still handled. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.handler.oversized();
    } else if (this.partsBytes > 0) {
      this.emit(Buffer.concat(this.parts, this.partsBytes), 0, this.partsBytes);
    }
    this.parts = [];
    this.partsBytes = 0;
  }

  private endLine(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) {
      this.skipping = false;
      this.handler.oversized();
      return;
    }
    const length = this.partsBytes + (end - start);
    if (length > this.maxLineBytes + 1) {
      // +1: allow for a CR before the LF
      this.parts = [];
      this.partsBytes = 0;
      this.handler.oversized();
      return;
    }
    if (this.partsBytes === 0) {
      this.emit(chunk, start, end);
      return;
    }
    this.parts.push(chunk.subarray(start, end));
    const whole = Buffer.concat(this.parts, length);
    this.parts = [];
    this.partsBytes = 0;
    this.emit(whole, 0, length);
  }

  private carry(chunk: Buffer, start: number): void {
    if (this.skipping) return;
    const rest = chunk.length - start;
    if (this.partsBytes + rest > this.maxLineBytes + 1) {
      this.parts = [];
      this.partsBytes = 0;
      this.skipping = true;
      return;
    }
    // copy: the stream may reuse or keep alive the whole chunk
    this.parts.push(Buffer.from(chunk.subarray(start)));
    this.partsBytes += rest;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 13) end--;
    if (end - start > this.maxLineBytes) {
      this.handler.oversized();
      return;
    }
    // fast path for blank lines without decoding; a line holding only a UTF-8 BOM (an editor's empty file) is blank
    let i = start;
    if (end - start >= 3 && buf[i] === 0xef && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) i += 3;
    while (i < end && (buf[i] === 32 || buf[i] === 9 || buf[i] === 13)) i++;
    if (i === end) return;
    if (this.handler.bytes !== undefined && this.handler.bytes(buf, start, end)) return;
    this.handler.line(buf.toString('utf8', start, end));
  }
}
