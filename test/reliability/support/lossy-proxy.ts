/**
 * An HTTP proxy on 127.0.0.1 in front of the fake CloudWatch that can LOSE ANSWERS: it forwards a call, lets the
 * endpoint do the work, then drops the connection instead of passing the 200 back. That is how a retried batch ends
 * up stored twice in real life (the request reached AWS, the answer never reached the client), so duplicate
 * handling can be tested with the real shipper's retry rather than with hand-made duplicate events.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  url: string;
  /** lose the answers of the next `times` successful calls of this operation (e.g. 'PutLogEvents') */
  loseAnswers(op: string, times: number): void;
  /** answers lost so far */
  readonly lost: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'Logs_20140328.';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startLossyProxy(targetUrl: string): Promise<LossyProxy> {
  const target = new URL(targetUrl);
  const pending = new Map<string, number>();
  let lost = 0;

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const toLose = pending.get(op) ?? 0;
            if (answer.statusCode === 200 && toLose > 0) {
              // the work is done upstream; the client never hears about it
              pending.set(op, toLose - 1);
              lost++;
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    loseAnswers(op, times) {
      pending.set(op, (pending.get(op) ?? 0) + times);
    },
    get lost() {
      return lost;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
