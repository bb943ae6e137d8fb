/** Test support for the middleware suites: capture NDJSON lines in memory, real servers on 127.0.0.1 port 0. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import { afterEach } from 'vitest';
import type { Logger } from 'pino';
import { EVENTS, createLogger, errorLogging, requestLogging } from '../../../middleware/index.js';
import type { LoggerOptions, RequestLoggingOptions } from '../../../middleware/index.js';

export type Line = Record<string, unknown>;

/** A pino destination that keeps every line parsed, and lets a test wait for a line by predicate. */
export class LineCapture {
  readonly lines: Line[] = [];
  readonly raw: string[] = [];
  private waiters: { predicate: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];

  write(chunk: string): void {
    for (const text of chunk.split('\n')) {
      if (text === '') continue;
      this.raw.push(text);
      const line = JSON.parse(text) as Line;
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(line)) return true;
        w.resolve(line);
        return false;
      });
    }
  }

  /** The first line (already written or still to come) that matches. Rejects after timeoutMs with what was seen. */
  waitFor(predicate: (line: Line) => boolean, timeoutMs = 15_000): Promise<Line> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching line within ${timeoutMs} ms; lines so far:\n${this.raw.join('\n')}`));
      }, timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  event(name: string, requestId?: string): Line[] {
    return this.lines.filter((l) => l.event === name && (requestId === undefined || l.request_id === requestId));
  }

  forRequest(requestId: string): Line[] {
    return this.lines.filter((l) => l.request_id === requestId);
  }
}

export function captureLogger(options: LoggerOptions = {}): { logger: Logger; capture: LineCapture } {
  const capture = new LineCapture();
  const logger = createLogger({ stdout: false, cloudwatch: false, file: undefined, ...options, destination: capture });
  return { logger, capture };
}

export interface Running {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<Running> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a raw socket: lets a test send header values that fetch and
 * http.request refuse to send (non-ASCII bytes, quotes, huge values).
 */
export async function rawRequest(port: number, path: string, extraHeaders: Buffer | string = ''): Promise<RawResponse> {
  const { connect } = await import('node:net');
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(extraHeaders as string), Buffer.from('\r\n')]));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'end');
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  const [headPart = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = headPart.split('\r\n');
  const headers: Record<string, string> = {};
  for (const h of headerLines) {
    const i = h.indexOf(':');
    headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

export type StartLoggedApp = (
  options?: Omit<RequestLoggingOptions, 'logger'>,
  routes?: (app: Express) => void,
  loggerOptions?: { redact?: string[] },
) => Promise<{ capture: LineCapture; server: Running }>;

/**
 * A test app factory: requestLogging first (into a LineCapture), the suite's `baseRoutes`, the test's own routes,
 * errorLogging last, listening on 127.0.0.1; the server is closed after each test.
 */
export function useLoggedApp(baseRoutes: (app: Express) => void): { start: StartLoggedApp; running(): Running } {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  const start: StartLoggedApp = async (options = {}, routes, loggerOptions = {}) => {
    const { logger, capture } = captureLogger(loggerOptions);
    const app = express();
    app.use(requestLogging({ ...options, logger }));
    baseRoutes(app);
    routes?.(app);
    app.use(errorLogging());
    running = await listen(app);
    return { capture, server: running };
  };
  return {
    start,
    running: () => {
      if (!running) throw new Error('useLoggedApp: no app is running');
      return running;
    },
  };
}

/** The request.finish line of the request with this id (waits for it: it is written on 'close'). */
export function finishOf(capture: LineCapture, requestId: string): Promise<Line> {
  return capture.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === requestId);
}
