#!/usr/bin/env node
/**
 * Direct entry: `node dist/sample-app/main.js` = `logjam app` without the analyzer CLI around it (smaller image
 * start-up, and the process the integration tests spawn). Same environment variables, same exit codes:
 * 0 stopped cleanly, 1 crash loop / unexpected failure, 2 bad configuration or the app could not start.
 */
import { ConfigError, parseConfig } from './config.js';
import { startServer } from './server.js';

function fail(message: string): never {
  process.stderr.write(`taskoverflow: ${message}\n`);
  process.exit(2);
}

let config;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(`${err.message}\n  (see \`logjam app --help\`)`);
  throw err;
}

/**
 * LOGJAM_STOP_WITH_PARENT=1 (the lab sets it, with a pipe as our stdin): the pipe closes when the parent dies,
 * however it dies (SIGKILL included), and we then shut down as on SIGTERM — so an embedded PostgreSQL started for
 * the parent never outlives it. unref: the pipe alone must not keep a stopping app alive.
 */
if (process.env.LOGJAM_STOP_WITH_PARENT === '1') {
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
  (process.stdin as { unref?: () => void }).unref?.();
}

startServer(config).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(`the app could not start: ${err instanceof Error ? err.message : String(err)}`),
);
