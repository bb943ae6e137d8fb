/**
 * The HTTP server around the app, with every timeout chosen on purpose, and a drain that loses nothing:
 * stop accepting, close idle keep-alive connections (and those that become idle), give in-flight requests
 * SHUTDOWN_TIMEOUT_MS, then cut whatever is left and say how many were cut.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { LogjamError } from '../common/errors.js';

export interface HttpTimeouts {
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export class ListenError extends LogjamError {
  constructor(message: string) {
    super('LJ_LISTEN', message);
  }
}

export function createHttpServer(handler: RequestListener, timeouts: HttpTimeouts): Server {
  // maxHeaderSize stays Node's default (16 KB): larger header blocks get 431 before reaching the app.
  // Node enforces headersTimeout/requestTimeout only when it checks connections, every 30 s by default: a slow-header
  // client (slowloris) would then live up to 30 s past the timeout. Check at least every second.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, timeouts.headersTimeoutMs / 2));
  const server = createServer({ requestTimeout: timeouts.requestTimeoutMs, connectionsCheckingInterval }, handler);
  server.headersTimeout = timeouts.headersTimeoutMs;
  // Longer than the load balancer's idle timeout (ALB: 60 s): the LB closes idle connections first, so it never
  // sends a request on a socket we are closing at that instant (the classic intermittent 502).
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use (set PORT to another port)` : err.message;
      reject(new ListenError(`cannot listen on ${host}:${port}: ${why}`));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Stop accepting and wait for in-flight requests, at most timeoutMs. Resolves how many connections still had a
 * request in progress when the bound was hit and were cut (0 = clean drain).
 */
export async function drain(server: Server, timeoutMs: number, inFlight: () => number): Promise<{ cut: number }> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // server.close() closes the idle keep-alive connections now; connections busy now become idle when their response
  // is done, and would otherwise wait for keepAliveTimeout (65 s): sweep them until everything is closed.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    if ((await Promise.race([closed, timedOut])) !== 'timeout') return { cut: 0 };
    const cut = inFlight();
    server.closeAllConnections();
    await closed;
    return { cut };
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
