/**
 * `logjam compare` as a user types it (the built CLI): a base from another file (--base-logs), the report files
 * (--out, --html), and bad input as one clear line with exit 2 and nothing on stdout.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBin } from '../../support/cli.js';
import { logLines, toNdjson, type Line } from '../../support/log-lines.js';

let dir: string;

function run(runId: string, ms: number): Line[] {
  const l = logLines({ runId });
  return Array.from({ length: 300 }, (_, i) => l.finish({ t: l.at(i * 50), route: '/api/v1/todos', ms: ms + (i % 4), dbMs: ms / 2, dbQueries: 1 }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-compare-cli-'));
  await writeFile(join(dir, 'before.ndjson'), toNdjson(run('before', 4)));
  await writeFile(join(dir, 'after.ndjson'), toNdjson(run('after', 40)));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('logjam compare (CLI)', () => {
  it('reads the base from --base-logs, writes --out and --html', async () => {
    const out = join(dir, 'cmp.md');
    const html = join(dir, 'cmp.html');
    const r = await runBin(CLI, ['compare', 'before', 'after', '--logs', join(dir, 'after.ndjson'), '--base-logs', join(dir, 'before.ndjson'), '--markdown', '--out', out, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const md = await readFile(out, 'utf8');
    expect(md).toMatch(/^# logjam compare — base `before` vs run `after`: ▲ regression/);
    expect(md).toContain(join(dir, 'before.ndjson'));
    expect(existsSync(html)).toBe(true);
  });

  it.each([
    [['--logs', 'x.ndjson', '--base-logs', 'a', '--base-log-group', 'g'], /either --base-logs or --base-log-group, not both/],
    [['--logs', 'x.ndjson', '--json', '--markdown'], /give --json or --markdown, not both/],
    [['--logs', 'x.ndjson', '--fail-on', 'p95<+10pp'], /p95 is a duration: use % or ms/],
    [[], /no log source given/],
  ])('bad input %j: exit 2 with one clear line', async (args, message) => {
    const r = await runBin(CLI, ['compare', 'before', 'after', ...args.map((a) => (a === 'x.ndjson' ? join(dir, 'after.ndjson') : a))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
