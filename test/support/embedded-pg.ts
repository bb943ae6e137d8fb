/**
 * A throw-away real PostgreSQL for integration tests: a fresh data folder under the OS temp dir (its parent made
 * 0o777 so the `postgres` system user can initdb there when tests run as root), a free port, and stop() that shuts
 * the server down and deletes the folder. One instance per test file is the intended use.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sample-app/db/embedded.js';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const parent = await mkdtemp(join(tmpdir(), 'logjam-pg-'));
  await chmod(parent, 0o777);
  const dataDir = join(parent, 'data');
  try {
    const pg = await startEmbeddedPostgres({ dataDir, say: () => {} });
    return {
      url: pg.url,
      async stop() {
        try {
          await pg.stop();
        } finally {
          await rm(parent, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    throw err;
  }
}

/** A test PostgreSQL that can be stopped and started again under a running app: same port, same data folder. */
export interface RestartableTestPostgres extends TestPostgres {
  port: number;
  /** Stop the server (fast shutdown: open sessions are terminated), keeping its data folder and port. */
  stopServer(): Promise<void>;
  /** Start it again on the same port and data folder (the app's DATABASE_URL stays valid). */
  startServer(): Promise<void>;
}

export async function startRestartableTestPostgres(): Promise<RestartableTestPostgres> {
  const parent = await mkdtemp(join(tmpdir(), 'logjam-pg-'));
  await chmod(parent, 0o777);
  const dataDir = join(parent, 'data');
  try {
    // The first start picks a free port; restarts pin it so the URL handed to the app keeps working.
    let current: EmbeddedPostgres | undefined = await startEmbeddedPostgres({ dataDir, say: () => {} });
    const { url, port } = current;
    const stopServer = async (): Promise<void> => {
      const running = current;
      current = undefined;
      await running?.stop();
    };
    return {
      url,
      port,
      stopServer,
      async startServer() {
        if (current) return;
        current = await startEmbeddedPostgres({ dataDir, port, say: () => {} });
      },
      async stop() {
        try {
          await stopServer();
        } finally {
          await rm(parent, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    throw err;
  }
}
