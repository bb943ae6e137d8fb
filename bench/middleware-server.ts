/**
 * One variant of the middleware benchmark as its own process (started by bench/middleware.ts with the same node
 * binary): bare Express, logjam (start+finish, finish only, or another build's: the baseline) or pino-http, on loopback, each logging to its own
 * NDJSON file: by default through each one's default destination, stdout (the driver makes this process's stdout that
 * file), or with LOGJAM_BENCH_DESTINATION=file through each one's file destination. Its own process so that the CPU time it spends (main thread, the file writes on libuv's threads, GC)
 * can be read apart from the load generator's and the other variants': on a shared, noisy machine CPU time per
 * request is steadier than requests per second.
 *
 *   node dist/bench/middleware-server.js <variant> <log file>
 * IPC: sends { port } once listening; answers 'usage' with { cpuUs, requests }; 'close' flushes, closes, exits.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { pathToFileURL } from 'node:url';
import type * as LogjamMiddleware from '../middleware/index.js';
import { BASELINE_ENV, DESTINATION_ENV, ROUTES, VARIANTS, type VariantName } from './middleware-variants.js';

const TODOS = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  title: `todo number ${i + 1}`,
  done: i % 3 === 0,
  created_at: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
}));

interface Variant {
  app: express.Express;
  close(): Promise<void>;
}

function withRoutes(app: express.Express): express.Express {
  app.get(ROUTES.hello, (_req, res) => {
    res.send('hello world');
  });
  app.get(ROUTES.json, (_req, res) => {
    res.json(TODOS[0]);
  });
  app.get(ROUTES.todos, (_req, res) => {
    res.json(TODOS);
  });
  return app;
}

type Middleware = typeof LogjamMiddleware;

/** This build's middleware, or for 'logjam baseline' another build's (before/after in one run). */
async function middlewareFor(name: VariantName): Promise<Middleware> {
  if (name !== 'logjam baseline') return import('../middleware/index.js');
  const path = process.env[BASELINE_ENV];
  if (!path) throw new Error(`${BASELINE_ENV} must name the baseline build's dist/middleware/index.js`);
  return (await import(pathToFileURL(path).href)) as Middleware;
}

async function buildVariant(name: VariantName, logFile: string): Promise<Variant> {
  const app = express();
  app.disable('x-powered-by');
  const toFile = process.env[DESTINATION_ENV] === 'file';
  if (name === 'bare express') return { app: withRoutes(app), close: async () => undefined };
  if (name === 'pino-http') {
    // pino's own defaults: stdout is sonic-boom, asynchronous, on fd 1; the file, pino's async file destination
    const dest = toFile ? pino.destination({ dest: logFile, sync: false, mkdir: true }) : undefined;
    const logger = dest === undefined ? pino() : pino(dest);
    app.use(pinoHttp({ logger }));
    return { app: withRoutes(app), close: () => new Promise<void>((resolve) => logger.flush(() => resolve())).then(() => dest?.end()) };
  }
  // logjam as a service would set it up: createLogger's defaults (stdout; or its file sink)
  const { closeLogger, createLogger, requestLogging } = await middlewareFor(name);
  const logger: Logger = toFile
    ? createLogger({ service: 'bench', stdout: false, cloudwatch: false, file: logFile })
    : createLogger({ service: 'bench', cloudwatch: false });
  app.use(requestLogging({ logger, startLine: name !== 'logjam finish only' }));
  return { app: withRoutes(app), close: () => closeLogger(logger).then(() => undefined) };
}

const [variant, logFile] = process.argv.slice(2) as [VariantName, string];
if (!(VARIANTS as readonly string[]).includes(variant) || !logFile || !process.send) {
  process.stderr.write(`usage (from bench/middleware.ts only): middleware-server.js <${VARIANTS.join('|')}> <log file>\n`);
  process.exit(2);
}
const built = await buildVariant(variant, logFile);
const server = built.app.listen(0, '127.0.0.1');
let requests = 0;
server.on('request', () => {
  requests++;
});
await once(server, 'listening');
process.on('message', (message) => {
  if (message === 'usage') {
    const cpu = process.cpuUsage();
    process.send?.({ cpuUs: cpu.user + cpu.system, requests });
  } else if (message === 'close') {
    server.closeAllConnections();
    server.close(() => {
      void built.close().then(() => process.exit(0));
    });
  }
});
process.send({ port: (server.address() as AddressInfo).port });
