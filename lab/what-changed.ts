/**
 * What each step of the arc changed, through `logjam compare` (analyzer/compare): the buggy run against the fixed
 * one (the undefined DELETEs and the 200-vs-201 checks gone, what remains), and the fixed run against the verified
 * size. With `--fixed` alone, the base is the latest earlier lab run in the same runs folder that has a buggy step,
 * re-analyzed from its own files — so a student who reruns only the fixed test still sees what the fix changed.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  COMPARE_FORMATS,
  analyzeRun,
  compareRuns,
  createLocalSource,
  loadClientView,
  type RunAnalysis,
  type RunComparison,
} from '../analyzer/index.js';
import type { ArcSummary } from './arc-summary.js';
import type { StepName } from './lab-step.js';

export interface StepComparison {
  base: { step: StepName; runId: string; labId: string };
  run: { step: StepName; runId: string };
  heading: string;
  comparison: RunComparison;
  /** the comparison's text and HTML files in the lab's folder */
  files: string[];
}

interface ComparedStep {
  step: StepName;
  runId: string;
  analysis: RunAnalysis;
}

const HEADINGS: Record<string, string> = {
  'buggy→fixed': 'what the fix changed (logjam compare: the buggy run → the fixed run)',
  'fixed→verify': 'what the bigger size changed (logjam compare: the fixed run → the verified size)',
};

/** Compares the pairs of this lab's steps, in the arc's order, and writes each comparison next to lab.json. */
export async function compareLabSteps(
  labId: string,
  dir: string,
  steps: Partial<Record<StepName, ComparedStep>>,
  earlierBuggy?: ComparedStep & { labId: string },
): Promise<StepComparison[]> {
  const pairs: Array<[ComparedStep & { labId?: string }, ComparedStep]> = [];
  const buggy = steps.buggy ?? earlierBuggy;
  if (buggy && steps.fixed) pairs.push([buggy, steps.fixed]);
  if (steps.fixed && steps.verify) pairs.push([steps.fixed, steps.verify]);
  const out: StepComparison[] = [];
  for (const [base, run] of pairs) {
    const comparison = compareRuns(base.analysis, run.analysis);
    const name = `compare-${base.step}-${run.step}`;
    const files = [join(dir, `${name}.txt`), join(dir, `${name}.html`)];
    await writeFile(files[0]!, COMPARE_FORMATS.terminal(comparison));
    await writeFile(files[1]!, COMPARE_FORMATS.html(comparison, { title: `logjam — lab ${labId}: ${base.step} → ${run.step}` }));
    out.push({
      base: { step: base.step, runId: base.runId, labId: base.labId ?? labId },
      run: { step: run.step, runId: run.runId },
      heading: HEADINGS[`${base.step}→${run.step}`] ?? `${base.step} → ${run.step}`,
      comparison,
      files,
    });
  }
  return out;
}

/**
 * The buggy step of the newest earlier lab run under `runsDir` (by its lab.json's time), analyzed again from its
 * app.ndjson and summary.json; undefined when there is none or its files are gone (a partial or deleted run).
 */
export async function findEarlierBuggyStep(runsDir: string, exceptLabId: string): Promise<(ComparedStep & { labId: string }) | undefined> {
  const entries = await readdir(runsDir).catch(() => [] as string[]);
  const candidates: Array<{ labId: string; mtime: number; summary: ArcSummary }> = [];
  for (const labId of entries) {
    if (labId === exceptLabId) continue;
    const file = join(runsDir, labId, 'lab.json');
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    try {
      const summary = JSON.parse(await readFile(file, 'utf8')) as ArcSummary;
      if (summary.steps?.some((s) => s.step === 'buggy')) candidates.push({ labId, mtime: info.mtimeMs, summary });
    } catch {
      // a lab.json that is not JSON (cut short by a crash) is not a base to compare with
    }
  }
  for (const c of candidates.sort((a, b) => b.mtime - a.mtime)) {
    const step = c.summary.steps.find((s) => s.step === 'buggy')!;
    try {
      const client = await loadClientView(join(step.dir, 'summary.json'));
      const analysis = await analyzeRun({ source: createLocalSource(join(step.dir, 'app.ndjson')), runId: step.runId, client });
      return { step: 'buggy', runId: step.runId, analysis, labId: c.labId };
    } catch {
      // its files are gone or unreadable: try the next older one
    }
  }
  return undefined;
}
