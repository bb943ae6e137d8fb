import { describe, expect, it } from 'vitest';
import { analyze, checkMethod, expectedStatus } from '../../../analyzer/analyses/index.js';
import type { ClientView, Finding } from '../../../analyzer/model.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { aggregateLines, writeLog } from './helpers.js';

const L = logLines();
const byId = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);

/** The lab's buggy test in miniature: POST answers 201 (the test expects 200), DELETE uses response.id. */
function buggyRun(n = 40): Line[] {
  const lines: Line[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(L.finish({ id: `p${i}`, t: L.at(i * 100), method: 'POST', path: '/api/v1/todos', status: 201, ms: 12 }));
    lines.push(
      L.finish({ id: `d${i}`, t: L.at(i * 100 + 50), method: 'DELETE', path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', status: 400 }),
    );
  }
  return lines;
}

const client = (over: Partial<ClientView> = {}): ClientView => ({
  file: 'summary.json',
  requests: 80,
  failedRequests: 40,
  checks: [
    { name: 'POST is status 200', passes: 0, fails: 40 },
    { name: 'delete is status 204', passes: 0, fails: 40 },
  ],
  ...over,
});

describe('analyses on crafted logs', () => {
  it('suspicious-path: DELETE /api/v1/todos/undefined, all 400, with the likely cause', async () => {
    const findings = analyze(await aggregateLines(buggyRun()));
    const [f] = byId(findings, 'suspicious-path');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('critical');
    expect(f!.title).toBe('DELETE /api/v1/todos/undefined × 40, all 400');
    expect(f!.explanation).toContain('the client built this URL from a missing field');
    expect(f!.exampleRequestIds).toEqual(['d0', 'd1', 'd2']);
    expect(f!.query?.language).toBe('jq');
    expect(f!.query?.text).toContain('.run_id == "run-1"');
    expect(findings[0]!.severity).toBe('critical');
  });

  it('status-mismatch: "is status 200" fails while POST answered 201 Created', async () => {
    const findings = analyze(await aggregateLines(buggyRun()), client());
    const mismatches = byId(findings, 'status-mismatch');
    expect(mismatches).toHaveLength(1); // the 204 check is explained by the 400s, not a 2xx mismatch
    expect(mismatches[0]!.explanation).toContain('the test expects 200 but the API returns 201 Created');
    expect(mismatches[0]!.counts).toMatchObject({ checkFails: 40, serverStatus: 201, serverCount: 40, expected: 200 });
  });

  it('status-mismatch in the lab\'s shape: one check name shared by GET, POST and DELETE, failures mixed with timeouts', async () => {
    // 40 POST 201s, 40 DELETE 400s, 100 GETs of which 60 answered 200 — and 30 GETs that timed out (no server line)
    const lines = buggyRun();
    for (let i = 0; i < 60; i++) lines.push(L.finish({ id: `g${i}`, t: L.at(i * 10), method: 'GET', path: '/api/v1/todos', status: 200 }));
    const lab = client({
      requests: 170,
      noResponse: 30,
      checks: [{ name: 'is status 200', passes: 60, fails: 40 + 40 + 30 }],
    });
    const [f, ...more] = byId(analyze(await aggregateLines(lines), lab), 'status-mismatch');
    expect(more).toEqual([]);
    expect(f!.title).toBe('check "is status 200" failed 110 times: POST /api/v1/todos answered 201 Created × 40');
    expect(f!.counts).toMatchObject({ checkFails: 110, serverStatus: 201, serverCount: 40, noResponse: 30, otherFailures: 40 });
    expect(f!.explanation).toContain('the test expects 200 but the API returns 201 Created');
  });

  it('status-mismatch does not claim responses another check expected and passed', async () => {
    const lines = buggyRun();
    const twoChecks = client({
      checks: [
        { name: 'is status 200', passes: 0, fails: 40 },
        { name: 'is status 201', passes: 40, fails: 0 },
      ],
    });
    expect(byId(analyze(await aggregateLines(lines), twoChecks), 'status-mismatch')).toEqual([]);
  });

  it('status-mismatch does not claim 201s whose client timed out while another check expected 201 (late completions)', async () => {
    // 40 POSTs answered 201 at the server; the client got 30 of them in time, 10 timed out first
    const lines = buggyRun();
    const lateCompletions = client({
      noResponse: 10,
      checks: [
        { name: 'is status 200', passes: 0, fails: 40 },
        { name: 'is status 201', passes: 30, fails: 10 },
      ],
    });
    expect(byId(analyze(await aggregateLines(lines), lateCompletions), 'status-mismatch')).toEqual([]);
    // the 201 check ran on fewer responses than the server answered 201: the rest were checked by "is status 200"
    const tooFew = client({ checks: [{ name: 'is status 200', passes: 0, fails: 40 }, { name: 'is status 201', passes: 10, fails: 0 }] });
    expect(byId(analyze(await aggregateLines(lines), tooFew), 'status-mismatch')).toHaveLength(1);
  });

  it('status-mismatch stays silent when the server answered what the check expects', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => L.finish({ id: `p${i}`, method: 'POST', status: 201 }));
    const ok = client({ requests: 40, failedRequests: 0, checks: [{ name: 'POST is status 201', passes: 40, fails: 0 }] });
    expect(byId(analyze(await aggregateLines(lines), ok), 'status-mismatch')).toEqual([]);
  });

  it('parses the expected status and method from check names', () => {
    expect(expectedStatus('is status 200')).toBe(200);
    expect(expectedStatus('status was 201')).toBe(201);
    expect(expectedStatus('create todo returns 204 No Content')).toBe(204);
    expect(expectedStatus('has a body')).toBeUndefined();
    expect(checkMethod('POST is status 200')).toBe('POST');
    expect(checkMethod('create: is status 201')).toBe('POST');
    expect(checkMethod('is status 200')).toBeUndefined();
  });

  it('client-no-server-line: requests with no server line, by reason, and more checks failed than timeouts', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => L.finish({ id: `r${i}` }));
    const view = client({
      requests: 62,
      noResponse: 12,
      noResponseByReason: { timeout: 10, refused: 2, reset: 0 },
      checks: [{ name: 'is status 200', passes: 30, fails: 32 }],
    });
    const [f] = byId(analyze(await aggregateLines(lines), view), 'client-no-server-line');
    expect(f).toBeDefined();
    expect(f!.counts).toMatchObject({ clientRequests: 62, serverRequests: 50, missing: 12, noResponse: 12, noResponse_timeout: 10, noResponse_refused: 2, checksFailed: 32 });
    expect(f!.severity).toBe('critical');
    expect(f!.explanation).toMatch(/Checks failed 32 times — more than the 12 requests with no response: 20 check failures/);
  });

  it('client-no-server-line is absent when every client request reached the server', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => L.finish({ id: `r${i}` }));
    const view = client({ requests: 50, failedRequests: 0, noResponse: 0, checks: [{ name: 'is status 200', passes: 50, fails: 0 }] });
    const findings = analyze(await aggregateLines(lines), view);
    expect(byId(findings, 'client-no-server-line')).toEqual([]);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('status clusters: 5xx by route with message templates', async () => {
    const lines: Line[] = [];
    for (let i = 0; i < 20; i++) {
      lines.push(L.error({ id: `e${i}`, method: 'GET', path: `/api/v1/todos/${i}`, route: '/api/v1/todos/:id', message: `relation lookup failed for id ${i}` }));
      lines.push(L.finish({ id: `e${i}`, method: 'GET', path: `/api/v1/todos/${i}`, route: '/api/v1/todos/:id', status: 500 }));
      lines.push(L.finish({ id: `ok${i}` }));
    }
    const [f] = byId(analyze(await aggregateLines(lines)), 'server-errors');
    expect(f).toMatchObject({ severity: 'critical', counts: { requests: 20, status: 500 } });
    expect(f!.title).toBe('GET /api/v1/todos/:id: 500 Internal Server Error × 20 (100% of the route)');
    expect(f!.details).toEqual(['20 × relation lookup failed for id <n>']);
  });

  it('aborts and unfinished requests by route', async () => {
    const findings = analyze(
      await aggregateLines([
        L.finish({ id: 'ok' }),
        L.abort({ id: 'a1', method: 'GET', route: '/api/v1/slow' }),
        L.start({ id: 'u1', method: 'PUT', path: '/api/v1/todos/9' }),
      ]),
    );
    expect(byId(findings, 'aborts')[0]).toMatchObject({ severity: 'warning', counts: { aborts: 1 } });
    expect(byId(findings, 'aborts')[0]!.details?.[0]).toBe('GET /api/v1/slow: 1 aborted');
    expect(byId(findings, 'unfinished')[0]).toMatchObject({ counts: { unfinished: 1 }, exampleRequestIds: ['u1'] });
    expect(byId(findings, 'unfinished')[0]!.details?.[0]).toBe('PUT /api/v1/todos/:id: 1 unfinished');
  });

  it('time breakdown: pool wait dominating a route is a warning; a blocked event loop is a warning', async () => {
    const lines: Line[] = [L.runtime({ t: L.at(0), elP99: 250 })];
    for (let i = 0; i < 20; i++) lines.push(L.finish({ id: `r${i}`, t: L.at(i), ms: 100, dbMs: 10, poolWaitMs: 70, dbQueries: 2 }));
    const findings = analyze(await aggregateLines(lines));
    const [t] = byId(findings, 'time-breakdown');
    expect(t!.severity).toBe('warning');
    expect(t!.details?.[0]).toContain('pool wait 70.0 ms + db 10.0 ms (2.0 queries) + rest 20.0 ms');
    expect(byId(findings, 'event-loop-delay')[0]).toMatchObject({ severity: 'warning', counts: { elDelayP99MsMax: 250 } });
  });

  it('log delivery: dropped lines make the report incomplete', async () => {
    const findings = analyze(await aggregateLines([L.finish({ id: 'a', t: L.at(0) }), L.dropped({ t: L.at(0), dropped: 42 }), L.finish({ id: 'b', t: L.at(1000) })]));
    expect(byId(findings, 'log-delivery')[0]).toMatchObject({ severity: 'warning', counts: { droppedBySinks: 42 } });
  });

  it('a clean run has no critical or warning findings', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => L.finish({ id: `r${i}`, t: L.at(i * 10), status: i % 2 ? 200 : 201, method: i % 2 ? 'GET' : 'POST' }));
    const findings = analyze(await aggregateLines(lines));
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(byId(findings, 'latency')).toHaveLength(1);
  });
});

describe('analyses on a time window (analyze without --run)', () => {
  it('compares the client summary with the window: no run-id mismatch, and no run id in the wording', async () => {
    const lines = buggyRun().map((l) => ({ ...l, run_id: undefined }));
    const window = await createLocalSource(writeLog(JSON.parse(JSON.stringify(lines)) as Line[])).aggregate(undefined);
    expect(window.window).toEqual({});
    const findings = analyze(window, client({ runId: 'lab-buggy', requests: 90 }));
    expect(byId(findings, 'client-summary-run')).toEqual([]);
    const [missing] = byId(findings, 'client-no-server-line');
    expect(missing!.explanation).toContain('the server logged 80 in the time window');
    // the same summary against a run with another id is still flagged
    expect(byId(analyze(await aggregateLines(buggyRun()), client({ runId: 'lab-buggy' })), 'client-summary-run')).toHaveLength(1);
  });
});
