/**
 * Issue 14, defect 6: a --logs directory is walked with each file read once (by device + inode), symlinked folders
 * followed only with --follow-symlinks, loops skipped, and the accounting says what was left out.
 * On the old reader a folder holding a symlink to itself read its one file 41 times (aborted 205 for 5).
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { CLI, runBin } from '../../support/cli.js';
import { logLines, toNdjson } from '../../support/log-lines.js';

const L = logLines({ runId: 'run-1' });
let root: string;

/** One file: 5 aborted requests and 3 finished ones. */
function writeRunLog(dir: string, prefix: string): void {
  const lines = [
    ...Array.from({ length: 5 }, (_, i) => L.abort({ id: `${prefix}-a${i}`, t: L.at(i) })),
    ...Array.from({ length: 3 }, (_, i) => L.finish({ id: `${prefix}-f${i}`, t: L.at(10 + i) })),
  ];
  writeFileSync(join(dir, 'app.ndjson'), toNdjson(lines));
}

function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logjam-symlinks-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('--logs <dir> with symlinks', () => {
  it('a symlink to its own folder: the file is read once, with or without --follow-symlinks', async () => {
    const dir = freshDir('self-loop');
    writeRunLog(dir, 'x');
    symlinkSync('.', join(dir, 'self'));

    const plain = await createLocalSource(dir).aggregate('run-1');
    expect(plain.totals.aborts).toBe(5);
    expect(plain.totals.requests).toBe(3);
    expect(plain.input.totalLines).toBe(8);
    expect(plain.input.inputFiles).toEqual({ files: 1, symlinkedFoldersNotFollowed: 1, filesSeenTwice: 0, loops: 0 });

    const followed = await createLocalSource(dir, { followSymlinks: true }).aggregate('run-1');
    expect(followed.totals.aborts).toBe(5);
    expect(followed.input.totalLines).toBe(8);
    expect(followed.input.inputFiles).toEqual({ files: 1, symlinkedFoldersNotFollowed: 0, filesSeenTwice: 0, loops: 1 });
  });

  it('a symlink to an ancestor folder is a loop walked once', async () => {
    const dir = freshDir('ancestor');
    writeRunLog(dir, 'y');
    mkdirSync(join(dir, 'deeper', 'still'), { recursive: true });
    symlinkSync('../..', join(dir, 'deeper', 'still', 'up'));
    const agg = await createLocalSource(dir, { followSymlinks: true }).aggregate('run-1');
    expect(agg.totals.aborts).toBe(5);
    expect(agg.input.inputFiles?.loops).toBe(1);
  });

  it('a symlinked folder elsewhere is read only when asked, and a second path to one file is read once', async () => {
    const elsewhere = freshDir('elsewhere');
    writeRunLog(elsewhere, 'e');
    const dir = freshDir('with-link');
    writeRunLog(dir, 'd');
    symlinkSync(elsewhere, join(dir, 'linked'));
    // the same file under a second name (hard link) and through a file symlink: read once by inode
    linkSync(join(dir, 'app.ndjson'), join(dir, 'app-copy.ndjson'));
    symlinkSync(join(dir, 'app.ndjson'), join(dir, 'app-link.ndjson'));

    const plain = await createLocalSource(dir).aggregate('run-1');
    expect(plain.totals.aborts).toBe(5);
    expect(plain.input.inputFiles).toEqual({ files: 1, symlinkedFoldersNotFollowed: 1, filesSeenTwice: 2, loops: 0 });

    const followed = await createLocalSource(dir, { followSymlinks: true }).aggregate('run-1');
    expect(followed.totals.aborts).toBe(10);
    expect(followed.totals.requests).toBe(6);
    expect(followed.input.inputFiles).toEqual({ files: 2, symlinkedFoldersNotFollowed: 0, filesSeenTwice: 2, loops: 0 });
  });

  it('a symlink to a large system folder is not walked by default', async () => {
    const dir = freshDir('system-link');
    writeRunLog(dir, 's');
    symlinkSync('/usr', join(dir, 'usr'));
    const agg = await createLocalSource(dir).aggregate('run-1');
    expect(agg.totals.aborts).toBe(5);
    expect(agg.input.inputFiles?.symlinkedFoldersNotFollowed).toBe(1);
  });

  it('the CLI: --follow-symlinks, and the accounting in --json and in the terminal report', async () => {
    if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npm run build)`);
    const dir = freshDir('cli');
    writeRunLog(dir, 'c');
    symlinkSync('.', join(dir, 'self'));
    const json = await runBin(CLI, ['analyze', '--run', 'run-1', '--logs', dir, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { run: { totals: { aborts: number } }; input: { inputFiles: unknown } };
    expect(report.run.totals.aborts).toBe(5);
    expect(report.input.inputFiles).toEqual({ files: 1, symlinkedFoldersNotFollowed: 1, filesSeenTwice: 0, loops: 0 });

    const text = await runBin(CLI, ['analyze', '--run', 'run-1', '--logs', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('input files: 1 file read; 1 symlinked folder not followed (--follow-symlinks)');

    const followed = await runBin(CLI, ['analyze', '--run', 'run-1', '--logs', dir, '--follow-symlinks', '--json']);
    expect(followed.code).toBe(0);
    expect((JSON.parse(followed.stdout) as typeof report).run.totals.aborts).toBe(5);

    const wrongSource = await runBin(CLI, ['runs', '--log-group', 'g', '--follow-symlinks']);
    expect(wrongSource.code).toBe(2);
    expect(wrongSource.stderr).toContain('--follow-symlinks applies to --logs only');
  });
});
