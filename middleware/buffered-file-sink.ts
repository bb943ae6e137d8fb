/**
 * The file and stdout sinks: lines gathered in one Buffer and handed to the OS in ONE synchronous write once `bufferBytes` have
 * gathered (and at least every `flushIntervalMs`), instead of one write per line.
 *
 * Why not pino.destination (sonic-boom) with minLength: under load it cost ~4 µs of CPU per line (each line
 * re-measures the whole gathered string, and every batch goes through an asynchronous fs.write: a thread-pool hop
 * and a callback), about as much as the rest of the middleware. Here a line is encoded once into a preallocated
 * Buffer, and a batch is one write(2) into the page cache (microseconds, no thread-pool hop). Being synchronous,
 * there is never a write in flight: what a flush leaves is on its way to disk, which makes process end simple and
 * exact — the 'exit' hook (a normal exit, process.exit(), an uncaught exception) and the signal flush
 * (flush-on-signal.ts) write out all that is gathered, in order.
 *
 * A write that fails (disk full, I/O error) does not throw into the request that logged: the lines of that batch
 * are counted as lost and reported on stderr: the first loss of each kind at once, and the total at close or exit
 * when more were lost since. A full non-blocking pipe (EAGAIN: the reader is behind) is not a failure: the write
 * waits and retries, as pino's synchronous destination does, so a slow reader slows the writer and loses nothing.
 */
import { closeSync, writeSync } from 'node:fs';
import { EventEmitter } from 'node:events';

/** Room kept beyond `bufferBytes`, so the line that crosses the threshold is still copied in before the write. */
const HEADROOM_BYTES = 16 * 1024;

export interface BufferedFileSinkOptions {
  /** Gathered bytes that trigger a write; 0 writes each line at once. */
  bufferBytes: number;
  /** Longest a gathered line waits for its write when traffic is light. */
  flushIntervalMs: number;
  /** Where a failed write is reported (default: stderr). */
  report?: (message: string) => void;
  /** Names the sink in loss reports (default "the log file sink"). */
  label?: string;
  /** end() closes the fd (default true; false for stdout, which the process still owns). */
  closeFd?: boolean;
  /**
   * No write larger than bufferBytes (but a single longer line): the batch is written BEFORE a line that would
   * overflow it. For a pipe shared by several processes (cluster workers on one stdout): the kernel writes at most
   * PIPE_BUF (4096) bytes whole, so batches within it never interleave mid-line with another writer's.
   */
  writesWithinBuffer?: boolean;
}

/** Between retries of a write to a full non-blocking pipe (the reader is behind): short, it blocks the thread. */
const EAGAIN_WAIT_MS = 1;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

export class BufferedFileSink extends EventEmitter {
  private readonly buffer: Buffer;
  private length = 0;
  /** Lines in `buffer`: what a failed write loses, counted. */
  private lines = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lost = 0;
  /** `lost` when it was last reported: the total is reported again at close/exit when it grew since. */
  private lostReported = 0;
  private readonly reported = new Set<string>();
  private readonly exitRef: WeakRef<BufferedFileSink>;
  private readonly label: string;
  private readonly flushOnTimer = (): void => {
    this.timer = undefined;
    this.flushSync();
  };

  constructor(
    private readonly fd: number,
    private readonly options: BufferedFileSinkOptions,
  ) {
    super();
    this.label = options.label ?? 'the log file sink';
    // writesWithinBuffer: the line that crosses bufferBytes is copied in too, then moved to start the next batch
    this.buffer = Buffer.allocUnsafe(options.bufferBytes + HEADROOM_BYTES);
    this.exitRef = new WeakRef(this);
    sinksToFlushAtExit.add(this.exitRef);
    installExitHook();
  }

  write(line: string): boolean {
    if (this.closed) {
      this.countLost(1, 'the sink was closed');
      return false;
    }
    const room = this.buffer.length - this.length;
    // length * 3 bounds the UTF-8 size of a JS string: the exact count only for a line that might not fit the
    // headroom (a long one: request lines fit, so the common path never measures a line)
    if (line.length * 3 > room && Buffer.byteLength(line) > room) {
      this.flushSync();
      if (Buffer.byteLength(line) > this.buffer.length) {
        this.writeOut(Buffer.from(line), 1);
        return true;
      }
    }
    const start = this.length;
    const end = start + this.buffer.write(line, start);
    if (this.options.writesWithinBuffer === true && end > this.options.bufferBytes && start > 0) {
      // the line crossed bufferBytes: the batch before it goes alone (no write beyond bufferBytes), the line
      // starts the next one
      this.writeOut(this.buffer.subarray(0, start), this.lines);
      this.buffer.copyWithin(0, start, end);
      this.length = end - start;
      this.lines = 1;
    } else {
      this.length = end;
      this.lines++;
    }
    if (this.length >= this.options.bufferBytes) this.flushSync();
    else if (this.timer === undefined) {
      // unref: a pending flush never keeps the process alive (the exit hook writes what is left). Not cleared by
      // a flush: under load one timer per interval, not one per batch; it then writes what gathered since.
      this.timer = setTimeout(this.flushOnTimer, this.options.flushIntervalMs);
      this.timer.unref();
    }
    return true;
  }

  /** Write out everything gathered, now (pino's flushSync: multistream, pino.final). */
  flushSync(): void {
    if (this.length === 0) return;
    const length = this.length;
    const lines = this.lines;
    this.length = 0;
    this.lines = 0;
    this.writeOut(this.buffer.subarray(0, length), lines);
  }

  /** logger.flush(cb), flush-on-signal.ts: everything gathered is written before cb runs. */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  /** Flush, close the file, then 'close' (on the next tick, like a stream's). */
  end(): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushSync();
    this.reportLostTotal();
    this.closed = true;
    sinksToFlushAtExit.delete(this.exitRef);
    let failure: Error | undefined;
    try {
      if (this.options.closeFd ?? true) closeSync(this.fd);
    } catch (err) {
      failure = err as Error;
    }
    process.nextTick(() => (failure === undefined ? this.emit('close') : this.emit('error', failure)));
  }

  /** Lines lost to failed writes (or written after close) since the sink was made. */
  lostLines(): number {
    return this.lost;
  }

  /** At close and exit: the lines lost since the last report, so no loss goes untold. */
  reportLostTotal(): void {
    if (this.lost === this.lostReported) return;
    this.lostReported = this.lost;
    this.report(`logjam: ${this.label} lost ${this.lost} line(s) in all\n`);
  }

  private writeOut(bytes: Buffer, lines: number): void {
    let offset = 0;
    try {
      // a regular file takes the whole write at once; the loop covers a short write (a pipe, a signal)
      while (offset < bytes.length) {
        try {
          offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          Atomics.wait(sleepCell, 0, 0, EAGAIN_WAIT_MS);
        }
      }
    } catch (err) {
      this.countLost(lines, (err as NodeJS.ErrnoException).code ?? String(err));
    }
  }

  private countLost(lines: number, reason: string): void {
    this.lost += lines;
    if (this.reported.has(reason)) return;
    this.reported.add(reason);
    this.lostReported = this.lost;
    this.report(`logjam: ${this.label} lost ${lines} line(s) (${reason}); ${this.lost} lost so far\n`);
  }

  private report(message: string): void {
    if (this.options.report) this.options.report(message);
    else process.stderr.write(message);
  }
}

/**
 * Sinks to write out when the process exits without closeLogger. ONE 'exit' listener for all of them. WeakRefs: an
 * abandoned logger's sink stays collectable, and one that holds lines cannot be collected (its flush timer holds it).
 */
const sinksToFlushAtExit = new Set<WeakRef<BufferedFileSink>>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const ref of sinksToFlushAtExit) {
      const sink = ref.deref();
      sink?.flushSync();
      sink?.reportLostTotal();
    }
  });
}
