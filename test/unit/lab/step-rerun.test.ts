/**
 * The arc's wiring of a step's second run (run-lab.ts), with the steps themselves stubbed: a one-worker run (buggy or
 * fixed) with no timeouts whose worker served well above its probe runs once more at the calibration's ratio × what
 * it served; the first run's folder is kept beside it; lab.json records both; the steps after it start from the
 * second run's peak. (The steps are real in test/e2e/lab-command.test.ts; this case depends on the machine getting
 * less busy mid-arc, which no test can arrange there.)
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Analyzer from '../../../analyzer/index.js';
import type { ProbeResult } from '../../../lab/calibrate.js';
import type { StepResult, StepSettings } from '../../../lab/lab-step.js';

/** each call: the probe the stub reports, and what the run then measured */
const script: { probeRps: number; timeouts: number; capacityRps: number }[] = [];
const peaks: { step: string; workers: number; studiersPeak: number }[] = [];

vi.mock('../../../lab/lab-step.js', () => ({
  runStep: async (s: StepSettings): Promise<StepResult | undefined> => {
    const next = script.shift()!;
    const probe: ProbeResult = { rps: next.probeRps, requests: next.probeRps * 3, meanMs: 50, concurrency: 16, durationS: 3, runId: `${s.runId}-probe`, failed: 0 };
    const decision = s.onProbe(probe, s.cpuWorkMs, false);
    if (!('studiersPeak' in decision)) throw new Error('no retry expected');
    peaks.push({ step: s.step, workers: s.workers, studiersPeak: decision.studiersPeak });
    await mkdir(s.dir, { recursive: true });
    await writeFile(join(s.dir, 'report.md'), '# report\n');
    const numbers = {
      requests: 3000,
      checksTotal: 3000,
      checksFailed: next.timeouts,
      noResponse: next.timeouts,
      timeouts: next.timeouts,
      answeredCheckFailures: 0,
      serverErrors: 0,
      rho: (decision.studiersPeak / 9.6) / next.capacityRps,
      capacityRps: next.capacityRps,
      serverP95Ms: 100,
    };
    const { onProbe: _onProbe, ...settings } = s;
    return {
      settings,
      studiersPeak: decision.studiersPeak,
      ...(decision.peakRaisedFrom !== undefined ? { peakRaisedFrom: decision.peakRaisedFrom } : {}),
      probe,
      numbers,
      findings: [],
      client: { file: 'summary.json', requests: 3000, failedRequests: 0, checks: [] },
      report: {} as StepResult['report'],
      htmlPath: join(s.dir, 'report.html'),
      logFile: join(s.dir, 'app.ndjson'),
      summaryPath: join(s.dir, 'summary.json'),
      analysis: {} as StepResult['analysis'],
    };
  },
}));
vi.mock('../../../lab/what-changed.js', () => ({ compareLabSteps: async () => [], findEarlierBuggyStep: async () => undefined }));
vi.mock('../../../analyzer/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof Analyzer>();
  return { ...real, OUTPUT_FORMATS: { ...real.OUTPUT_FORMATS, terminal: { ...real.OUTPUT_FORMATS.terminal, render: () => '(report)\n' } } };
});

const { runLab } = await import('../../../lab/run-lab.js');

type LabJson = Record<string, unknown> & { reruns?: Record<string, unknown>[]; steps: { step: string; studiersPeak: number; numbers: { timeouts: number } }[] };

let dir: string | undefined;
afterEach(async () => {
  script.length = 0;
  peaks.length = 0;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function lab(mode: 'arc' | 'verify'): Promise<{ summary: LabJson; labDir: string; stderr: string }> {
  dir = await mkdtemp(join(tmpdir(), 'logjam-rerun-'));
  const stderr = new PassThrough();
  let said = '';
  stderr.on('data', (c: Buffer) => (said += c.toString()));
  const result = await runLab(
    { mode, timeScale: 0.08, vuScale: 1, timeoutMs: 4800, cpuWorkMs: 3, poolMax: 10, peakRatio: 1.5, probeMs: 3000, runsDir: dir, runId: 'lab-t' },
    { stdout: new PassThrough(), stderr: stderr as unknown as NodeJS.WriteStream, color: false, signal: new AbortController().signal },
  );
  const summary = JSON.parse(await readFile(join(result.dir, 'lab.json'), 'utf8')) as LabJson;
  return { summary, labDir: result.dir, stderr: said };
}

describe('a one-worker step run again when it did not overload the worker', () => {
  it('runs once more at ratio × what the worker served, keeps the first run, and says so', async () => {
    script.push(
      { probeRps: 100, timeouts: 300, capacityRps: 90 }, // buggy: calibrates at 100 req/s
      { probeRps: 100, timeouts: 0, capacityRps: 160 }, // fixed: the machine served 1.6 × the probe
      { probeRps: 100, timeouts: 120, capacityRps: 150 }, // fixed again
    );
    const { summary, labDir, stderr } = await lab('arc');
    expect(peaks.map((p) => p.step)).toEqual(['buggy', 'fixed', 'fixed']);
    const calibrated = peaks[0]!.studiersPeak;
    expect(peaks[1]!.studiersPeak).toBe(calibrated);
    // 1.5 × 160 req/s, less the planners' share, × Z: above the calibrated peak by the served/probe factor
    expect(peaks[2]!.studiersPeak).toBeGreaterThan(1.5 * calibrated);
    expect(summary.reruns).toEqual([expect.objectContaining({ step: 'fixed', firstStudiersPeak: calibrated, servedRps: 160, studiersPeak: peaks[2]!.studiersPeak })]);
    expect(summary.steps.map((s) => [s.step, s.numbers.timeouts])).toEqual([['buggy', 300], ['fixed', 120]]);
    expect(existsSync(join(labDir, 'fixed-not-overloaded', 'report.md'))).toBe(true);
    expect(existsSync(join(labDir, 'fixed', 'report.md'))).toBe(true);
    expect(stderr).toContain('the fixed run had no timeouts');
    expect(await readFile(join(labDir, 'lab.txt'), 'utf8')).toContain('the fixed test ran twice');
  });

  it('runs it only once, and lets a fixed run that timed out stand', async () => {
    script.push({ probeRps: 100, timeouts: 300, capacityRps: 90 }, { probeRps: 100, timeouts: 0, capacityRps: 160 }, { probeRps: 100, timeouts: 0, capacityRps: 260 });
    const again = await lab('arc');
    expect(peaks.map((p) => p.step)).toEqual(['buggy', 'fixed', 'fixed']);
    expect(again.summary.reruns).toHaveLength(1);
    await rm(dir!, { recursive: true, force: true });
    peaks.length = 0;
    script.push({ probeRps: 100, timeouts: 300, capacityRps: 90 }, { probeRps: 100, timeouts: 40, capacityRps: 160 });
    const stands = await lab('arc');
    expect(peaks.map((p) => p.step)).toEqual(['buggy', 'fixed']);
    expect(stands.summary.reruns).toBeUndefined();
  });

  it('a buggy run read off a busy probe runs again, and the fixed step starts from its second run\'s peak', async () => {
    script.push(
      { probeRps: 100, timeouts: 0, capacityRps: 190 }, // buggy: the probe was read while the machine was busy
      { probeRps: 100, timeouts: 400, capacityRps: 180 }, // buggy again, overloaded
      { probeRps: 100, timeouts: 150, capacityRps: 170 }, // fixed
    );
    const { summary, labDir, stderr } = await lab('arc');
    expect(peaks.map((p) => p.step)).toEqual(['buggy', 'buggy', 'fixed']);
    const [first, second, fixedRun] = peaks.map((p) => p.studiersPeak);
    expect(second).toBeGreaterThan(1.5 * first!);
    expect(fixedRun).toBe(second);
    expect(summary.reruns).toEqual([expect.objectContaining({ step: 'buggy', firstStudiersPeak: first, servedRps: 190, studiersPeak: second })]);
    expect(summary.steps.map((s) => [s.step, s.studiersPeak, s.numbers.timeouts])).toEqual([['buggy', second, 400], ['fixed', second, 150]]);
    expect(existsSync(join(labDir, 'buggy-not-overloaded', 'report.md'))).toBe(true);
    expect(stderr).toContain('the buggy run had no timeouts');
    expect(stderr).toContain('the fixed step after it starts from that peak');
    const text = await readFile(join(labDir, 'lab.txt'), 'utf8');
    expect(text).toContain('the buggy test ran twice');
    // the fixed step's peak is the rerun's, not one its own probe raised
    expect(text).not.toContain("the fixed step's own probe");
  });

  it('each step runs again at most once: a buggy and then a fixed run that both missed the overload', async () => {
    script.push(
      { probeRps: 100, timeouts: 0, capacityRps: 190 },
      { probeRps: 100, timeouts: 300, capacityRps: 180 },
      { probeRps: 100, timeouts: 0, capacityRps: 320 }, // the machine freed up again
      { probeRps: 100, timeouts: 0, capacityRps: 500 }, // still no timeouts: it stands
    );
    const { summary } = await lab('arc');
    expect(peaks.map((p) => p.step)).toEqual(['buggy', 'buggy', 'fixed', 'fixed']);
    expect(peaks[3]!.studiersPeak).toBeGreaterThan(peaks[2]!.studiersPeak);
    expect(summary.reruns?.map((r) => r.step)).toEqual(['buggy', 'fixed']);
  });

  it('a fixed step whose own probe served much more is raised, and lab.txt says from what', async () => {
    script.push({ probeRps: 100, timeouts: 300, capacityRps: 90 }, { probeRps: 150, timeouts: 100, capacityRps: 140 });
    const { summary, labDir } = await lab('arc');
    const [calibrated, raised] = peaks.map((p) => p.studiersPeak);
    expect(raised).toBeGreaterThan(calibrated!);
    expect(summary.steps.map((s) => (s as { peakRaisedFrom?: number }).peakRaisedFrom)).toEqual([undefined, calibrated]);
    expect(await readFile(join(labDir, 'lab.txt'), 'utf8')).toContain(`its peak was raised from ${calibrated} to ${raised} studiers`);
  });

  it('--verify: the bigger size gets the second fixed run\'s peak', async () => {
    script.push({ probeRps: 100, timeouts: 0, capacityRps: 170 }, { probeRps: 100, timeouts: 90, capacityRps: 160 }, { probeRps: 180, timeouts: 0, capacityRps: 300 });
    await lab('verify');
    expect(peaks.map((p) => [p.step, p.workers])).toEqual([['fixed', 1], ['fixed', 1], ['verify', 2]]);
    expect(peaks[2]!.studiersPeak).toBe(peaks[1]!.studiersPeak);
    expect(peaks[1]!.studiersPeak).toBeGreaterThan(peaks[0]!.studiersPeak);
  });
});
