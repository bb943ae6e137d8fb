/**
 * The lab's capacity probe reads through a burst of the machine's other work (the median of its half-second
 * windows), and a later step's peak follows its own probe only upward and only at the calibrated size.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RAISE_PEAK_ABOVE, calibrate, laterStepPeak, overloadAgainPeak, probeCapacity, probeRate, type ProbeResult } from '../../../lab/calibrate.js';
import { renderArcSummary, type ArcSummary } from '../../../lab/arc-summary.js';

const planners = { vus: 3, iterations: 60 };
const probe = (rps: number, failed = 0): ProbeResult => ({ rps, requests: rps * 3, meanMs: 16_000 / rps, concurrency: 16, durationS: 3, runId: 'r-probe', failed });

describe('the probe rate', () => {
  it('is the median of the windows: one window lost to other work does not pull it down', () => {
    // six half-second windows, 100 requests each but one (a burst took the core): 200 req/s, not the mean's 175
    expect(probeRate([100, 100, 25, 100, 100, 100], 525, 3)).toBe(200);
    expect(probeRate([90, 100, 110, 120], 420, 2)).toBe(210);
  });
  it('is the mean of a measurement too short for a median', () => {
    expect(probeRate([50, 70], 120, 1)).toBe(120);
  });
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('probeCapacity', () => {
  it('counts every measured request in its half-second windows and reports their median', async () => {
    server = createServer((_req, res) => void setTimeout(() => res.end('[]'), 5));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await probeCapacity({ url, runId: 'probe-test', concurrency: 4, durationMs: 3000, warmupMs: 300 });
    expect(r.failed).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    // 3 s = six whole windows, and every measured request is in one of them
    expect(r.windowRps).toHaveLength(6);
    expect(r.windowRps!.reduce((a, b) => a + b, 0) / 2).toBe(r.requests);
    // the rate is the windows' median (probeRate, above), not their total over the time
    expect(r.rps).toBe(probeRate(r.windowRps!.map((rate) => rate / 2), r.requests, 3));
  });
});

describe("a later step's peak", () => {
  const c = calibrate(probe(150), 1.5, 9.6, planners, 10, 3);

  it('keeps the calibrated peak when its own probe served about the same, or less', () => {
    expect(laterStepPeak(c, probe(150 * RAISE_PEAK_ABOVE - 1), 1)).toEqual({ studiersPeak: c.studiersPeak });
    expect(laterStepPeak(c, probe(60), 1)).toEqual({ studiersPeak: c.studiersPeak });
  });

  it('is raised to ratio × its own probe when the worker serves much more now', () => {
    const raised = laterStepPeak(c, probe(240), 1);
    expect(raised).toEqual({ studiersPeak: Math.round((1.5 * 240 - 10) * 9.6), raisedFrom: c.studiersPeak });
  });

  it('stays calibrated at another size (the verification) and for a probe with failures', () => {
    expect(laterStepPeak(c, probe(400), 2)).toEqual({ studiersPeak: c.studiersPeak });
    expect(laterStepPeak(c, { ...probe(400), failed: 200 }, 1)).toEqual({ studiersPeak: c.studiersPeak });
  });

  it('is said in the arc summary, with the step it raised', () => {
    const step = (name: 'buggy' | 'fixed', studiersPeak: number, probeRps: number, peakRaisedFrom?: number): ArcSummary['steps'][number] => ({
      step: name,
      variant: name,
      workers: 1,
      runId: `lab-${name}`,
      dir: name,
      probeRps,
      studiersPeak,
      ...(peakRaisedFrom !== undefined ? { peakRaisedFrom } : {}),
      numbers: { requests: 100, checksTotal: 100, checksFailed: 0, noResponse: 0, timeouts: 0, answeredCheckFailures: 0, serverErrors: 0, serverP95Ms: 10 },
      findings: [],
    });
    const summary = {
      calibration: c,
      steps: [step('buggy', c.studiersPeak, 150), step('fixed', 3360, 240, c.studiersPeak)],
      lessons: [],
      sizing: { recommendedWorkers: 2, hostableWorkers: 2, workers: 2, canHost: true, cores: 2 },
    } as unknown as ArcSummary;
    const plain = (s: string): string => s;
    const text = renderArcSummary(summary, { bold: plain, green: plain, dim: plain, yellow: plain });
    expect(text).toContain(`the fixed step's own probe served 240 req/s, more than the calibration's 150`);
    expect(text).toContain(`raised from ${c.studiersPeak} to 3360 studiers`);
    expect(text).not.toContain("the buggy step's own probe");
  });
});

describe('a one-worker test run again when its run did not overload the worker', () => {
  const c = calibrate(probe(150), 1.5, 9.6, planners, 10, 3);

  it('runs again at ratio × what the worker served during the run, when that is well above the peak it had', () => {
    // the worker served 200 req/s during the run (the probe said 150): 1.5 × 200 − 10 = 290 req/s of studiers
    expect(overloadAgainPeak(c, { timeouts: 0, capacityRps: 200 }, c.studiersPeak, 1)).toBe(Math.round(290 * 9.6));
  });

  it('lets the run stand when it timed out, served about what its peak assumed, or was another size', () => {
    expect(overloadAgainPeak(c, { timeouts: 3, capacityRps: 200 }, c.studiersPeak, 1)).toBeUndefined();
    expect(overloadAgainPeak(c, { timeouts: 0, capacityRps: 155 }, c.studiersPeak, 1)).toBeUndefined();
    expect(overloadAgainPeak(c, { timeouts: 0 }, c.studiersPeak, 1)).toBeUndefined();
    expect(overloadAgainPeak(c, { timeouts: 0, capacityRps: 400 }, c.studiersPeak, 2)).toBeUndefined();
  });

  it('is said in the arc summary, with the first run\'s numbers', () => {
    const numbers = { requests: 3229, checksTotal: 3229, checksFailed: 0, noResponse: 0, timeouts: 0, answeredCheckFailures: 0, serverErrors: 0, rho: 1.13, serverP95Ms: 10 };
    const summary = {
      calibration: c,
      steps: [],
      lessons: [],
      sizing: { recommendedWorkers: 2, hostableWorkers: 2, workers: 2, canHost: true, cores: 2 },
      reruns: [{ step: 'fixed', firstDir: '/runs/lab-1/fixed-not-overloaded', firstStudiersPeak: c.studiersPeak, firstNumbers: numbers, servedRps: 200, studiersPeak: 2784 }],
    } as unknown as ArcSummary;
    const plain = (s: string): string => s;
    const text = renderArcSummary(summary, { bold: plain, green: plain, dim: plain, yellow: plain });
    expect(text).toContain(`the fixed test ran twice: at ${c.studiersPeak} studiers its worker served 200 req/s (ρ 1.13, 0 timeouts in 3229 requests`);
    expect(text).toContain('ran again at 1.5 × that, 2784 studiers');
    expect(text).toContain('/runs/lab-1/fixed-not-overloaded');
  });
});
