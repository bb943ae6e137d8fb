/**
 * A throw-away real PostgreSQL for integration tests: a fresh data folder under the OS temp dir (its parent made
 * 0o777 so the `postgres` system user can initdb there when tests run as root), a free port, and stop() that shuts
 * the server down and deletes the folder. One instance per test file is the intended use.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../sample-app/db/embedded.js';

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
