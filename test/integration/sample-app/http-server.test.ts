/** The HTTP server's deliberate limits: timeouts as configured, 431 for a header block over Node's 16 KB default. */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpServer, drain, listen } from '../../../sample-app/http-server.js';

const server = createHttpServer((_req, res) => res.end('ok'), { keepAliveTimeoutMs: 65_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
let port: number;

beforeAll(async () => {
  port = ((await listen(server, 0, '127.0.0.1')) as AddressInfo).port;
});
afterAll(async () => {
  await drain(server, 1000, () => 0);
});

function get(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

it('sets the keep-alive, headers and request timeouts on purpose', () => {
  expect(server.keepAliveTimeout).toBe(65_000); // > ALB idle timeout (60 s)
  expect(server.headersTimeout).toBe(10_000);
  expect(server.requestTimeout).toBe(30_000);
});

it('answers a 17 KB header with 431 and a normal one with 200', async () => {
  expect(await get({ 'x-filler': 'a'.repeat(17 * 1024) })).toBe(431);
  expect(await get({ 'x-filler': 'a'.repeat(1024) })).toBe(200);
});

it('reports a taken port clearly', async () => {
  const other = createHttpServer((_req, res) => res.end(), { keepAliveTimeoutMs: 1000, headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
  await expect(listen(other, port, '127.0.0.1')).rejects.toThrow(`port ${port} is already in use`);
});
