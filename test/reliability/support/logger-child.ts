/**
 * The test side of logger-child.mjs: spawn a process holding one logger made by the built createLogger, write lines
 * into it in phases, read its stderr `log.dropped` lines, close it. Also the environment that points the child's
 * AWS SDK (in the transport's worker thread) at the fake CloudWatch, through the standard variables only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BUILT_MIDDLEWARE = `${ROOT}dist/middleware/index.js`;
const CHILD = fileURLToPath(new URL('./logger-child.mjs', import.meta.url));

/** AWS SDK settings for a process that must talk to the fake only (never this machine's files or metadata). */
export function fakeAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A parsed `log.dropped` line. */
export interface DropLine {
  dropped: number;
  reason: string;
  sink: string;
  msg: string;
  service: string;
}

/** The `log.dropped` lines in a process's stderr text (other stderr output is ignored). */
export function dropLinesIn(stderr: string): DropLine[] {
  return stderr
    .split('\n')
    .filter((text) => text.includes(EVENTS.logDropped))
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((line) => line[FIELDS.event] === EVENTS.logDropped)
    .map((line) => ({
      dropped: line[FIELDS.dropped] as number,
      reason: line[FIELDS.reason] as string,
      sink: line[FIELDS.sink] as string,
      msg: line[FIELDS.msg] as string,
      service: line[FIELDS.service] as string,
    }));
}

/** Sum of `dropped`, optionally for one reason. */
export function droppedSum(lines: readonly { dropped: number; reason: string }[], reason?: string): number {
  return lines.filter((l) => reason === undefined || l.reason === reason).reduce((sum, l) => sum + l.dropped, 0);
}

/** Sums by reason, e.g. { too_old: 3, too_new: 2 }. */
export function droppedByReason(lines: readonly { dropped: number; reason: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) out[l.reason] = (out[l.reason] ?? 0) + l.dropped;
  return out;
}

export interface LogPhase {
  /** first `seq` written; lines carry seq = from … from + count - 1 */
  from: number;
  count: number;
  /** lines written per event-loop turn (default: all in one synchronous loop) */
  chunk?: number;
  /** a `pad` field of this many characters (line size) */
  pad?: number;
  /** the child's clock is off by this much while these lines are written */
  skewMs?: number;
  msg?: string;
}

export interface Memory {
  rss: number;
  /** highest RSS sampled since the previous memory() call */
  peakRss: number;
  /** highest ArrayBuffer bytes of the child's main thread since the previous call (pino's thread-stream queue) */
  peakArrayBuffers: number;
}

type Reply = { op: 'ready' } | { op: 'logged'; rss: number } | ({ op: 'memory' } & Memory) | { op: 'closed'; flushed: boolean };

export class LoggerChild {
  private readonly child: ChildProcess;
  private stderrText = '';
  private readonly replies: Reply[] = [];
  private waiting: ((reply: Reply) => void) | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** loggerOptions: createLogger options (JSON-serialisable). */
  constructor(loggerOptions: Record<string, unknown>, env: Record<string, string>) {
    if (!existsSync(BUILT_MIDDLEWARE)) throw new Error(`${BUILT_MIDDLEWARE} is missing: build first (npx tsc -p tsconfig.build.json)`);
    this.child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, ...env, LJ_MIDDLEWARE: BUILT_MIDDLEWARE, LJ_LOGGER_OPTIONS: JSON.stringify(loggerOptions) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()));
    this.child.on('message', (reply: Reply) => {
      const take = this.waiting;
      this.waiting = undefined;
      if (take) take(reply);
      else this.replies.push(reply);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get stderr(): string {
    return this.stderrText;
  }

  drops(): DropLine[] {
    return dropLinesIn(this.stderrText);
  }

  ready(): Promise<void> {
    return this.next('ready').then(() => undefined);
  }

  /** Write lines; resolves once the child's logger took them (not once they were shipped). */
  async log(phase: LogPhase): Promise<{ rss: number }> {
    this.child.send({ op: 'log', ...phase });
    const reply = await this.next('logged');
    return { rss: reply.rss };
  }

  async memory(): Promise<Memory> {
    this.child.send({ op: 'memory' });
    const { rss, peakRss, peakArrayBuffers } = await this.next('memory');
    return { rss, peakRss, peakArrayBuffers };
  }

  /** closeLogger in the child (final flush), then the child exits 0. */
  async close(): Promise<{ flushed: boolean; code: number | null }> {
    this.child.send({ op: 'close' });
    const { flushed } = await this.next('closed');
    const { code } = await this.exited;
    return { flushed, code };
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** One request/reply at a time: the next reply must be the one asked for. */
  private next<K extends Reply['op']>(op: K): Promise<Extract<Reply, { op: K }>> {
    const check = (reply: Reply): Extract<Reply, { op: K }> => {
      if (reply.op !== op) throw new Error(`logger child answered ${reply.op}, expected ${op}`);
      return reply as Extract<Reply, { op: K }>;
    };
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(check(queued));
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => {
        try {
          resolve(check(reply));
        } catch (err) {
          reject(err as Error);
        }
      };
      void this.exited.then(({ code, signal }) => reject(new Error(`logger child exited (${code ?? signal}) before '${op}'; stderr:\n${this.stderrText}`)));
    });
  }
}
