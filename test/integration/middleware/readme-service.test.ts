/**
 * The README's middleware snippet is a complete service, and this runs it exactly as written: the block between the
 * `readme-service` markers in README.md, its import of 'logjam/middleware' pointed at the BUILT middleware, compiled
 * from TypeScript as is, run as a child process on a real PostgreSQL. A request, then SIGTERM at once: every line
 * must be both on stdout and in LOG_FILE (before the shutdown was there, the file lost the buffered finish line),
 * three times over. Needs the build: `npx tsc -p tsconfig.build.json`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../sample-app/db/embedded.js';
import { startTestPostgres } from '../../support/embedded-pg.js';
import type { TestPostgres } from '../../support/embedded-pg.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT_MIDDLEWARE = join(ROOT, 'dist/middleware/index.js');

type Line = Record<string, unknown>;

/** The snippet as the README shows it: the fenced block between the markers. */
async function readmeServiceSnippet(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- readme-service:start -->\s*```ts\n([\s\S]*?)```\s*<!-- readme-service:end -->/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README.md has no ```ts block between the readme-service markers');
  return match[1];
}

let db: TestPostgres;
let workDir: string;
let servicePath: string;

beforeAll(async () => {
  if (!existsSync(BUILT_MIDDLEWARE)) throw new Error(`${BUILT_MIDDLEWARE} missing: build first (npx tsc -p tsconfig.build.json)`);
  const snippet = await readmeServiceSnippet();
  expect(snippet).toContain("from 'logjam/middleware'");
  const source = snippet.replace("from 'logjam/middleware'", `from '${pathToFileURL(BUILT_MIDDLEWARE).href}'`);
  const compiled = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  expect(compiled.diagnostics ?? []).toEqual([]);
  // Under the repository so the snippet's own imports (express, pg) resolve from its node_modules.
  const cache = join(ROOT, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  workDir = await mkdtemp(join(cache, 'logjam-readme-'));
  servicePath = join(workDir, 'service.mjs');
  await writeFile(servicePath, compiled.outputText);

  db = await startTestPostgres();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("CREATE TABLE todos (id serial PRIMARY KEY, title text NOT NULL); INSERT INTO todos (title) VALUES ('write docs')");
  await client.end();
}, 120_000);

afterAll(async () => {
  await db?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const parse = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

async function runOnce(attempt: number): Promise<{ stdout: Line[]; file: Line[]; code: number | null }> {
  const port = await freePort();
  const logFile = join(workDir, `run-${attempt}.ndjson`);
  const child = spawn(process.execPath, [servicePath], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, LOG_FILE: logFile, LOG_LEVEL: 'info', LOGJAM_CLOUDWATCH_LOG_GROUP: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('"service.start"')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the README service did not start:\n${stderr}\n${stdout}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/todos`, { headers: { 'x-request-id': `readme-${attempt}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ id: 1, title: 'write docs' }]);
    child.kill('SIGTERM'); // right after the response: the finish line is still in the file sink's buffer
    const [code] = await exited;
    return { stdout: parse(stdout), file: parse(await readFile(logFile, 'utf8')), code };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('the README service snippet', () => {
  it.each([1, 2, 3])('serves, logs and shuts down on SIGTERM with every line in LOG_FILE and on stdout (run %i)', async (attempt) => {
    const { stdout, file, code } = await runOnce(attempt);
    expect(code).toBe(0);
    const id = `readme-${attempt}`;
    for (const lines of [stdout, file]) {
      expect(lines.filter((l) => l.request_id === id).map((l) => l.event ?? l.msg)).toEqual([
        'request.start',
        'listing',
        'db.query',
        'request.finish',
      ]);
      expect(lines.some((l) => l.path === '/health')).toBe(false);
      expect(lines.every((l) => l.service === 'todo-api')).toBe(true);
      expect(lines.find((l) => l.event === 'service.start')).toMatchObject({ pool_max: 10, node_version: process.version });
      expect(lines.at(-1)).toMatchObject({ event: 'service.stop', reason: 'SIGTERM' });
    }
    expect(file).toEqual(stdout);
  }, 60_000);
});
