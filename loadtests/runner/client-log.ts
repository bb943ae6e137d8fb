/**
 * The client request log (common/client-log.ts has the line): the runner's side. Lines are batched and streamed to
 * the file; memory stays bounded because a line that would push the bytes waiting for the disk past a cap is
 * dropped and counted instead of queued (a slow disk must never slow the load or grow the heap). The summary
 * reports lines written and dropped.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { CLIENT_LINE_KIND, CLIENT_LOG_SCHEMA, splitUrlForLog } from '../../common/client-log.js';
import type { ClientErrorKind, ClientRequestLine } from '../../common/client-log.js';

/** Bytes waiting for the disk (batch + the stream's buffer) beyond which new lines are dropped. */
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;
const BATCH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 200;

export interface ClientLogStats {
  path: string;
  lines: number;
  /** lines dropped because the disk fell behind by more than MAX_PENDING_BYTES */
  dropped: number;
  /** the write error that stopped the log, if one did (the run goes on; later lines count as dropped) */
  error?: string;
}

export class ClientLogWriter {
  private readonly stream: WriteStream;
  private batch: string[] = [];
  private batchBytes = 0;
  private lines = 0;
  private dropped = 0;
  private failure: string | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly path: string,
    private readonly maxPendingBytes = MAX_PENDING_BYTES,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err) => {
      this.failure ??= err.message;
    });
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  write(line: ClientRequestLine): void {
    // closed: an iteration that outlived the run's unwind bound reports after the log was closed
    if (this.failure !== undefined || this.closed) {
      this.dropped++;
      return;
    }
    const text = `${JSON.stringify(line)}\n`;
    if (this.stream.writableLength + this.batchBytes + text.length > this.maxPendingBytes) {
      this.dropped++;
      return;
    }
    this.batch.push(text);
    this.batchBytes += text.length;
    this.lines++;
    if (this.batchBytes >= BATCH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0 || this.failure !== undefined) return;
    const chunk = this.batch.join('');
    this.batch = [];
    this.batchBytes = 0;
    this.stream.write(chunk);
  }

  /** Writes what is batched and closes the file; resolves once it is on disk (or the write failed). */
  async close(): Promise<ClientLogStats> {
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    await new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once('error', () => resolve());
      this.stream.end(() => resolve());
    });
    // lines batched but never written because the stream failed are lost: count them as dropped
    const stats: ClientLogStats = { path: this.path, lines: this.lines, dropped: this.dropped };
    if (this.failure !== undefined) stats.error = this.failure;
    return stats;
  }
}

/** What the HTTP client knows about one request when it is over (or cut off). */
export interface ClientRequestFacts {
  id: string;
  name: string;
  method: string;
  url: string;
  /** epoch ms */
  start: number;
  durationMs: number;
  status: number;
  error?: ClientErrorKind;
}

interface Entry {
  facts: ClientRequestFacts;
  /** the response object the script sees, to attach its checks */
  response: unknown;
  passed?: string[];
  failed?: string[];
}

/**
 * One iteration's requests, held until the iteration ends so the checks the script runs on a response land on
 * that response's line. A check on something that is not a response (a parsed body, a number) goes to the
 * iteration's latest request, which is what a k6 script checks in practice. Bounded by the requests of one
 * iteration.
 */
export class IterationLog {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly writer: ClientLogWriter,
    private readonly context: { runId: string; scenario: string; vu: number; iteration: number },
  ) {}

  request(facts: ClientRequestFacts, response: unknown): void {
    this.entries.push({ facts, response });
  }

  check(value: unknown, name: string, passed: boolean): void {
    let entry: Entry | undefined;
    for (let i = this.entries.length - 1; i >= 0 && !entry; i--) if (this.entries[i]!.response === value) entry = this.entries[i];
    entry ??= this.entries[this.entries.length - 1];
    if (!entry) return; // a check before any request: nothing to attach it to (the summary still counts it)
    if (passed) (entry.passed ??= []).push(name);
    else (entry.failed ??= []).push(name);
  }

  /** The iteration is over (done, failed or interrupted): write its lines. */
  flush(): void {
    const { runId, scenario, vu, iteration } = this.context;
    for (const { facts, passed, failed } of this.entries) {
      const { origin, path } = splitUrlForLog(facts.url);
      const line: ClientRequestLine = {
        kind: CLIENT_LINE_KIND,
        schema: CLIENT_LOG_SCHEMA,
        id: facts.id,
        run_id: runId,
        scenario,
        vu,
        iter: iteration,
        name: facts.name,
        method: facts.method,
        origin,
        path,
        start: Math.round(facts.start * 1000) / 1000,
        duration_ms: Math.round(facts.durationMs * 1000) / 1000,
        status: facts.status,
      };
      if (facts.error) line.error = facts.error;
      if (passed) line.checks_passed = passed;
      if (failed) line.checks_failed = failed;
      this.writer.write(line);
    }
    this.entries.length = 0;
  }
}
