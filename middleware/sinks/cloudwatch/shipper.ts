/**
 * The CloudWatch shipper: a bounded buffer of events and one pump that drains it with PutLogEvents calls (up to
 * MAX_PUTS_IN_FLIGHT at once while the endpoint is healthy, one while a batch is being retried).
 *
 * Guarantees (the ones in-process shippers usually break):
 * - memory is bounded: events beyond maxBufferedEvents / maxBufferedBytes (batches in flight included) are dropped
 *   NEWEST first and counted, never queued without bound and never blocking the writer;
 * - retries are spaced (exponential backoff, full jitter, capped) and only for failures that can succeed later; they
 *   go on as long as the buffer's bounds allow (no retry count gives a batch up unless the host asks for one): an
 *   outage costs only what overflows the buffer (buffer_full) or ages past CloudWatch's 14-day window (too_old);
 * - every lost event is counted once, by reason, and reported as a `log.dropped` line on stderr and, once shipping
 *   works again, in CloudWatch itself;
 * - close() flushes within a time bound and counts whatever it could not send;
 * - nothing here throws into the host: push() never throws, and sender failures end as counts.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  type CloudWatchLogsClient,
  type PutLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { backoffDelay } from '../../../common/aws-retry.js';
import { nextBatchLength, toChronological, truncateMessage, type LogEvent, type SizedEvent } from './batcher.js';
import { dropLine, type DropReason } from './drop-report.js';
import { classifyFailure, failureName } from './errors.js';
import { PUT_LOG_EVENTS_LIMITS } from './limits.js';
import type { ResolvedOptions } from './options.js';
import { BodyPool, prebuiltPutLogEvents, putLogEventsBody } from './put-request.js';
import { takeSpool, writeSpool } from './spool.js';

/** The one client method the shipper uses; the real CloudWatchLogsClient satisfies it. */
export type LogsClient = Pick<CloudWatchLogsClient, 'send'>;

export interface ShipperDeps {
  client: LogsClient;
  /** [0, 1) source for backoff jitter. */
  random?: () => number;
  /** Where `log.dropped` lines go at once (default process.stderr). */
  writeStderr?: (line: string) => void;
  /** Epoch ms clock for CloudWatch's age window (tests simulate a days-long outage with it). */
  now?: () => number;
}

/**
 * CloudWatch refuses events older than 14 days (tooOldLogEventEndIndex): an event that ages past it while its batch
 * is being retried can never be delivered, so the retry loop drops it itself. The margin keeps a call in flight
 * from crossing the line on its way.
 */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
const AGE_MARGIN_MS = 60 * 1000;
const SPOOL_REPORT_RESERVE_BYTES = 4096;

export interface ShipperStats {
  received: number;
  shipped: number;
  truncated: number;
  truncatedBytes: number;
  dropped: Partial<Record<DropReason, number>>;
  droppedTotal: number;
  putCalls: number;
  batches: number;
  shippedBytes: number;
  retries: number;
  bufferedEvents: number;
  bufferedBytes: number;
  peakBufferedEvents: number;
  peakBufferedBytes: number;
  /** log.dropped events delivered to CloudWatch. */
  dropReportsShipped: number;
  /** Events loaded from the spool at start / written to it at close. */
  spooledIn: number;
  spooledOut: number;
}

/**
 * PutLogEvents calls in flight at once when the endpoint is healthy. CloudWatch takes concurrent calls to one stream
 * (sequence tokens are ignored now), and a call spends most of its time on the wire: with one call at a time the
 * worker waits for every answer (~50–150 ms from AWS) before sending the next batch.
 */
export const MAX_PUTS_IN_FLIGHT = 4;

interface InFlightBatch {
  events: SizedEvent[];
}

export interface CloseResult {
  flushed: boolean;
  stats: ShipperStats;
}

export class CloudWatchShipper {
  private readonly opts: ResolvedOptions;
  private readonly client: LogsClient;
  private readonly random: () => number;
  private readonly writeStderr: (line: string) => void;
  private readonly now: () => number;

  /** Events waiting to be sent; `head` avoids O(n) shifts, the array is compacted once the head is far in. */
  private queue: SizedEvent[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Buffer accounting covers queued + in-flight events, so the bound holds while a batch is being retried. */
  private bufferedEvents = 0;
  private bufferedBytes = 0;

  private pumping: Promise<void> | undefined;
  /** Wakes a pump waiting for a call to finish, when a new full batch could go out beside it. */
  private wakePump: (() => void) | undefined;
  /** Batches being sent (out of the queue, still in the buffer): spooled at close if they never got through. */
  private readonly inFlight = new Set<InFlightBatch>();
  /** Batches in their backoff loop: while any is, no further call is started beside it. */
  private retrying = 0;
  private shippingDropReports = false;
  /**
   * A partial batch may be cut while `cut` is below this: Infinity for flush() and close() (send everything), the
   * events queued before the previous tick for a tick (send what has waited), 0 otherwise (full batches only).
   */
  private drainUntil = 0;
  private closing: Promise<CloseResult> | undefined;
  private aborted = false;
  /** set by close() once it has counted what is left: later releases must not count it again */
  private accountingClosed = false;
  private readonly abort = new AbortController();
  /** Buffers for the batches' request bodies, reused: one per call in flight, and one being built. */
  private readonly bodies = new BodyPool(MAX_PUTS_IN_FLIGHT + 1);
  private timer: ReturnType<typeof setInterval> | undefined;
  /**
   * Events ever queued / ever cut into batches, and `queued` as it was at the previous tick: the head of the queue
   * has waited at least a tick when `cut < queuedAtLastTick`. Only then does a tick send a partial batch, so a burst
   * (whose head is always fresh) goes out in full batches and a trickle still leaves within flushIntervalMs.
   */
  private queued = 0;
  private cut = 0;
  private queuedAtLastTick = 0;
  private readonly sleepers = new Set<() => void>();

  /** Drops not yet written to stderr / not yet delivered to CloudWatch (aggregated per reason). */
  private readonly unreportedStderr = new Map<DropReason, number>();
  private readonly unreportedCloudWatch = new Map<DropReason, number>();
  private lastDropDetail = new Map<DropReason, string>();
  /** Set once CreateLogGroup was refused (its error name): never asked again by this process. */
  private groupCreateRefused: string | undefined;

  private readonly counters: Omit<ShipperStats, 'bufferedEvents' | 'bufferedBytes' | 'dropped' | 'droppedTotal'> = {
    received: 0,
    shipped: 0,
    truncated: 0,
    truncatedBytes: 0,
    putCalls: 0,
    batches: 0,
    shippedBytes: 0,
    retries: 0,
    peakBufferedEvents: 0,
    peakBufferedBytes: 0,
    dropReportsShipped: 0,
    spooledIn: 0,
    spooledOut: 0,
  };
  private readonly dropped = new Map<DropReason, number>();

  constructor(options: ResolvedOptions, deps: ShipperDeps) {
    this.opts = options;
    this.client = deps.client;
    this.random = deps.random ?? Math.random;
    this.writeStderr = deps.writeStderr ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = deps.now ?? Date.now;
    // The spool of an earlier process goes out first (its lines are older than anything this one will write).
    if (options.spoolDir !== undefined) {
      const spooled = takeSpool(options.spoolDir, options.logGroupName);
      this.counters.spooledIn = spooled.length;
      for (const event of spooled) this.push(event.timestamp, event.message, true);
    }
    // Ticks at half the interval: a partial batch leaves between half and one interval after its first event.
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(options.flushIntervalMs / 2)));
    // The timer must never keep a host process alive on its own.
    this.timer.unref();
  }

  /** Queue one event. Never throws and never waits: when the buffer is full the event is dropped and counted. */
  push(timestamp: number, message: string, fromSpool = false): void {
    if (message.length === 0) return; // CloudWatch refuses empty messages; an empty line carries nothing
    if (!fromSpool) this.counters.received++; // spooled events were counted as received by the process that wrote them
    if (this.closing) {
      this.recordDrop(1, 'closed');
      return;
    }
    // The message's UTF-8 size is measured once here; the batcher and the buffer bounds reuse it.
    let messageBytes = Buffer.byteLength(message, 'utf8');
    if (messageBytes + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes > this.opts.maxEventBytes) {
      const fitted = truncateMessage(message, this.opts.maxEventBytes);
      this.counters.truncated++;
      this.counters.truncatedBytes += fitted.removedBytes;
      message = fitted.message;
      messageBytes = Buffer.byteLength(message, 'utf8');
    }
    const event: SizedEvent = {
      timestamp: Number.isFinite(timestamp) ? timestamp : Date.now(),
      message,
      bytes: messageBytes + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes,
    };
    if (this.bufferedEvents + 1 > this.opts.maxBufferedEvents || this.bufferedBytes + event.bytes > this.opts.maxBufferedBytes) {
      this.recordDrop(1, 'buffer_full');
      return;
    }
    this.queue.push(event);
    this.queued++;
    this.queuedBytes += event.bytes;
    this.bufferedEvents++;
    this.bufferedBytes += event.bytes;
    if (this.bufferedEvents > this.counters.peakBufferedEvents) this.counters.peakBufferedEvents = this.bufferedEvents;
    if (this.bufferedBytes > this.counters.peakBufferedBytes) this.counters.peakBufferedBytes = this.bufferedBytes;
    // A full batch goes out now rather than waiting for the interval (beside the calls in flight, if there is room).
    if (this.queue.length - this.head >= PUT_LOG_EVENTS_LIMITS.maxEvents || this.queuedBytes >= PUT_LOG_EVENTS_LIMITS.maxBatchBytes) {
      if (this.pumping) this.wakePump?.();
      else void this.pump(0);
    }
  }

  /** Send everything queued now (resolves when the queue is empty or sending gave up). */
  flush(): Promise<void> {
    return this.pump(Number.POSITIVE_INFINITY);
  }

  /** Final flush bounded by shutdownTimeoutMs; what is left then is counted as dropped 'shutdown_timeout'. */
  close(timeoutMs = this.opts.shutdownTimeoutMs): Promise<CloseResult> {
    this.closing ??= this.closeOnce(timeoutMs);
    return this.closing;
  }

  stats(): ShipperStats {
    let droppedTotal = 0;
    for (const n of this.dropped.values()) droppedTotal += n;
    return {
      ...this.counters,
      dropped: Object.fromEntries(this.dropped),
      droppedTotal,
      bufferedEvents: this.bufferedEvents,
      bufferedBytes: this.bufferedBytes,
    };
  }

  private async closeOnce(timeoutMs: number): Promise<CloseResult> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let bound: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      this.pump(Number.POSITIVE_INFINITY).then(() => false),
      new Promise<boolean>((resolve) => {
        bound = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(bound);
    if (timedOut || this.bufferedEvents > 0) {
      // Stop the sender (abort the HTTP call, wake a backoff sleep) so nothing is counted twice, then count the rest.
      this.aborted = true;
      this.abort.abort();
      for (const wake of this.sleepers) wake();
      // A call already on the wire may still land (the abort can lose the race on a busy machine): let the sender
      // settle, briefly, so a batch the endpoint accepted is counted as shipped and not spooled or dropped as well.
      await settleWithin(this.pumping, ABORT_SETTLE_MS);
      this.accountingClosed = true;
      const unsent = [...[...this.inFlight].flatMap((batch) => batch.events), ...this.queue.slice(this.head)];
      let left = this.bufferedEvents;
      if (this.opts.spoolDir !== undefined) {
        // Room is kept for the drop counts written after the lines (a few hundred bytes per reason).
        const reserve = Math.min(SPOOL_REPORT_RESERVE_BYTES, Math.floor(this.opts.maxSpoolBytes / 4));
        const written = writeSpool(this.opts.spoolDir, this.opts.logGroupName, toChronological(unsent), this.opts.maxSpoolBytes - reserve);
        this.counters.spooledOut = written;
        left = Math.max(0, left - written);
      }
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
      this.bufferedEvents = 0;
      this.bufferedBytes = 0;
      if (left > 0) this.recordDrop(left, 'shutdown_timeout');
      if (this.opts.spoolDir !== undefined) this.spoolDropReports();
    }
    this.reportToStderr();
    return { flushed: !timedOut, stats: this.stats() };
  }

  private tick(): void {
    this.reportToStderr();
    const waited = this.queuedAtLastTick;
    this.queuedAtLastTick = this.queued;
    // Only what has waited a tick is sent in a partial batch: under a burst the pump may run from tick to tick, and
    // a drain of everything would then send the queue's fresh tail as a partial batch whenever the pump caught up.
    if (this.cut < waited) void this.pump(waited);
  }

  /**
   * One pump at a time: it cuts batches in queue order and keeps up to maxInFlight() calls going. Each call is
   * sorted on its own, so calls may land out of order; nothing in CloudWatch depends on the order of calls.
   */
  private pump(drainUntil: number): Promise<void> {
    if (drainUntil > this.drainUntil) this.drainUntil = drainUntil;
    if (this.pumping) return this.pumping;
    this.pumping = this.runPump().finally(() => {
      this.drainUntil = 0;
      this.pumping = undefined;
    });
    return this.pumping;
  }

  /**
   * One call at a time until a call has succeeded (the stream may have to be created first, and that is done once)
   * and while a batch is being retried (throttling or an outage is not answered with more calls).
   */
  private maxInFlight(): number {
    return this.counters.batches > 0 && this.retrying === 0 ? MAX_PUTS_IN_FLIGHT : 1;
  }

  private async runPump(): Promise<void> {
    const sending = new Set<Promise<void>>();
    while (!this.aborted) {
      const events = sending.size < this.maxInFlight() ? this.cutBatch() : undefined;
      if (events) {
        const batch: InFlightBatch = { events };
        this.inFlight.add(batch);
        // an aborted send leaves its batch in flight: close() spools or counts it
        const send: Promise<void> = this.sendBatch(batch).then((done) => {
          if (done) this.inFlight.delete(batch);
          sending.delete(send);
        });
        sending.add(send);
        continue;
      }
      if (sending.size === 0) break;
      await new Promise<void>((resolve) => {
        // woken by push() only when one more call could start; otherwise by the next call that finishes
        if (sending.size < this.maxInFlight()) this.wakePump = resolve;
        for (const call of sending) void call.then(resolve);
      });
      this.wakePump = undefined;
    }
    // close() waits for the pump to settle the calls it aborted: their outcome decides what is spooled.
    await Promise.all(sending);
  }

  /** The next batch out of the queue, or undefined when none is due (a partial batch goes only when draining). */
  private cutBatch(): SizedEvent[] | undefined {
    const available = this.queue.length - this.head;
    if (available === 0) return undefined;
    const length = nextBatchLength(this.queue, this.head);
    // A batch cut short by a limit is full; otherwise send a partial batch only when asked to drain.
    const full = length < available || length === PUT_LOG_EVENTS_LIMITS.maxEvents;
    if (!full && this.cut >= this.drainUntil) return undefined;
    const batch = this.queue.slice(this.head, this.head + length);
    this.head += length;
    this.cut += length;
    for (const event of batch) this.queuedBytes -= event.bytes;
    this.compactQueue();
    return batch;
  }

  private compactQueue(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 50_000 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private release(batch: readonly SizedEvent[]): void {
    if (this.accountingClosed) return; // close() already reset the accounting and counted these
    this.bufferedEvents -= batch.length;
    for (const event of batch) this.bufferedBytes -= event.bytes;
  }

  private async sendBatch(entry: InFlightBatch): Promise<boolean> {
    let retried = false;
    try {
      return await this.sendWithRetries(entry, () => {
        if (!retried) this.retrying++;
        retried = true;
      });
    } finally {
      if (retried) this.retrying--;
    }
  }

  private async sendWithRetries(entry: InFlightBatch, onRetry: () => void): Promise<boolean> {
    const ordered = toChronological(entry.events);
    const body = putLogEventsBody(this.opts.logGroupName, this.opts.logStreamName, ordered, this.bodies);
    try {
      return await this.sendBodyWithRetries(entry, ordered, body, onRetry);
    } finally {
      // every call made with it has settled (each is awaited), so no request reads it any more
      this.bodies.release(body);
    }
  }

  private async sendBodyWithRetries(entry: InFlightBatch, chronological: SizedEvent[], firstBody: Buffer, onRetry: () => void): Promise<boolean> {
    let batch = entry.events;
    let ordered = chronological;
    let body = firstBody;
    let attempt = 0;
    let createdDestination = false;
    for (;;) {
      if (this.aborted) return false;
      if (attempt > 0) {
        // The one bound that can force a retried batch out: events that aged past CloudWatch's 14-day window.
        const aged = this.dropAged(ordered);
        if (aged > 0) {
          ordered = ordered.slice(aged);
          batch = ordered;
          entry.events = ordered; // the aged ones are counted: never spooled as well
          if (ordered.length === 0) return true;
          body = putLogEventsBody(this.opts.logGroupName, this.opts.logStreamName, ordered);
        }
      }
      let failure: unknown;
      try {
        const output = await this.put(body);
        // accepted, even if close() aborted meanwhile: count it shipped, so it is neither spooled nor dropped
        this.counters.batches++;
        for (const event of batch) this.counters.shippedBytes += event.bytes;
        this.countAccepted(output, ordered.length);
        this.release(batch);
        if (this.aborted) return true;
        await this.shipDropReports();
        return true;
      } catch (error) {
        failure = error;
      }
      if (this.aborted) return false;
      let kind = classifyFailure(failure);
      if (kind === 'missing_destination' && !createdDestination) {
        // Create once, then retry at once: not a backoff retry, the call did not fail for load reasons.
        createdDestination = true;
        try {
          await this.ensureDestination();
          continue;
        } catch (error) {
          if (this.aborted) return false;
          failure = error;
          kind = classifyFailure(error);
          createdDestination = false; // a transient failure to create: try creating again on the next round
        }
      }
      if (kind === 'retryable' && attempt < this.opts.maxRetries) {
        this.counters.retries++;
        onRetry();
        await this.sleep(backoffDelay(attempt, this.opts.backoff, this.random));
        attempt++;
        continue;
      }
      const reason: DropReason = kind === 'retryable' ? 'retries_exhausted' : kind === 'missing_destination' ? 'missing_destination' : 'rejected';
      this.recordDrop(batch.length, reason, this.dropDetail(failure, reason));
      this.release(batch);
      return true;
    }
  }

  /**
   * Count and release the events at the head of a chronological batch that are now older than CloudWatch accepts.
   * Returns how many. (Events too far in the FUTURE are not dropped here: time brings them into the window.)
   */
  private dropAged(ordered: readonly SizedEvent[]): number {
    const oldestAccepted = this.now() - MAX_EVENT_AGE_MS + AGE_MARGIN_MS;
    let aged = 0;
    while (aged < ordered.length && ordered[aged]!.timestamp < oldestAccepted) aged++;
    if (aged === 0) return 0;
    this.release(ordered.slice(0, aged));
    this.recordDrop(aged, 'too_old', 'aged past 14 days while retrying');
    return aged;
  }

  private put(body: Buffer): Promise<PutLogEventsCommandOutput> {
    this.counters.putCalls++;
    return this.client.send(prebuiltPutLogEvents(this.opts.logGroupName, this.opts.logStreamName, body), { abortSignal: this.abort.signal });
  }

  /** AWS accepts the call but may refuse a prefix (too old / expired) and a suffix (too new): those are lost. */
  private countAccepted(output: PutLogEventsCommandOutput, sent: number): void {
    const info = output.rejectedLogEventsInfo;
    let tooOld = 0;
    let expired = 0;
    let tooNew = 0;
    if (info) {
      // tooOldLogEventEndIndex and expiredLogEventEndIndex are exclusive ends of a prefix; tooNew… an inclusive start.
      tooOld = Math.min(sent, Math.max(0, info.tooOldLogEventEndIndex ?? 0));
      expired = Math.max(0, Math.min(sent, info.expiredLogEventEndIndex ?? 0) - tooOld);
      tooNew = info.tooNewLogEventStartIndex !== undefined ? Math.max(0, sent - Math.max(info.tooNewLogEventStartIndex, tooOld + expired)) : 0;
    }
    if (tooOld > 0) this.recordDrop(tooOld, 'too_old');
    if (expired > 0) this.recordDrop(expired, 'expired');
    if (tooNew > 0) this.recordDrop(tooNew, 'too_new');
    this.counters.shipped += sent - tooOld - expired - tooNew;
  }

  /**
   * Create what PutLogEvents found missing. The stream first: it is the usual culprit (the default stream name is
   * new for every process) and least-privilege roles (terraform/iam.tf) may create streams but not groups, in a
   * group that already exists. The group only when the stream's creation says the group is missing, and only
   * while creating it has not been refused: a denied CreateLogGroup is remembered (not repeated for every batch),
   * and the stream is tried anyway, since the group may exist by now (created by terraform or another process).
   */
  private async ensureDestination(): Promise<void> {
    try {
      await this.createIgnoringExisting(new CreateLogStreamCommand({ logGroupName: this.opts.logGroupName, logStreamName: this.opts.logStreamName }));
      return;
    } catch (error) {
      if (failureName(error) !== 'ResourceNotFoundException' || !this.opts.createLogGroup || this.groupCreateRefused) throw error;
    }
    try {
      await this.createIgnoringExisting(new CreateLogGroupCommand({ logGroupName: this.opts.logGroupName }));
    } catch (error) {
      // Retryable (throttled, network): let the batch's retry policy handle it. Refused (AccessDeniedException…):
      // carry on without it.
      if (classifyFailure(error) !== 'rejected') throw error;
      this.groupCreateRefused = failureName(error);
    }
    await this.createIgnoringExisting(new CreateLogStreamCommand({ logGroupName: this.opts.logGroupName, logStreamName: this.opts.logStreamName }));
  }

  private async createIgnoringExisting(command: CreateLogGroupCommand | CreateLogStreamCommand): Promise<void> {
    try {
      // The two commands have different output types; the shipper needs neither.
      await (this.client.send as (c: unknown, o: unknown) => Promise<unknown>)(command, { abortSignal: this.abort.signal });
    } catch (error) {
      // Another process (or an earlier attempt) created it first: that is the state we want.
      if (failureName(error) !== 'ResourceAlreadyExistsException') throw error;
    }
  }

  /** Why a batch was dropped, for the log.dropped line: the API's error name, plus a refused CreateLogGroup. */
  private dropDetail(failure: unknown, reason: DropReason): string {
    const name = failureName(failure);
    return reason === 'missing_destination' && this.groupCreateRefused ? `${name}; CreateLogGroup refused: ${this.groupCreateRefused}` : name;
  }

  private recordDrop(count: number, reason: DropReason, detail?: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + count);
    this.unreportedStderr.set(reason, (this.unreportedStderr.get(reason) ?? 0) + count);
    this.unreportedCloudWatch.set(reason, (this.unreportedCloudWatch.get(reason) ?? 0) + count);
    if (detail) this.lastDropDetail.set(reason, detail);
    // Overflow drops come one event at a time: aggregate them (the tick reports them within flushIntervalMs).
    if (reason !== 'buffer_full' && reason !== 'closed') this.reportToStderr();
  }

  private reportToStderr(): void {
    for (const [reason, count] of this.unreportedStderr) {
      try {
        this.writeStderr(dropLine(this.opts.service, count, reason, this.lastDropDetail.get(reason)));
      } catch {
        // stderr closed: the counts stay in stats() and go to CloudWatch; never throw into the host
      }
    }
    this.unreportedStderr.clear();
  }

  /** After a successful call: deliver the drop counts to CloudWatch too (one attempt; they stay pending on failure). */
  private async shipDropReports(): Promise<void> {
    // one at a time: two calls finishing together must not deliver the same counts twice
    if (this.unreportedCloudWatch.size === 0 || this.aborted || this.shippingDropReports) return;
    this.shippingDropReports = true;
    try {
      await this.shipDropReportsOnce();
    } finally {
      this.shippingDropReports = false;
    }
  }

  private async shipDropReportsOnce(): Promise<void> {
    const snapshot = [...this.unreportedCloudWatch];
    const now = Date.now();
    const logEvents: LogEvent[] = snapshot.map(([reason, count]) => ({ timestamp: now, message: dropLine(this.opts.service, count, reason, this.lastDropDetail.get(reason), now) }));
    try {
      await this.put(putLogEventsBody(this.opts.logGroupName, this.opts.logStreamName, logEvents));
    } catch {
      return;
    }
    this.counters.dropReportsShipped += logEvents.length;
    for (const [reason, count] of snapshot) {
      const left = (this.unreportedCloudWatch.get(reason) ?? 0) - count;
      if (left > 0) this.unreportedCloudWatch.set(reason, left);
      else this.unreportedCloudWatch.delete(reason);
    }
  }

  /**
   * The drop counts not yet in CloudWatch (this exit's shutdown_timeout included) go to the spool too: the next
   * start delivers them, so drops at shutdown are visible to an analysis read from CloudWatch.
   */
  private spoolDropReports(): void {
    if (this.unreportedCloudWatch.size === 0 || this.opts.spoolDir === undefined) return;
    const now = this.now();
    const reports = [...this.unreportedCloudWatch].map(([reason, count]) => ({
      timestamp: now,
      message: dropLine(this.opts.service, count, reason, this.lastDropDetail.get(reason), now),
    }));
    if (writeSpool(this.opts.spoolDir, this.opts.logGroupName, reports, this.opts.maxSpoolBytes) === reports.length) this.unreportedCloudWatch.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** How long close() waits, after aborting, for a call already sent to settle (an aborted call settles at once). */
const ABORT_SETTLE_MS = 250;

async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
