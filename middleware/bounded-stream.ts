/**
 * A guard in front of pino's transport stream (thread-stream) that bounds the memory the app thread spends on
 * lines the transport's worker has not taken yet.
 *
 * thread-stream copies each line into a shared ring (4 MB) that the worker reads; when the ring is full it queues
 * the surplus in the app thread's memory with no bound (until ~512 MB, where it starts blocking the thread). Its
 * write() returns false once that host queue exceeds the room left in the ring, and it emits 'drain' when the queue
 * is empty again. That is all it exposes, so the guard counts the bytes it handed over since thread-stream last said
 * "there is room" (write() returned true, or 'drain'). Beyond `maxPendingBytes` it drops lines — never blocks the
 * app — until the next 'drain', and counts them; then it writes ONE notice line (built by the caller: a
 * `log.dropped` line) into the transport and reports it (stderr). Under sustained overload the notices are spaced
 * at least `minReportIntervalMs` apart (drops in between are added up), and drops not yet reported are reported at
 * close/exit (reportDrops) or when the transport dies.
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
  /** Default 1000: at most one notice per interval, however often the target drains. */
  minReportIntervalMs?: number;
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
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: BackpressureTarget,
    private readonly options: BoundedStreamOptions,
  ) {
    target.on('drain', () => this.onDrain());
    // The worker died: nothing will drain any more; what was dropped still has to be told (stderr only then).
    target.on('close', () => this.reportDrops());
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
    if (this.reportTimer !== undefined) clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    if (this.unreported === 0) return;
    const notice = this.options.dropNotice(this.unreported);
    this.unreported = 0;
    this.lastReportAt = Date.now();
    // The notice itself is never dropped: it is one small line, and it is what makes the drops visible.
    if (this.target.writable !== false) {
      const bytes = Buffer.byteLength(notice);
      if (this.target.write(notice)) {
        // Room again (and thread-stream will not emit 'drain' after a write that found room): the episode is over.
        this.dropping = false;
        this.waitingForDrain = false;
        this.pendingBytes = 0;
      } else {
        this.waitingForDrain = true;
        this.pendingBytes += bytes;
      }
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
    // The host queue is empty again: the episode is over, lines are taken again.
    this.waitingForDrain = false;
    this.pendingBytes = 0;
    this.dropping = false;
    if (this.unreported > 0) this.scheduleReport();
  }

  private scheduleReport(): void {
    const wait = this.lastReportAt + (this.options.minReportIntervalMs ?? 1000) - Date.now();
    if (wait <= 0) {
      this.reportDrops();
    } else if (this.reportTimer === undefined) {
      // unref: never keeps the process alive; the exit hook / closeLogger report what is left.
      this.reportTimer = setTimeout(() => this.reportDrops(), wait);
      this.reportTimer.unref();
    }
  }
}
