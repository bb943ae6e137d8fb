/**
 * One TCP connection to the endpoint before a run starts: "nothing listens there" should be one clear message and
 * exit 2, not thousands of refused requests. Only the connection is tested, on purpose — a server that accepts
 * connections but answers slowly (or never) is exactly what a load test is for.
 */
import { connect } from 'node:net';
import { LogjamError } from '../../common/errors.js';

const PROBE_TIMEOUT_MS = 5_000;

export async function probeEndpoint(endpoint: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const url = new URL(endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(`no connection within ${timeoutMs / 1000} s`);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(err.code === 'ECONNREFUSED' ? 'connection refused: nothing is listening there' : `${err.code ?? 'error'}: ${err.message}`);
    });
  });
  if (problem) {
    throw new LogjamError('LJ_ENDPOINT_UNREACHABLE', `cannot reach ${endpoint} (${problem})`, {
      hint: 'start the sample app first (`logjam app`, or `npm run app`), or point --endpoint at a running service',
    });
  }
}
