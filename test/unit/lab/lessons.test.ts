import { describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts } from '../../../analyzer/capacity/index.js';
import type { ClientView, Finding } from '../../../analyzer/model.js';
import type { StepNumbers } from '../../../lab/lab-step.js';
import { arcLessons, type RunFacts } from '../../../lab/lessons.js';
import { aggregate, latency } from '../capacity/fixtures.js';

const finding = (id: string, title: string, counts: Record<string, number> = {}): Finding => ({
  id,
  severity: 'critical',
  title,
  explanation: 'because',
  fix: 'fix it',
  counts,
  exampleRequestIds: [],
});

const client = (fails: number, noResponse: number): ClientView => ({
  file: 'summary.json',
  requests: 1000,
  failedRequests: fails,
  noResponse,
  checks: [{ name: 'is status 200', passes: 1000 - fails, fails }],
  // the lab's studiers think 120 s, scaled by the lab's time scale of 0.1
  thinkTimeS: 12,
});

const numbers = (checksFailed: number, noResponse: number, over: Partial<StepNumbers> = {}): StepNumbers => ({
  requests: 1000,
  checksTotal: 1000,
  checksFailed,
  noResponse,
  timeouts: noResponse,
  answeredCheckFailures: checksFailed - noResponse,
  serverErrors: 0,
  serverP95Ms: 100,
  ...over,
});

const facts = parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048', workers: '1', targetVus: '2520' });
const overloaded = aggregate({
  totals: { latency: latency(600, 2000), dbMsMean: 5, poolWaitMsMean: 0 },
  runtime: { samples: 12, elDelayP99MsMax: 450, elDelayP99MsMean: 300, eluMean: 0.97, eluMax: 1, heapUsedMbMax: 90, poolWaitingMax: 0, poolTotalMax: 10 },
});

const buggy: RunFacts = {
  step: 'buggy',
  findings: [
    finding('suspicious-path', 'DELETE /api/v1/todos/undefined × 400, all 400', { requests: 400 }),
    finding('status-mismatch', 'check "is status 200" failed 900 times: POST /api/v1/todos answered 201 Created × 400', { serverCount: 400 }),
    finding('state-left-behind', '400 todos created, 0 deleted: the test leaves 400 todos behind'),
  ],
  numbers: numbers(900, 100),
  capacity: computeCapacity(overloaded, client(900, 100), facts),
};

describe("the lab's three lessons, across the arc", () => {
  it('lessons 1 and 2 from the buggy run, lesson 3 from the fixed run that still times out', () => {
    const fixed: RunFacts = { step: 'fixed', findings: [], numbers: numbers(80, 80), capacity: computeCapacity(overloaded, client(80, 80), facts) };
    const line = { file: 'loadtests/k6/planners-and-studiers.js', line: 90, text: '  const deleteRequest = http.del(`${url}/${request.id}`, null, params(data));' };
    const [one, two, three] = arcLessons({ buggy, fixed }, line);
    expect(one).toMatchObject({ number: 1, found: true, from: 'buggy' });
    expect(one!.evidence.join('\n')).toContain('loadtests/k6/planners-and-studiers.js:90');
    expect(one!.evidence.join('\n')).toContain('400 todos created, 0 deleted');
    expect(two).toMatchObject({ number: 2, found: true, from: 'buggy' });
    expect(two!.evidence[0]).toBe('900 of 1000 checks failed, and 100 requests got no response (100 timeouts): 800 failed checks were on requests the server answered.');
    expect(two!.evidence[1]).toMatch(/^400 of them: check "is status 200"/);
    expect(three).toMatchObject({ number: 3, found: true, from: 'fixed' });
    expect(three!.evidence[0]).toBe('after the fixes, 80 requests still got no response (80 timeouts), every check of an answered request passing');
    expect(three!.evidence.join('\n')).toContain('ρ = X / capacity');
    expect(three!.evidence.join(' ')).toContain('CPU / event loop');
  });

  it('finds none in a fixed run the service serves, and says so plainly', () => {
    // 100 req/s at 5 ms each (1 ms of it DB) on one worker: ρ ≈ 0.4
    const healthy = aggregate({ totals: { latency: latency(5, 10), dbMsMean: 1, poolWaitMsMean: 0 } });
    const fixed: RunFacts = { step: 'fixed', findings: [], numbers: numbers(0, 0), capacity: computeCapacity(healthy, client(0, 0), facts) };
    const lessons = arcLessons({ fixed });
    expect(lessons.map((l) => l.found)).toEqual([false, false, false]);
    expect(lessons[0]!.evidence[0]).toContain('no request path carried');
    expect(lessons[1]!.evidence[0]).toBe('all 1000 checks passed');
  });

  it('does not claim lesson 2 when the failed checks are all timeouts', () => {
    const run: RunFacts = { step: 'buggy', findings: [finding('status-mismatch', 'check failed')], numbers: numbers(300, 300) };
    const [, two] = arcLessons({ buggy: run });
    expect(two!.found).toBe(false);
  });
});
