/**
 * The built CLI on the hostile corpus: `analyze --logs`, `runs --logs` and `trace --logs` exit 0 (no stack trace,
 * no "unexpected error"), and the --json input accounting carries the exact bucket counts, summing to totalLines.
 * Uses dist/ (run `npx tsc -p tsconfig.build.json` first).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALIAS, CLI, runBin, type CliResult } from '../../support/cli.js';
import { HOSTILE_RUN_ID, writeCorpus, type Expected } from '../../fixtures/hostile/generate.js';
import { figure } from './figures.js';

const run = runBin;
type Result = CliResult;

/** No crash text on stderr: a stack frame or the catch-all "unexpected error" means something threw. */
function expectNoCrash(r: Result): void {
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at \S+ \(|TypeError|RangeError/);
}

let dir: string;
let path: string;
let expected: Expected;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npx tsc -p tsconfig.build.json)`);
  dir = mkdtempSync(join(tmpdir(), 'logjam-hostile-cli-'));
  ({ path, expected } = writeCorpus(dir));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the CLI on the hostile corpus', () => {
  it('analyze --logs --json: exit 0, exact accounting that sums to totalLines', async () => {
    const r = await run(CLI, ['analyze', '--run', HOSTILE_RUN_ID, '--logs', path, '--json']);
    expectNoCrash(r);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { input: Record<string, number>; run: { totals: { requests: number } }; findings: { id: string; severity: string }[] };
    const i = report.input;
    expect({
      totalLines: i.totalLines,
      parsed: i.parsed,
      malformed: i.malformed,
      oversized: i.oversized,
      foreign: i.foreign,
      otherRuns: i.otherRuns,
      requests: report.run.totals.requests,
      duplicates: i.duplicates,
    }).toEqual(expected);
    expect(i.parsed! + i.malformed! + i.oversized! + i.foreign! + i.otherRuns! + (i.outsideTimeRange ?? 0)).toBe(i.totalLines);
    // the skipped lines are a finding, not a silent drop: 34 of 46 lines is far over 1 %
    expect(report.findings.find((f) => f.id === 'input-skipped')?.severity).toBe('warning');
    figure('CLI analyze --logs (hostile corpus)', `exit ${r.code}; input ${JSON.stringify({ totalLines: i.totalLines, parsed: i.parsed, malformed: i.malformed, oversized: i.oversized, foreign: i.foreign, otherRuns: i.otherRuns })}; input-skipped finding raised`);
  });

  it('analyze (terminal and markdown output), runs and trace: exit 0, no crash', async () => {
    const results = {
      terminal: await run(CLI, ['analyze', '--run', HOSTILE_RUN_ID, '--logs', path]),
      markdown: await run(ALIAS, ['--run', HOSTILE_RUN_ID, '--logs', path, '--markdown']),
      runs: await run(CLI, ['runs', '--logs', path, '--json']),
      trace: await run(CLI, ['trace', 'h-1', '--logs', path]),
      traceUtf8: await run(CLI, ['trace', 'h-4', '--logs', path, '--json']),
      // its line nests 100k levels deep: foreign, so trace has nothing to serialise (it used to overflow the stack)
      traceDeep: await run(CLI, ['trace', 'h-deep', '--logs', path, '--json']),
    };
    for (const [name, r] of Object.entries(results)) {
      expectNoCrash(r);
      // a request with no (logjam) lines is a clean "not found" (exit 2), not a crash
      expect({ name, code: r.code }).toEqual({ name, code: name === 'traceDeep' ? 2 : 0 });
    }
    expect(results.traceDeep.stderr).toContain('no lines for request "h-deep"');
    // the terminal report shows the accounting a person reads
    expect(results.terminal.stdout).toContain(String(expected.totalLines));
    const { runs } = JSON.parse(results.runs.stdout) as { runs: { runId: string }[] };
    expect(runs.map((x) => x.runId).sort()).toEqual([HOSTILE_RUN_ID, 'other-run']);
    // the invalid UTF-8 inside the path came out as U+FFFD, and the output is still valid JSON
    expect(results.traceUtf8.stdout).toContain('\ufffd');
    figure('CLI runs/trace/markdown (hostile corpus)', `6 invocations, all exit 0; runs lists ${runs.length} runs`);
  });
});
