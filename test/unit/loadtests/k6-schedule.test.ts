/**
 * The executors' schedules against k6's documented behaviour, as pure functions (no timers, no I/O):
 * arrival-rate start times, k6's option defaults and shorthands, k6's duration syntax, and thresholds.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/errors.js';
import { arrivalTimesMs, iterationsDueBy } from '../../../loadtests/runner/arrival-schedule.js';
import { parseK6Duration } from '../../../loadtests/runner/duration.js';
import { scenarioConfigs } from '../../../loadtests/runner/k6-options.js';
import { executorMaxDurationMs, executorMaxVus, scaleExecutor } from '../../../loadtests/runner/scale.js';
import { Thresholds } from '../../../loadtests/runner/thresholds.js';
import type { ConstantArrivalRatePlan, RampingArrivalRatePlan } from '../../../loadtests/runner/types.js';

describe('constant-arrival-rate schedule', () => {
  const plan: ConstantArrivalRatePlan = {
    executor: 'constant-arrival-rate',
    rate: 10,
    timeUnitMs: 1000,
    durationMs: 3000,
    preAllocatedVUs: 5,
    maxVUs: 5,
    gracefulStopMs: 0,
  };

  it('k6: "at a rate of 10 with a timeUnit of 1s, each iteration starts about every 100ms", the first at 0', () => {
    const times = [...arrivalTimesMs(plan)];
    expect(times).toHaveLength(30);
    expect(times.slice(0, 4)).toEqual([0, 100, 200, 300]);
    expect(times.at(-1)).toBeCloseTo(2900, 6);
  });

  it('rate per timeUnit: 30 per 1m is one every 2 s', () => {
    const times = [...arrivalTimesMs({ ...plan, rate: 30, timeUnitMs: 60_000, durationMs: 10_000 })];
    expect(times).toEqual([0, 2000, 4000, 6000, 8000]);
  });
});

describe('ramping-arrival-rate schedule', () => {
  it('ramps linearly: 0 → 10/s over 10 s starts N(t) = t²/2 iterations (t in s, 50 in all), the first when N reaches 1', () => {
    const plan: RampingArrivalRatePlan = {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: 1000,
      stages: [{ durationMs: 10_000, target: 10 }],
      preAllocatedVUs: 1,
      maxVUs: 1,
      gracefulStopMs: 0,
    };
    const times = [...arrivalTimesMs(plan)];
    expect(iterationsDueBy(plan, 10_000)).toBeCloseTo(50, 9);
    expect(times).toHaveLength(49); // iteration 50 would start exactly at the end, which is not inside the stages
    // the i-th start at sqrt(2 i) seconds
    for (const i of [1, 5, 20, 49]) expect(times[i - 1]! / 1000).toBeCloseTo(Math.sqrt(2 * i), 6);
    // never out of order
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it("follows k6's docs example: startRate 300/1m, stages 1m@300, 2m→600, 4m@600, 2m→60, 1m@60", () => {
    const plan: RampingArrivalRatePlan = {
      executor: 'ramping-arrival-rate',
      startRate: 300,
      timeUnitMs: 60_000,
      stages: [
        { durationMs: 60_000, target: 300 },
        { durationMs: 120_000, target: 600 },
        { durationMs: 240_000, target: 600 },
        { durationMs: 120_000, target: 60 },
        { durationMs: 60_000, target: 60 },
      ],
      preAllocatedVUs: 50,
      maxVUs: 50,
      gracefulStopMs: 0,
    };
    // areas: 300 + (300+600)/2·2 + 600·4 + (600+60)/2·2 + 60 = 300 + 900 + 2400 + 660 + 60 = 4320
    expect(iterationsDueBy(plan, 600_000)).toBeCloseTo(4320, 6);
    let count = 0;
    let firstMinute = 0;
    for (const t of arrivalTimesMs(plan)) {
      count++;
      if (t < 60_000) firstMinute++;
    }
    expect(count).toBe(4320);
    expect(firstMinute).toBe(300); // 5/s: one every 200 ms from 0
  });

  it('a stage that holds rate 0 starts nothing', () => {
    const plan: RampingArrivalRatePlan = {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: 1000,
      stages: [{ durationMs: 5000, target: 0 }],
      preAllocatedVUs: 1,
      maxVUs: 1,
      gracefulStopMs: 0,
    };
    expect([...arrivalTimesMs(plan)]).toEqual([]);
  });
});

describe("k6's options: executors and their documented defaults", () => {
  const only = (scenario: Record<string, unknown>) => scenarioConfigs({ scenarios: { s: scenario } })[0]!;

  it('ramping-vus: startVUs 1, gracefulRampDown 30s, gracefulStop 30s', () => {
    expect(only({ executor: 'ramping-vus', stages: [{ duration: '20s', target: 10 }] }).executor).toEqual({
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [{ durationS: 20, target: 10 }],
      gracefulRampDownS: 30,
      gracefulStopS: 30,
    });
  });

  it('shared-iterations and per-vu-iterations: vus 1, iterations 1, maxDuration 10m', () => {
    expect(only({ executor: 'shared-iterations' }).executor).toEqual({
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      maxDurationS: 600,
      gracefulStopS: 30,
    });
    const perVu = scaleExecutor(only({ executor: 'per-vu-iterations', vus: 10, iterations: 20, maxDuration: '1h30m' }).executor, 1, 1);
    expect(perVu).toMatchObject({ vus: 10, iterations: 20, maxDurationMs: 5_400_000 });
    // per-vu: every VU is busy; shared: never more VUs than iterations
    expect(executorMaxVus(perVu)).toBe(10);
    expect(executorMaxVus(scaleExecutor(only({ executor: 'shared-iterations', vus: 10, iterations: 3 }).executor, 1, 1))).toBe(3);
  });

  it('constant-vus: vus 1; duration required', () => {
    expect(only({ executor: 'constant-vus', duration: '30s' }).executor).toEqual({ executor: 'constant-vus', vus: 1, durationS: 30, gracefulStopS: 30 });
    expect(() => only({ executor: 'constant-vus' })).toThrow(/duration is required/);
  });

  it('arrival rates: timeUnit 1s, maxVUs = preAllocatedVUs, startRate 0; preAllocatedVUs required', () => {
    expect(only({ executor: 'constant-arrival-rate', rate: 50, duration: '30s', preAllocatedVUs: 20 }).executor).toEqual({
      executor: 'constant-arrival-rate',
      rate: 50,
      timeUnitS: 1,
      durationS: 30,
      preAllocatedVUs: 20,
      maxVUs: 20,
      gracefulStopS: 30,
    });
    expect(only({ executor: 'ramping-arrival-rate', stages: [{ duration: '1m', target: 5 }], preAllocatedVUs: 2, maxVUs: 9 }).executor).toMatchObject({
      startRate: 0,
      timeUnitS: 1,
      maxVUs: 9,
    });
    expect(() => only({ executor: 'constant-arrival-rate', rate: 5, duration: '1s' })).toThrow(/preAllocatedVUs is required/);
  });

  it('common options: exec (default "default"), startTime, env, tags; the hard deadline includes startTime', () => {
    const c = only({ executor: 'constant-vus', duration: '10s', exec: 'browse', startTime: '30s', env: { A: 1 }, tags: { team: 'x' } });
    expect(c).toMatchObject({ exec: 'browse', startTimeS: 30, env: { A: '1' }, tags: { team: 'x' } });
    expect(only({ executor: 'constant-vus', duration: '10s' }).exec).toBe('default');
    expect(executorMaxDurationMs(scaleExecutor(c.executor, 1, 1))).toBe(40_000);
  });

  it("k6's shorthands: stages → ramping-vus, vus+duration → constant-vus, iterations → shared-iterations, nothing → 1 iteration", () => {
    expect(scenarioConfigs({ stages: [{ duration: '1m', target: 5 }] })[0]).toMatchObject({ name: 'default', executor: { executor: 'ramping-vus', startVUs: 1 } });
    expect(scenarioConfigs({ vus: 10, duration: '30s' })[0]!.executor).toMatchObject({ executor: 'constant-vus', vus: 10, durationS: 30 });
    expect(scenarioConfigs({ vus: 2, iterations: 8 })[0]!.executor).toMatchObject({ executor: 'shared-iterations', vus: 2, iterations: 8 });
    expect(scenarioConfigs(undefined)[0]!.executor).toMatchObject({ executor: 'shared-iterations', vus: 1, iterations: 1 });
  });

  it('bad options are a UsageError naming the scenario and the field', () => {
    expect(() => only({ executor: 'constant-vus', vus: 'ten', duration: '1s' })).toThrow(UsageError);
    expect(() => only({ executor: 'constant-vus', vus: 2, duration: '10 minutes' })).toThrow(/scenario "s": duration must be a duration/);
    expect(() => only({ executor: 'warp-speed' })).toThrow(/unknown executor "warp-speed"/);
    expect(() => only({ executor: 'externally-controlled' })).toThrow(/not supported/);
    // k6 rejects unknown fields too: a typo must not silently fall back to a default
    expect(() => only({ executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 2, maxVus: 10 })).toThrow(
      /unknown option "maxVus" for constant-arrival-rate/,
    );
  });
});

describe("k6's duration syntax", () => {
  it('sums units; numbers are ms', () => {
    expect(parseK6Duration('1m30s')).toBe(90_000);
    expect(parseK6Duration('1h')).toBe(3_600_000);
    expect(parseK6Duration('500ms')).toBe(500);
    expect(parseK6Duration('1.5s')).toBe(1500);
    expect(parseK6Duration(250)).toBe(250);
    expect(parseK6Duration('0')).toBe(0);
    expect(parseK6Duration('30')).toBeUndefined();
    expect(parseK6Duration('1x')).toBeUndefined();
    expect(parseK6Duration('')).toBeUndefined();
  });
});

describe('thresholds', () => {
  it('per-tag sub-metrics see only their samples; p(N), rate, count', () => {
    const t = new Thresholds({
      http_req_duration: ['p(95)<500'],
      'http_req_duration{name:list items}': ['max<100'],
      http_req_failed: ['rate<0.5'],
      checks: ['rate>0.99'],
      http_reqs: ['count>=3'],
    });
    t.sample('http_req_duration', 50, { name: 'list items', method: 'GET' });
    t.sample('http_req_duration', 900, { name: 'checkout', method: 'POST' });
    t.sample('http_req_duration', 80, { name: 'list items', method: 'GET' });
    for (const failed of [0, 1, 0]) t.sample('http_req_failed', failed, {});
    for (let i = 0; i < 3; i++) t.sample('http_reqs', 1, {});
    t.sample('checks', 1, { check: 'is 200' });
    t.sample('checks', 0, { check: 'is 200' });
    const results = Object.fromEntries(t.evaluate(1000).map((r) => [`${r.metric} ${r.threshold}`, r]));
    expect(results['http_req_duration{name:list items} max<100']).toMatchObject({ ok: true, actual: 80 });
    expect(results['http_req_duration p(95)<500']!.ok).toBe(false); // the 900 ms checkout is in the untagged metric
    expect(results['http_req_failed rate<0.5']).toMatchObject({ ok: true });
    expect(results['http_req_failed rate<0.5']!.actual).toBeCloseTo(1 / 3);
    expect(results['checks rate>0.99']).toMatchObject({ ok: false, actual: 0.5 });
    expect(results['http_reqs count>=3']).toMatchObject({ ok: true, actual: 3 });
  });

  it('a tagged trend with no sample fails (a typo must not pass a gate); a counter with none is 0', () => {
    const t = new Thresholds({ 'http_req_duration{name:lsit items}': ['p(95)<500'], dropped_iterations: ['count<1'] });
    t.sample('http_req_duration', 10, { name: 'list items' });
    const [typo, dropped] = t.evaluate(1000);
    expect(typo).toMatchObject({ ok: false });
    expect(typo!.actual).toBeUndefined();
    expect(dropped).toMatchObject({ ok: true, actual: 0 });
  });

  it('abortOnFail after delayAbortEval', () => {
    const t = new Thresholds({ http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '2s' }] });
    expect(t.hasAbortOnFail).toBe(true);
    t.sample('http_req_failed', 1, {});
    expect(t.shouldAbort(1000)).toBeUndefined();
    expect(t.shouldAbort(2000)).toMatch(/http_req_failed: rate<0.1 failed/);
  });

  it('bad syntax and unknown metrics are UsageErrors', () => {
    expect(() => new Thresholds({ http_req_duration: ['p95<500'] })).toThrow(/not "<aggregation> <op> <number>"|does not apply/);
    expect(() => new Thresholds({ http_req_duration: ['rate<0.1'] })).toThrow(/does not apply to a trend/);
    expect(() => new Thresholds({ http_req_durration: ['p(95)<500'] })).toThrow(/unknown metric "http_req_durration"/);
    expect(() => new Thresholds({ 'http_req_duration{name}': ['p(95)<500'] })).toThrow(/tag:value/);
  });
});
