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

startServer(config).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(`the app could not start: ${err instanceof Error ? err.message : String(err)}`),
);
