/** `logjam app` configuration: the env table, --help listing every variable, bad values -> clear message + exit 2. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, parseConfig } from '../../../sample-app/config.js';
import { CLI_JS } from './helpers.js';

function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_JS, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      serviceName: 'taskoverflow',
      dbPoolMax: 10,
      dbAcquireTimeoutMs: 2000,
      dbStatementTimeoutMs: 5000,
      webConcurrency: 1,
      shutdownTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      databaseSsl: 'off',
      knobs: { nPlusOne: false, cpuWorkMs: 0, slowQueryMs: 0 },
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.pgDataDir).toMatch(/[/\\]\.data[/\\]postgres$/);
  });

  it('reads the knobs and treats empty values as unset', () => {
    const config = parseConfig({ N_PLUS_ONE: '1', CPU_WORK_MS: '25', SLOW_QUERY_MS: '40', DB_POOL_MAX: '1', DATABASE_URL: '' });
    expect(config.knobs).toEqual({ nPlusOne: true, cpuWorkMs: 25, slowQueryMs: 40 });
    expect(config.dbPoolMax).toBe(1);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('lists every bad variable at once and never echoes a database URL', () => {
    try {
      parseConfig({ PORT: '70000', WEB_CONCURRENCY: 'two', DATABASE_SSL: 'maybe', DATABASE_URL: 'mysql://u:s3cret@h/db' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'WEB_CONCURRENCY', 'DATABASE_SSL', 'DATABASE_URL']) expect(problems).toContain(name);
      expect(problems).not.toContain('s3cret');
    }
  });

  it('requires DATABASE_URL or PGHOST in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL or PGHOST .* is required/);
    expect(parseConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/app' }).production).toBe(true);
    // what terraform/ecs.tf gives the task: PG* variables (user and password from Secrets Manager), no URL
    const ecs = parseConfig({ NODE_ENV: 'production', PGHOST: 'db.example.internal', PGPORT: '5432', PGDATABASE: 'taskoverflow', PGUSER: 'app', PGPASSWORD: 'S3cret-91xq', DATABASE_SSL: 'require' });
    expect(ecs).toMatchObject({ production: true, pgHost: 'db.example.internal', databaseSsl: 'require' });
    expect(ecs.databaseUrl).toBeUndefined();
    expect(JSON.stringify(ecs)).not.toContain('S3cret-91xq'); // the password is left to node-postgres, not copied
  });

  it('validates PGPORT without echoing the PG* values', () => {
    expect(() => parseConfig({ PGHOST: 'db', PGPORT: 'fivefourthreetwo' })).toThrow(/PGPORT must be a whole number/);
  });

  it('LOG_STDOUT: on by default; 0 only with another destination for the lines', () => {
    expect(parseConfig({}).logStdout).toBe(true);
    expect(() => parseConfig({ LOG_STDOUT: '0' })).toThrow(/LOG_STDOUT=0 needs another destination/);
    expect(parseConfig({ LOG_STDOUT: '0', LOGJAM_CLOUDWATCH_LOG_GROUP: 'taskoverflow' })).toMatchObject({ logStdout: false, cloudWatchLogGroup: 'taskoverflow' });
    expect(parseConfig({ LOG_STDOUT: '0', LOG_FILE: 'runs/app.ndjson' }).logStdout).toBe(false);
    expect(() => parseConfig({ LOG_STDOUT: 'sometimes' })).toThrow(/LOG_STDOUT must be 1 or 0/);
    expect(() => parseConfig({ LOGJAM_CLOUDWATCH_CREATE_GROUP: 'sometimes' })).toThrow(/LOGJAM_CLOUDWATCH_CREATE_GROUP must be 1 or 0/);
  });
});

describe('logjam app (CLI)', () => {
  it('--help lists every environment variable with its default', () => {
    const { status, stdout } = runCli(['app', '--help'], {});
    expect(status).toBe(0);
    for (const v of ENV_VARS) {
      const row = stdout.split('\n').find((line) => line.trimStart().startsWith(`${v.name} `));
      expect(row, v.name).toBeDefined();
      expect(row).toContain(v.default === undefined ? '(unset)' : `(default ${v.default})`);
    }
  });

  it('exits 2 with a clear message (no stack trace) on bad configuration', () => {
    const { status, stderr } = runCli(['app'], { DB_POOL_MAX: '0', DATABASE_URL: '' });
    expect(status).toBe(2);
    expect(stderr).toContain('DB_POOL_MAX must be from 1 to 1000');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when NODE_ENV=production has neither DATABASE_URL nor PGHOST (no embedded database in the container)', () => {
    const { status, stderr } = runCli(['app'], { NODE_ENV: 'production', DATABASE_URL: '', PGHOST: '' });
    expect(status).toBe(2);
    expect(stderr).toContain('DATABASE_URL or PGHOST (with PGPORT, PGDATABASE, PGUSER, PGPASSWORD) is required when NODE_ENV=production');
  });
});
