/**
 * A slowloris client: opens a TCP connection, sends the start of a request, then trickles one header byte at a
 * time and never finishes the header block. It settles when the server ends the connection (the behaviour under
 * test) or when its own bound expires (so a server that never cuts it cannot hang the test).
 */
import { connect } from 'node:net';

export interface SlowHeaderClientOptions {
  port: number;
  /** one header byte every this many ms */
  byteIntervalMs: number;
  /** give up (and destroy the socket ourselves) after this long */
  boundMs: number;
}

export interface SlowHeaderOutcome {
  /** who ended it: the server (cut), or our own bound (the server let it live) */
  endedBy: 'server' | 'bound';
  /** from the connection being established to its end */
  lifetimeMs: number;
  /** the server's status line, when it answered before closing (Node answers 408 on a headers timeout) */
  status?: number;
  /** header bytes sent before the end */
  bytesTrickled: number;
}

export interface SlowHeaderClient {
  /** resolves once the TCP connection is established */
  connected: Promise<void>;
  outcome: Promise<SlowHeaderOutcome>;
}

export function openSlowHeaderClient(options: SlowHeaderClientOptions): SlowHeaderClient {
  const socket = connect(options.port, '127.0.0.1');
  let connectedAt = 0;
  let bytesTrickled = 0;
  let received = '';
  let trickle: NodeJS.Timeout | undefined;
  let bound: NodeJS.Timeout | undefined;
  let endedBy: SlowHeaderOutcome['endedBy'] = 'server';

  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      connectedAt = performance.now();
      // an unfinished header block: the request line and one header whose value never ends
      socket.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      trickle = setInterval(() => {
        if (socket.writable) {
          socket.write('a');
          bytesTrickled++;
        }
      }, options.byteIntervalMs);
      bound = setTimeout(() => {
        endedBy = 'bound';
        socket.destroy();
      }, options.boundMs);
      resolve();
    });
    socket.once('error', reject);
  });

  const outcome = new Promise<SlowHeaderOutcome>((resolve) => {
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // a reset after the server's answer is still the server cutting us off
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(trickle);
      clearTimeout(bound);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({
        endedBy,
        lifetimeMs: connectedAt === 0 ? 0 : performance.now() - connectedAt,
        bytesTrickled,
        ...(match ? { status: Number(match[1]) } : {}),
      });
    });
  });

  return { connected, outcome };
}
