/**
 * Issue 14, defect 9: unbounded or out-of-range input is one clear line and exit 2 before anything is read.
 * A client summary over the cap is refused by its size (checked before reading: the old reader took ~1 GB for a
 * 300 MB file and failed with "Invalid string length" at 600 MB); `--since 99999999d` and a rate over 100 % are
 * usage errors, not a RangeError or a gate that always passes.
 */
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLIENT_SUMMARY_BYTES, loadClientView } from '../../../analyzer/sources/client-summary.js';
import { parseTimeFlag } from '../../../cli/source-options.js';
import { LogjamError, UsageError } from '../../../common/errors.js';
import { parseThreshold } from '../../../analyzer/thresholds.js';
import { CLI, runBin, type CliResult } from '../../support/cli.js';
import { logLines, toNdjson } from '../../support/log-lines.js';

let dir: string;
let logs: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npm run build)`);
  dir = mkdtempSync(join(tmpdir(), 'logjam-bounds-'));
  logs = join(dir, 'app.ndjson');
  const L = logLines({ runId: 'run-1' });
  writeFileSync(logs, toNdjson([L.finish({ id: 'a' }), L.finish({ id: 'b', t: L.at(1000) })]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One line of message (plus its hint), exit 2, no stack trace. */
function expectUsageLine(r: CliResult, text: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(text);
  expect(r.stderr).not.toMatch(/\n\s+at \S+|RangeError|Invalid string length|unexpected error/);
  expect(r.stdout).toBe('');
}

describe('the client summary size cap', () => {
  it('a summary over 64 MiB is refused by its size, naming the cap and the size (a sparse file: nothing is read)', async () => {
    const big = join(dir, 'huge-summary.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 300 * 1024 * 1024);
    closeSync(fd);
    const r = await runBin(CLI, ['analyze', '--run', 'run-1', '--logs', logs, '--client-summary', big]);
    expectUsageLine(r, `the client summary ${big} is 300.0 MiB, over the 64.0 MiB cap for --client-summary`);
  });

  it('the cap also holds while reading (a file with no size up front, here a smaller cap)', async () => {
    const file = join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify({ metrics: { http_reqs: { count: 2 } }, pad: 'x'.repeat(4096) }));
    const err = await loadClientView(file, { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogjamError);
    expect((err as LogjamError).code).toBe('LJ_CLIENT_SUMMARY_TOO_LARGE');
    expect(MAX_CLIENT_SUMMARY_BYTES).toBe(64 * 1024 * 1024);
    // under the cap it reads as before
    expect((await loadClientView(file)).requests).toBe(2);
  });
});

describe('out-of-range flags', () => {
  it('--since 99999999d (before 1970, beyond a Date) is a usage error, in analyze, runs and trace', async () => {
    for (const args of [
      ['analyze', '--run', 'run-1', '--logs', logs, '--since', '99999999d'],
      ['runs', '--logs', logs, '--since', '99999999d'],
      ['trace', 'a', '--logs', logs, '--until', '99999999d'],
    ]) {
      expectUsageLine(await runBin(CLI, args), 'is out of range: it must fall between 1970-01-01 and the year 275760');
    }
    expect(() => parseTimeFlag('--since', `${'9'.repeat(400)}d`)).toThrow(UsageError);
    expect(() => parseTimeFlag('--since', '99999999999999999')).toThrow(UsageError);
    // in range still parses
    expect(parseTimeFlag('--since', '2h', 10 * 3_600_000)).toBe(8 * 3_600_000);
  });

  it('--fail-on "error_rate<200%" is a usage error; 100% is the largest rate', async () => {
    expectUsageLine(
      await runBin(CLI, ['analyze', '--run', 'run-1', '--logs', logs, '--fail-on', 'error_rate<200%']),
      '--fail-on "error_rate<200%": error_rate 200% is over 100%',
    );
    expect(() => parseThreshold('server_error_rate<=100.5%')).toThrow(UsageError);
    expect(parseThreshold('error_rate<100%').limit).toBe(1);
  });
});
