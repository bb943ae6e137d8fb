import { describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts } from '../../../analyzer/capacity/index.js';
import type { ClientView, Finding } from '../../../analyzer/model.js';
import { labLessons } from '../../../lab/lessons.js';
import { aggregate, latency } from '../capacity/fixtures.js';

const finding = (id: string, title: string): Finding => ({
  id,
  severity: 'critical',
  title,
  explanation: 'because',
  fix: 'fix it',
  counts: {},
  exampleRequestIds: [],
});

const client = (fails: number, noResponse: number): ClientView => ({
  file: 'summary.json',
  requests: 1000,
  failedRequests: fails,
  noResponse,
  checks: [{ name: 'is status 200', passes: 1000 - fails, fails }],
  // the lab's studiers think 120 s, scaled by the lab's time scale of 0.15
  thinkTimeS: 18,
});

const facts = parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048', workers: '1', targetVus: '2520' });

describe("the lab's three lessons", () => {
  it('finds all three in a buggy, overloaded run, each with its evidence', () => {
    const findings = [
      finding('suspicious-path', 'DELETE /api/v1/todos/undefined × 400, all 400'),
      finding('status-mismatch', 'check "is status 200" failed 900 times: POST /api/v1/todos answered 201 Created × 400'),
      finding('client-no-server-line', '100 client requests have no server line'),
    ];
    const overloaded = aggregate({
      totals: { latency: latency(600, 2000), dbMsMean: 5, poolWaitMsMean: 0 },
      runtime: { samples: 12, elDelayP99MsMax: 450, elDelayP99MsMean: 300, eluMean: 0.97, eluMax: 1, heapUsedMbMax: 90, poolWaitingMax: 0, poolTotalMax: 10 },
    });
    const capacity = computeCapacity(overloaded, client(900, 100), facts);
    const [one, two, three] = labLessons(findings, client(900, 100), capacity);
    expect(one).toMatchObject({ number: 1, found: true });
    expect(one!.evidence[0]).toContain('/todos/undefined');
    expect(two).toMatchObject({ number: 2, found: true });
    expect(two!.evidence[0]).toBe('900 of 1000 checks failed, but only 100 requests got no response at all: most failed checks are not timeouts.');
    expect(three).toMatchObject({ number: 3, found: true });
    expect(three!.evidence.join(' ')).toContain('CPU / event loop');
  });

  it('finds none in a fixed run the service serves, and says so plainly', () => {
    // 100 req/s at 5 ms each (1 ms of it DB) on one worker: ρ ≈ 0.4
    const healthy = aggregate({ totals: { latency: latency(5, 10), dbMsMean: 1, poolWaitMsMean: 0 } });
    const capacity = computeCapacity(healthy, client(0, 0), facts);
    const lessons = labLessons([], client(0, 0), capacity);
    expect(lessons.map((l) => l.found)).toEqual([false, false, false]);
    expect(lessons[0]!.evidence[0]).toContain('no request path carried');
    expect(lessons[1]!.evidence[0]).toBe('all 1000 checks passed');
  });

  it('does not claim lesson 2 when the failed checks are all timeouts', () => {
    const mismatch = [finding('status-mismatch', 'check failed')];
    const [, two] = labLessons(mismatch, client(300, 300), undefined);
    expect(two!.found).toBe(false);
  });
});
