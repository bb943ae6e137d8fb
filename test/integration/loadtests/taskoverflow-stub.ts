/**
 * A stand-in for TaskOverflow's todo API, for load-runner tests: POST /api/v1/todos -> 201 {id}, DELETE
 * /api/v1/todos/:id -> 200 for a numeric id, 400 otherwise (like the real app's id validation), GET list -> 200.
 * It records what it receives. `silent: true` accepts connections and never answers (to test timeouts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  runId: string | undefined;
  status: number;
}

export interface TaskOverflowStub {
  endpoint: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startTaskOverflowStub(options: { silent?: boolean } = {}): Promise<TaskOverflowStub> {
  const received: ReceivedRequest[] = [];
  let nextId = 1;
  const server = createServer((req, res) => {
    const runId = req.headers['x-run-id'];
    const record: ReceivedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      runId: typeof runId === 'string' ? runId : undefined,
      status: 0,
    };
    received.push(record);
    if (options.silent) return; // never answer
    const reply = (status: number, body: unknown): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      const path = record.url.split('?')[0]!;
      if (path === '/api/v1/todos' && req.method === 'POST') return reply(201, { id: nextId++, title: 'x' });
      if (path === '/api/v1/todos' && req.method === 'GET') return reply(200, []);
      const match = /^\/api\/v1\/todos\/([^/]+)$/.exec(path);
      if (match && req.method === 'DELETE') {
        return /^[1-9][0-9]*$/.test(match[1]!) ? reply(200, { deleted: true }) : reply(400, { error: 'invalid id', value: match[1] });
      }
      return reply(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
