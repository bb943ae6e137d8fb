/**
 * A guard in front of pino's transport stream (thread-stream) that bounds the memory the app thread spends on
 * lines the transport's worker has not taken yet.
 *
 * thread-stream copies each line into a shared ring (4 MB) that the worker reads; when the ring is full it queues
 * the surplus in the app thread's memory with no bound (until ~512 MB, where it starts blocking the thread). Its
 * write() returns false once that host queue exceeds the room left in the ring, and it emits 'drain' when the queue
 * is empty again. That is all it exposes, so the guard counts the bytes it handed over since thread-stream last said
 * "there is room" (write() returned true, or 'drain'). Beyond `maxPendingBytes` it drops lines — never blocks the
 * app — and counts them; at the next 'drain' (or at close/exit, whichever comes first) it writes ONE notice line
 * (built by the caller: a `log.dropped` line) into the transport and reports it (stderr).
 *
 * Memory held for the transport is then at most: the ring + one ring's worth of host queue (thread-stream's own
 * "room" threshold) + maxPendingBytes + one line.
 */
import type { DestinationStream } from 'pino';

/** The part of thread-stream the guard uses. */
export interface BackpressureTarget {
  write(line: string): boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  /** false once the stream is ending or destroyed (writes then fail inside thread-stream). */
  readonly writable?: boolean;
  flushSync?(): void;
  flush?(cb: (err?: Error | null) => void): void;
}

export interface BoundedStreamOptions {
  /** bytes handed to the target while it reports no room, beyond which lines are dropped */
  maxPendingBytes: number;
  /** the line (ending in '\n') that tells how many lines were dropped */
  dropNotice: (dropped: number) => string;
  /** where the notice is reported besides the target (stderr), so it is seen even if the target never delivers it */
  report: (notice: string) => void;
}

export interface BoundedStreamStats {
  /** lines dropped since the stream was made */
  dropped: number;
  /** lines dropped and not yet reported by a notice */
  unreported: number;
}

export class BoundedStream implements DestinationStream {
  /** bytes written since the target last reported room; meaningful only while `waitingForDrain` */
  private pendingBytes = 0;
  private waitingForDrain = false;
  /** true from the first dropped line until the target drains: a whole overload episode is one notice */
  private dropping = false;
  private unreported = 0;
  private droppedTotal = 0;

  constructor(
    private readonly target: BackpressureTarget,
    private readonly options: BoundedStreamOptions,
  ) {
    target.on('drain', () => this.onDrain());
  }

  write(line: string): void {
    if (this.dropping) {
      this.drop();
      return;
    }
    const bytes = Buffer.byteLength(line);
    if (this.waitingForDrain && this.pendingBytes + bytes > this.options.maxPendingBytes) {
      this.dropping = true;
      this.drop();
      return;
    }
    if (this.target.write(line)) {
      // The whole host queue fits in the ring's free space: nothing is piling up.
      this.waitingForDrain = false;
      this.pendingBytes = 0;
    } else {
      this.waitingForDrain = true;
      this.pendingBytes += bytes;
    }
  }

  /** pino's flushSync (multistream, pino.final): hand everything queued to the worker, blocking. */
  flushSync(): void {
    this.target.flushSync?.();
  }

  /** pino's logger.flush(cb) when this is the logger's only stream. */
  flush(cb: (err?: Error | null) => void): void {
    if (this.target.flush) this.target.flush(cb);
    else cb();
  }

  /**
   * Report drops not yet reported: before the target is ended (closeLogger, process exit), since 'drain' may not come
   * before then. The notice goes into the target while it still accepts lines, and always to `report`.
   */
  reportDrops(): void {
    if (this.unreported === 0) return;
    const notice = this.options.dropNotice(this.unreported);
    this.unreported = 0;
    this.dropping = false;
    this.waitingForDrain = false;
    this.pendingBytes = 0;
    if (this.target.writable !== false && !this.target.write(notice)) {
      this.waitingForDrain = true;
      this.pendingBytes = Buffer.byteLength(notice);
    }
    this.options.report(notice);
  }

  stats(): BoundedStreamStats {
    return { dropped: this.droppedTotal, unreported: this.unreported };
  }

  private drop(): void {
    this.unreported++;
    this.droppedTotal++;
  }

  private onDrain(): void {
    this.waitingForDrain = false;
    this.pendingBytes = 0;
    // The queue is empty again: the episode is over, say how much it cost (one line, whatever its length).
    if (this.dropping) this.reportDrops();
  }
}
