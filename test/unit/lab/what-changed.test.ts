/**
 * The lab's `logjam compare` step (lab/what-changed.ts): a fixed run compared with the newest earlier buggy run of
 * the same runs folder, re-analyzed from that run's own files — the undefined DELETEs gone — and the comparison
 * written beside lab.json. Crafted logs through the real local source and pipeline.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRun } from '../../../analyzer/pipeline.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { compareLabSteps, findEarlierBuggyStep } from '../../../lab/what-changed.js';
import { logLines, toNdjson, type Line } from '../../support/log-lines.js';

const SUMMARY_FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'analyzer', 'node-runner-summary.json');

function runLines(runId: string, undefinedDeletes: number): Line[] {
  const l = logLines({ runId });
  const lines: Line[] = [];
  for (let i = 0; i < 300; i++) lines.push(l.finish({ id: `${runId}-${i}`, t: l.at(i * 50), route: '/api/v1/todos', ms: 5 + (i % 7) }));
  for (let i = 0; i < undefinedDeletes; i++) {
    lines.push(l.finish({ id: `${runId}-d${i}`, t: l.at(i * 100), method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400, ms: 2 }));
  }
  return lines;
}

/** An earlier lab folder the way runLab leaves it: lab.json, and its buggy step's app.ndjson and summary.json. */
function writeEarlierLab(runsDir: string, labId: string, mtime: Date, steps: string[] = ['buggy']): string {
  const dir = join(runsDir, labId);
  const stepDir = join(dir, 'buggy');
  mkdirSync(stepDir, { recursive: true });
  writeFileSync(join(stepDir, 'app.ndjson'), toNdjson(runLines(`${labId}-buggy`, 40)));
  copyFileSync(SUMMARY_FIXTURE, join(stepDir, 'summary.json'));
  const lab = join(dir, 'lab.json');
  writeFileSync(lab, JSON.stringify({ version: 1, runId: labId, steps: steps.map((step) => ({ step, runId: `${labId}-${step}`, dir: stepDir })) }));
  utimesSync(lab, mtime, mtime);
  return dir;
}

describe('the lab compares its fixed run with the buggy one', () => {
  it('finds the newest earlier buggy run, re-analyzes it from its files, and shows the undefined DELETEs gone', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'logjam-lab-compare-'));
    writeEarlierLab(runsDir, 'lab-older', new Date('2026-01-01T00:00:00Z'));
    writeEarlierLab(runsDir, 'lab-newer', new Date('2026-02-01T00:00:00Z'));
    writeEarlierLab(runsDir, 'lab-fixed-only', new Date('2026-03-01T00:00:00Z'), ['fixed']);
    mkdirSync(join(runsDir, 'lab-broken'));
    writeFileSync(join(runsDir, 'lab-broken', 'lab.json'), '{"steps": [');

    const earlier = await findEarlierBuggyStep(runsDir, 'lab-now');
    expect(earlier?.labId).toBe('lab-newer');
    expect(earlier?.runId).toBe('lab-newer-buggy');

    const nowDir = join(runsDir, 'lab-now');
    mkdirSync(nowDir);
    const fixedLog = join(nowDir, 'fixed.ndjson');
    writeFileSync(fixedLog, toNdjson(runLines('lab-now-fixed', 0)));
    const fixed = await analyzeRun({ source: createLocalSource(fixedLog), runId: 'lab-now-fixed' });
    const [c] = await compareLabSteps('lab-now', nowDir, { fixed: { step: 'fixed', runId: 'lab-now-fixed', analysis: fixed } }, earlier);

    expect(c?.base).toEqual({ step: 'buggy', runId: 'lab-newer-buggy', labId: 'lab-newer' });
    expect(c?.comparison.findings.vanished.map((f) => f.id)).toContain('suspicious-path');
    expect(c?.comparison.findings.appeared.map((f) => f.id)).not.toContain('suspicious-path');
    for (const file of c!.files) expect(existsSync(file), file).toBe(true);
    expect(readFileSync(c!.files[0]!, 'utf8')).toContain('/api/v1/todos/undefined');
  });

  it('no earlier buggy run (none, or only fixed-only and unreadable ones): nothing to compare with', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'logjam-lab-compare-'));
    expect(await findEarlierBuggyStep(join(runsDir, 'missing'), 'lab-now')).toBeUndefined();
    writeEarlierLab(runsDir, 'lab-fixed-only', new Date(), ['fixed']);
    mkdirSync(join(runsDir, 'lab-broken'));
    writeFileSync(join(runsDir, 'lab-broken', 'lab.json'), 'not json');
    expect(await findEarlierBuggyStep(runsDir, 'lab-now')).toBeUndefined();
    // the current lab itself is never its own base
    writeEarlierLab(runsDir, 'lab-now', new Date());
    expect(await findEarlierBuggyStep(runsDir, 'lab-now')).toBeUndefined();
  });
});
