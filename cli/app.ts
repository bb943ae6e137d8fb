/**
 * `logjam app`: run TaskOverflow, the sample app. Configuration is environment-only (the same variables work in
 * ECS task definitions); --help lists every variable from the table that also parses them (sample-app/config.ts).
 */
import type { Command } from 'commander';
import { LogjamError } from '../common/errors.js';
import { envHelpText, parseConfig } from '../sample-app/config.js';

const EXAMPLES = `
Examples:
  logjam app                                   embedded PostgreSQL in .data/postgres, port 3000
  PORT=8080 LOG_FILE=runs/app.ndjson logjam app
  WEB_CONCURRENCY=4 DB_POOL_MAX=1 logjam app   four workers, one connection each (tiny-pool knob)
  DATABASE_URL=postgres://u:p@db:5432/app DATABASE_SSL=verify-full DATABASE_SSL_CA=global-bundle.pem logjam app
  NODE_ENV=production PGHOST=db PGDATABASE=app PGUSER=app PGPASSWORD=… DATABASE_SSL=require logjam app

Stops gracefully on SIGTERM/SIGINT (drains in-flight requests for up to SHUTDOWN_TIMEOUT_MS). Log lines (NDJSON)
go to stdout (unless LOG_STDOUT=0); messages go to stderr. Knobs and what they look like in the logs: docs/sample-app.md.
`;

export function registerApp(program: Command): void {
  program
    .command('app')
    .description('run TaskOverflow, the sample todo API (Express 5 + PostgreSQL), instrumented with logjam')
    .addHelpText('after', `${envHelpText()}${EXAMPLES}`)
    .action(async () => {
      // a bad variable is a ConfigError (LJ_CONFIG, exit 2) that names the variable and points at --help
      const config = parseConfig(process.env);
      // Loaded only now: --help must not load the middleware, pg or express.
      const { startServer } = await import('../sample-app/server.js');
      try {
        process.exitCode = await startServer(config);
      } catch (err) {
        // the sample app's own errors (LJ_LISTEN, LJ_EMBEDDED_PG…) keep their code; anything else is LJ_APP_START
        const code = err instanceof LogjamError ? err.code : 'LJ_APP_START';
        const hint = err instanceof LogjamError ? err.hint : undefined;
        throw new LogjamError(code, `the app could not start: ${(err as Error).message}`, { cause: err, hint });
      }
    });
}
