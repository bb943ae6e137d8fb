/**
 * The ALB access-log parser (analyzer/sources/formats/alb.ts) on lines written to the documented format
 * (test/support/alb-log.ts), and the join accumulator (aggregate/front-door.ts) on both arrival orders.
 */
import { describe, expect, it } from 'vitest';
import { ALB_MALFORMED, ALB_TRUNCATED, classifyAlbLine, countAlbLine, urlPath } from '../../../analyzer/sources/formats/alb.js';
import { ALB_EVENT, type AlbLine } from '../../../analyzer/aggregate/alb-record.js';
import { FrontDoorJoin } from '../../../analyzer/aggregate/front-door.js';
import { JoinTable } from '../../../analyzer/aggregate/join-table.js';
import { emptyAccounting } from '../../../analyzer/aggregate/aggregator.js';
import { albLine, malformedAlbLine, traceRoot, truncatedAlbLine, type AlbRequest } from '../../support/alb-log.js';

const T0 = Date.parse('2026-12-02T00:10:00.000Z');
const ok = (over: Partial<AlbRequest> = {}): AlbRequest => ({
  arrival: T0,
  requestProcessingS: 0.002,
  targetProcessingS: 0.041,
  responseProcessingS: 0.001,
  elbStatus: 200,
  targetStatus: 200,
  target: '10.0.1.12:3000',
  method: 'GET',
  url: 'https://api.example.com:443/api/v1/todos/42?expand=1',
  traceId: `Root=${traceRoot(T0, 1)}`,
  ...over,
});

function parsed(text: string): AlbLine {
  const c = classifyAlbLine(text);
  if (c === undefined || typeof c === 'symbol') throw new Error(`not parsed: ${String(c)}`);
  return c;
}

describe('ALB access-log lines', () => {
  it('maps the documented fields: times in ms, both statuses, the request path, the trace id', () => {
    const line = parsed(albLine(ok()));
    expect(line.event).toBe(ALB_EVENT);
    const a = line.alb;
    expect(a.type).toBe('https');
    expect(a.arrival).toBe(T0);
    expect(a.time).toBe(T0 + 44); // `time` is when the response went out: arrival + the three processing times
    expect(a.requestProcessingMs).toBeCloseTo(2, 6);
    expect(a.targetProcessingMs).toBeCloseTo(41, 6);
    expect(a.responseProcessingMs).toBeCloseTo(1, 6);
    expect([a.elbStatus, a.targetStatus, a.hasTarget]).toEqual([200, 200, true]);
    expect([a.method, a.path]).toEqual(['GET', '/api/v1/todos/42']);
    expect(a.traceRoot).toBe(traceRoot(T0, 1));
    expect(a.traceKey).toBe(traceRoot(T0, 1));
  });

  it('keeps -1 (no target answered), "-" statuses and targets, and the Self the ALB added to a client Root', () => {
    const self = traceRoot(T0, 9);
    const a = parsed(
      albLine(ok({ targetProcessingS: -1, responseProcessingS: -1, elbStatus: 502, targetStatus: undefined, traceId: `Self=${self};Root=${traceRoot(T0, 2)}` })),
    ).alb;
    expect([a.targetProcessingMs, a.responseProcessingMs, a.elbStatus, a.targetStatus]).toEqual([-1, -1, 502, undefined]);
    expect(a.traceKey).toBe(`${traceRoot(T0, 2)};${self}`);
    const noTarget = parsed(albLine(ok({ target: undefined, elbStatus: 503, targetStatus: undefined, requestProcessingS: -1, targetProcessingS: -1, responseProcessingS: -1 }))).alb;
    expect(noTarget.hasTarget).toBe(false);
  });

  it('tolerates fields appended after conn_trace_id, and older lines without the classification fields', () => {
    expect(parsed(`${albLine(ok())} "new_field" 42`).alb.elbStatus).toBe(200);
    const fields = albLine(ok()).match(/("(?:[^"\\]|\\.)*"|\S+)/g)!;
    expect(parsed(fields.slice(0, 25).join(' ')).alb.elbStatus).toBe(200);
  });

  it('reads quoted fields with escaped quotes and spaces (a user agent is whatever the client sent)', () => {
    const a = parsed(albLine(ok({ userAgent: 'evil "agent" \\ with spaces' }))).alb;
    expect(a.path).toBe('/api/v1/todos/42');
    expect(a.traceRoot).toBe(traceRoot(T0, 1));
  });

  it('tells truncated from malformed lines, and leaves every other line to the JSON classifier', () => {
    expect(classifyAlbLine(truncatedAlbLine(ok()))).toBe(ALB_TRUNCATED);
    const fields = albLine(ok()).match(/("(?:[^"\\]|\\.)*"|\S+)/g)!;
    expect(classifyAlbLine(fields.slice(0, 20).join(' '))).toBe(ALB_TRUNCATED);
    expect(classifyAlbLine(malformedAlbLine(ok()))).toBe(ALB_MALFORMED);
    expect(classifyAlbLine(albLine(ok()).replace(' 200 200 ', ' 2x0 200 '))).toBe(ALB_MALFORMED);
    expect(classifyAlbLine(albLine(ok()).replace(/"GET [^"]*"/, '"GET"'))).toBe(ALB_MALFORMED);
    expect(classifyAlbLine('{"time":1,"schema":1}')).toBeUndefined();
    expect(classifyAlbLine('http is down again')).toBeUndefined();
    expect(classifyAlbLine('hello 2026-12-02T00:00:00Z')).toBeUndefined();
  });

  it('a trace_id that is no valid X-Amzn-Trace-Id leaves the line readable but unjoinable', () => {
    const a = parsed(albLine(ok({ traceId: 'Root=not-a-trace' }))).alb;
    expect(a.traceKey).toBeUndefined();
    expect(a.elbStatus).toBe(200);
  });

  it('counts ALB lines, malformed and truncated ones in the input accounting (bad ones in malformed too)', () => {
    const input = emptyAccounting();
    for (const text of [albLine(ok()), malformedAlbLine(ok()), truncatedAlbLine(ok())]) countAlbLine(input, classifyAlbLine(text)!);
    expect(input.alb).toEqual({ lines: 1, malformed: 1, truncated: 1 });
    expect(input.malformed).toBe(2);
  });

  it('takes the path out of the URL forms an ALB logs', () => {
    expect(urlPath('https://h:443/a/b?x=1')).toBe('/a/b');
    expect(urlPath('http://h:80')).toBe('/');
    expect(urlPath('/a?x')).toBe('/a');
    expect(urlPath('-')).toBe('-');
  });
});

describe('the join table', () => {
  it('finds, removes (shifting the probe run back) and grows without losing records', () => {
    const t = new JoinTable(4);
    const n = 5000;
    for (let i = 1; i <= n; i++) t.setNum(t.insert(i * 7919, 1), 0, i);
    for (let i = 1; i <= n; i += 2) t.remove(i * 7919);
    expect(t.size).toBe(n / 2);
    for (let i = 1; i <= n; i++) {
      const r = t.find(i * 7919);
      if (i % 2 === 1) expect(r).toBe(-1);
      else expect(t.num(r, 0)).toBe(i);
    }
  });
});

describe('the front-door join', () => {
  const finish = (root: string, durationMs: number, status = 200, time = T0 + 40) => ({
    time,
    event: 'request.finish',
    amzn_trace_id: root,
    status,
    duration_ms: durationMs,
  });

  it('gives the same result whichever side arrives first', () => {
    const results = [true, false].map((albFirst) => {
      // armed: the source reads ALB files first (--alb-logs); here the app lines come first in one of the two
      const join = new FrontDoorJoin(3, { armed: true });
      const alb = [1, 2, 3].map((n) => parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, n)}`, targetProcessingS: 0.04 + n / 1000 }))).alb);
      const app = [1, 2, 3].map((n) => finish(traceRoot(T0, n), 38 + n));
      if (albFirst) alb.forEach((a) => join.alb(a));
      app.forEach((l) => join.appFinish(l, 'GET', '/api/v1/todos/:id', true));
      if (!albFirst) alb.forEach((a) => join.alb(a));
      return join.result(T0, T0 + 1000)!;
    });
    expect(results[0]).toEqual(results[1]);
    // ALB total (2 + 40+n + 1 ms) minus app (38+n ms) = 5 ms for each
    expect(results[0]!.joined).toBe(3);
    expect(results[0]!.beforeAppMs.p50).toBeCloseTo(5, 1);
    expect(results[0]!.routes[0]).toMatchObject({ method: 'GET', route: '/api/v1/todos/:id', joined: 3 });
  });

  it('holds no app line before the first ALB line unless armed (no cost without ALB logs), and counts what it missed', () => {
    const join = new FrontDoorJoin();
    join.appFinish(finish(traceRoot(T0, 1), 40), 'GET', '/x', true);
    expect(join.result(T0, T0 + 1000)).toBeUndefined(); // no ALB line: no section
    join.alb(parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, 1)}` }))).alb);
    join.appFinish(finish(traceRoot(T0, 2), 40), 'GET', '/x', true);
    join.alb(parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, 2)}` }))).alb);
    const fd = join.result(T0, T0 + 1000)!;
    expect([fd.appBeforeAlb, fd.joined, fd.albOnly]).toEqual([1, 1, 1]);
  });

  it('an ALB error with no app finish is a failure; with a start line it is on the app side', () => {
    const join = new FrontDoorJoin(3, { armed: true });
    const r1 = traceRoot(T0, 11);
    const r2 = traceRoot(T0, 12);
    join.appStart({ time: T0, amzn_trace_id: r1 });
    for (const root of [r1, r2]) {
      join.alb(parsed(albLine(ok({ traceId: `Root=${root}`, elbStatus: 504, targetStatus: undefined, targetProcessingS: -1, responseProcessingS: -1, elapsedMs: 60_000 }))).alb);
    }
    // a line of another time, and one the app never saw although a target answered
    join.alb(parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, 13)}`, arrival: T0 - 3_600_000 }))).alb);
    join.alb(parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, 14)}` }))).alb);
    const fd = join.result(T0, T0 + 1000)!;
    expect(fd.failures).toBe(2);
    expect(fd.outsideRun).toBe(1);
    expect(fd.albOnly).toBe(1);
    const sides = Object.fromEntries(fd.failureGroups.map((g) => [g.side, g.count]));
    // one group (same route, status): the majority decides the side; appStarted says 1 of 2
    expect(fd.failureGroups).toHaveLength(1);
    expect(fd.failureGroups[0]).toMatchObject({ elbStatus: 504, count: 2, appStarted: 1, noTargetResponse: 2 });
    expect(fd.failureGroups[0]!.albElapsedMs.max).toBeCloseTo(60_000, -2);
    expect(Object.keys(sides)).toHaveLength(1);
  });
});

describe('the join, bounded and honest about what it dropped', () => {
  const alb = (n: number, over: Partial<AlbRequest> = {}) => parsed(albLine(ok({ traceId: `Root=${traceRoot(T0, n)}`, ...over }))).alb;

  it('past its cap a waiting line is counted in overflow, never silently lost, and front-door-join says so', async () => {
    const join = new FrontDoorJoin(3, { pendingLimit: 5 });
    for (let n = 1; n <= 8; n++) join.alb(alb(n));
    for (let n = 1; n <= 8; n++) join.appFinish({ time: T0 + 40, amzn_trace_id: traceRoot(T0, n), status: 200, duration_ms: 40 }, 'GET', '/x', true);
    const fd = join.result(T0, T0 + 1000)!;
    // 5 ALB lines waited and joined; 3 did not fit; their 3 app lines then waited (room again) with no partner
    expect([fd.joined, fd.overflow, fd.appOnly]).toEqual([5, 3, 3]);
    const { frontDoorFindings } = await import('../../../analyzer/analyses/front-door.js');
    const agg = { frontDoor: fd, totals: { requests: 8 } } as unknown as Parameters<typeof frontDoorFindings>[0];
    const f = frontDoorFindings(agg).find((x) => x.id === 'front-door-join')!;
    expect(f.severity).toBe('warning');
    expect(f.counts.overflow).toBe(3);
  });

  it('a second copy of an ALB line (the same file read twice) is a duplicate, joined once', () => {
    const join = new FrontDoorJoin();
    join.alb(alb(1));
    join.alb(alb(1));
    join.appFinish({ time: T0 + 40, amzn_trace_id: traceRoot(T0, 1), status: 200, duration_ms: 40 }, 'GET', '/x', true);
    const fd = join.result(T0, T0 + 1000)!;
    expect([fd.joined, fd.duplicates]).toEqual([1, 1]);
  });

  it('reads a cut .log.gz up to the damage, counts the lines before it, and warns', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: joinPath } = await import('node:path');
    const { writeAlbLog } = await import('../../support/alb-log.js');
    const { resolveInputs } = await import('../../../analyzer/sources/ndjson/inputs.js');
    const { scanInputs } = await import('../../../analyzer/sources/ndjson/scan.js');
    const dir = mkdtempSync(joinPath(tmpdir(), 'logjam-albgz-'));
    try {
      const lines = Array.from({ length: 2000 }, (_, i) => albLine(ok({ traceId: `Root=${traceRoot(T0, i + 1)}` })));
      writeAlbLog(joinPath(dir, 'a.log.gz'), lines, { gzip: true, cutBytes: 200 });
      const input = emptyAccounting();
      const seen: unknown[] = [];
      await scanInputs((await resolveInputs(dir)).files, input, (l) => seen.push(l));
      expect(input.warnings?.[0]).toMatch(/truncated or corrupt/);
      expect(input.alb!.lines).toBe(seen.length);
      expect(seen.length).toBeGreaterThan(1000);
      expect(seen.length).toBeLessThan(2000);
      // every line read is accounted: parsed ALB lines, or (the line the damage cut) truncated, counted in malformed
      expect(input.alb!.lines + input.malformed).toBe(input.totalLines);
      expect(input.malformed).toBe(input.alb!.truncated + input.alb!.malformed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
