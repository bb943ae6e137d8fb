/**
 * The join with the front door, end to end: a real Express app with logjam's middleware receives requests carrying
 * X-Amzn-Trace-Id (as an ALB sends them); the test writes the ALB access log those requests would have produced
 * (test/support/alb-log.ts: the documented format, gzip as S3 delivers it, with malformed and truncated lines) plus
 * the requests an ALB answers without the app (502/503: no target; 504: the app got it and hung), and checks that
 * the analyzer's joined counts and times are the ones the test computes from what it sent and what the app logged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun, createLocalSource } from '../../../analyzer/index.js';
import type { FrontDoorSummary } from '../../../analyzer/model.js';
import { errorLogging, requestLogging } from '../../../middleware/index.js';
import { albLine, malformedAlbLine, traceRoot, truncatedAlbLine, writeAlbLog, type AlbRequest } from '../../support/alb-log.js';
import { CLI, runBin } from '../../support/cli.js';
import { captureLogger, listen } from '../middleware/helpers.js';

const RUN = 'alb-join-1';
const TARGET = '10.0.1.12:3000';

interface Sent {
  root: string;
  method: string;
  path: string;
  arrival: number;
  /** the app's duration_ms from its finish line (undefined: no finish) */
  appMs?: number;
  route?: string;
}

/** nearest-rank percentile, the definition HDR histograms approximate (to 1 %) */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const within1pct = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.011 + 0.002);

let dir: string;
let fd: FrontDoorSummary;
/** what the test computes: "outside the app" ms per joined request (ALB total as written minus app duration_ms) */
const outsideByRoute = new Map<string, number[]>();
const requestProcessingByRoute = new Map<string, number[]>();
const albLines: string[] = [];
let inputAlb: unknown;
let findingIds: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logjam-alb-'));
  const { logger, capture } = captureLogger({ service: 'items-api' });
  const app = express();
  app.use(requestLogging({ logger }));
  app.get('/api/items/:id', (req, res) => {
    setTimeout(() => res.json({ id: req.params.id }), 2 + (Number(req.params.id) % 5));
  });
  app.post('/api/items', (_req, res) => {
    setTimeout(() => res.status(201).json({ ok: true }), 3);
  });
  // never answers: the ALB's idle timeout ends these (here: the client aborts, as the ALB would)
  app.get('/api/reports/:id', () => {});
  app.use(errorLogging());
  const server = await listen(app);
  const t0 = Date.now();
  const sent: Sent[] = [];
  let n = 0;
  const send = async (method: string, path: string, abortAfterMs?: number) => {
    const root = traceRoot(t0, ++n);
    const s: Sent = { root, method, path, arrival: Date.now() };
    sent.push(s);
    const ctl = new AbortController();
    const timer = abortAfterMs ? setTimeout(() => ctl.abort(), abortAfterMs) : undefined;
    try {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'x-run-id': RUN, 'x-amzn-trace-id': `Root=${root};Sampled=0` },
        signal: ctl.signal,
      });
      await res.text();
    } catch {
      // the aborted ones
    } finally {
      clearTimeout(timer);
    }
    return s;
  };
  try {
    for (let i = 0; i < 30; i++) await send('GET', `/api/items/${100 + i}`);
    for (let i = 0; i < 6; i++) await send('POST', '/api/items');
    for (let i = 0; i < 3; i++) await send('GET', `/api/reports/${7 + i}`, 150);
    // the request the app finished that the ALB still answered 502 (a keep-alive connection closed under it)
    const lost = await send('GET', '/api/items/999');
    // the app's finish (and abort) lines are written on 'close'
    await capture.waitFor((l) => l.event === 'request.abort' && l.amzn_trace_id === sent[38]!.root);
    await capture.waitFor((l) => l.event === 'request.finish' && l.amzn_trace_id === lost.root);

    for (const l of capture.lines) {
      if (l.event !== 'request.finish') continue;
      const s = sent.find((x) => x.root === l.amzn_trace_id)!;
      s.appMs = l.duration_ms as number;
      s.route = l.route as string;
    }
    writeFileSync(join(dir, 'app.ndjson'), `${capture.raw.join('\n')}\n`);

    // the ALB's lines for the requests the app saw
    let i = 0;
    for (const s of sent) {
      i++;
      const base = {
        arrival: s.arrival,
        method: s.method,
        url: `https://api.example.com:443${s.path}?page=${i}`,
        // what the app received is what the ALB logs (a client-sent Root would also carry the ALB's Self)
        traceId: `Root=${s.root};Sampled=0`,
        target: TARGET,
      };
      const rp = (1 + (i % 7)) / 1000;
      let r: AlbRequest;
      if (s === lost) {
        r = { ...base, requestProcessingS: rp, targetProcessingS: -1, responseProcessingS: -1, elbStatus: 502 };
      } else if (s.appMs === undefined) {
        // /api/reports: the app got it, never answered; the ALB gave up after its idle timeout
        r = { ...base, requestProcessingS: rp, targetProcessingS: -1, responseProcessingS: -1, elbStatus: 504, elapsedMs: 60_000 };
      } else {
        const overhead = (2 + (i % 10)) / 1000;
        r = { ...base, requestProcessingS: rp, targetProcessingS: s.appMs / 1000 + overhead, responseProcessingS: 0.001, elbStatus: s.method === 'POST' ? 201 : 200, targetStatus: s.method === 'POST' ? 201 : 200 };
        // what the analyzer must find: the line's total as written (3 decimals) minus the app's duration_ms
        const written = [r.requestProcessingS, r.targetProcessingS, r.responseProcessingS].map((x) => Number(x.toFixed(3)));
        const key = `${s.method} ${s.route}`;
        (outsideByRoute.get(key) ?? outsideByRoute.set(key, []).get(key)!).push(Math.max(0, written[0]! + written[1]! + written[2]!) * 1000 - s.appMs);
      }
      if (s.appMs !== undefined) {
        const key = `${s.method} ${s.route}`;
        (requestProcessingByRoute.get(key) ?? requestProcessingByRoute.set(key, []).get(key)!).push(Number(rp.toFixed(3)) * 1000);
      }
      albLines.push(albLine(r));
    }
    // requests the app never saw: no healthy target (503), the target reset the connection (502)
    const mid = sent[20]!.arrival;
    for (let k = 0; k < 2; k++) {
      albLines.push(albLine({ arrival: mid + k, method: 'GET', url: `https://api.example.com:443/api/items/${500 + k}`, traceId: `Root=${traceRoot(t0, 900 + k)}`, requestProcessingS: -1, targetProcessingS: -1, responseProcessingS: -1, elbStatus: 503 }));
      albLines.push(albLine({ arrival: mid + k, method: 'GET', url: `https://api.example.com:443/api/items/${600 + k}`, traceId: `Root=${traceRoot(t0, 910 + k)}`, target: TARGET, requestProcessingS: 0.001, targetProcessingS: -1, responseProcessingS: -1, elbStatus: 502, elapsedMs: 3 }));
    }
    // a line of an hour before (another run's traffic), and one whose target answered but the app has no line for
    albLines.push(albLine({ arrival: t0 - 3_600_000, method: 'GET', url: 'https://api.example.com:443/api/items/1', traceId: `Root=${traceRoot(t0, 950)}`, target: TARGET, requestProcessingS: 0.001, targetProcessingS: 0.01, responseProcessingS: 0, elbStatus: 200, targetStatus: 200 }));
    albLines.push(albLine({ arrival: mid, method: 'GET', url: 'https://api.example.com:443/api/items/2', traceId: `Root=${traceRoot(t0, 951)}`, target: TARGET, requestProcessingS: 0.001, targetProcessingS: 0.01, responseProcessingS: 0, elbStatus: 200, targetStatus: 200 }));
  } finally {
    await server.close();
  }

  // as S3 delivers them: a folder of .log.gz files; one plain file with two malformed lines; one cut at the end
  const alb = join(dir, 'AWSLogs', '123456789012', 'elasticloadbalancing', 'us-east-1');
  mkdirSync(alb, { recursive: true });
  const half = Math.floor(albLines.length / 2);
  writeAlbLog(join(alb, '123456789012_elasticloadbalancing_us-east-1_app.taskoverflow-alb_20261202T0010Z_10.0.0.1_a1.log.gz'), albLines.slice(0, half), { gzip: true });
  const spare = { arrival: Date.now(), method: 'GET', url: 'https://api.example.com:443/x', traceId: '-', requestProcessingS: 0, targetProcessingS: 0, responseProcessingS: 0, elbStatus: 200, targetStatus: 200, target: TARGET };
  writeAlbLog(join(alb, '123456789012_elasticloadbalancing_us-east-1_app.taskoverflow-alb_20261202T0015Z_10.0.0.1_b2.log.gz'), [...albLines.slice(half), malformedAlbLine(spare), malformedAlbLine(spare), truncatedAlbLine(spare)], { gzip: true, finalNewline: false });

  const source = createLocalSource(dir);
  const { aggregate, findings } = await analyzeRun({ source, runId: RUN });
  fd = aggregate.frontDoor!;
  inputAlb = aggregate.input.alb;
  findingIds = findings.map((f) => f.id);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ALB access logs joined to a real app log by X-Amzn-Trace-Id', () => {
  it('counts the ALB lines, malformed and truncated ones, in the input accounting', () => {
    expect(inputAlb).toEqual({ lines: albLines.length, malformed: 2, truncated: 1 });
  });

  it('joins every request the app finished, and names the requests the ALB answered that the app never finished', () => {
    const finished = 30 + 6 + 1;
    expect(fd.joined).toBe(finished);
    expect(fd.failures).toBe(3 + 2 + 2);
    expect(fd.afterApp).toBe(1);
    expect(fd.albOnly).toBe(1);
    expect(fd.outsideRun).toBe(1);
    expect(fd.appOnly).toBe(0);
    expect(fd.appBeforeAlb).toBe(0); // AWSLogs/ sorts before app.ndjson: the ALB lines were read first
    expect(fd.albLines).toBe(finished + 7 + 1);
    const groups = fd.failureGroups.map((g) => ({ method: g.method, route: g.route, elb: g.elbStatus, count: g.count, started: g.appStarted, aborted: g.appAborted, side: g.side }));
    expect(groups).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: '/api/reports/:id', elb: 504, count: 3, started: 3, aborted: 3, side: 'app' },
        { method: 'GET', route: '/api/items/:id', elb: 503, count: 2, started: 0, aborted: 0, side: 'front-door' },
        { method: 'GET', route: '/api/items/:id', elb: 502, count: 2, started: 0, aborted: 0, side: 'front-door' },
      ]),
    );
    expect(groups).toHaveLength(3);
    const hung = fd.failureGroups.find((g) => g.elbStatus === 504)!;
    within1pct(hung.albElapsedMs.p50, 60_000);
    expect(fd.afterAppGroups).toEqual([expect.objectContaining({ method: 'GET', route: '/api/items/:id', elbStatus: 502, appStatus: 200, count: 1 })]);
  });

  it('the time before the app per route: request_processing_time and ALB total minus app duration, p50/p95', () => {
    expect(fd.routes.map((r) => `${r.method} ${r.route}`).sort()).toEqual([...requestProcessingByRoute.keys()].sort());
    for (const r of fd.routes) {
      const key = `${r.method} ${r.route}`;
      const outside = outsideByRoute.get(key)!;
      const rp = requestProcessingByRoute.get(key)!;
      expect(r.beforeAppMs.count, key).toBe(outside.length);
      within1pct(r.beforeAppMs.p50, percentile(outside, 50));
      within1pct(r.beforeAppMs.p95, percentile(outside, 95));
      within1pct(r.requestProcessingMs.p50, percentile(rp, 50));
      within1pct(r.requestProcessingMs.p95, percentile(rp, 95));
    }
    const all = [...outsideByRoute.values()].flat();
    within1pct(fd.beforeAppMs.p95, percentile(all, 95));
  });

  it('raises front-door-failures and time-before-app (stable ids), and front-door-join for the ALB line with no app line', () => {
    expect(findingIds).toEqual(expect.arrayContaining(['front-door-failures', 'time-before-app', 'front-door-join']));
  });

  it('the CLI reports the same join in --json and a Front door section in the terminal', async () => {
    const json = await runBin(CLI, ['analyze', '--run', RUN, '--logs', dir, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { frontDoor: FrontDoorSummary; findings: { id: string; counts: Record<string, number> }[] };
    expect(report.frontDoor.joined).toBe(fd.joined);
    expect(report.frontDoor.failures).toBe(fd.failures);
    const failures = report.findings.find((f) => f.id === 'front-door-failures')!;
    expect(failures.counts).toMatchObject({ failures: 7, afterApp: 1, appSide: 3, frontDoorSide: 4, clientSide: 0 });
    const text = await runBin(CLI, ['analyze', '--run', RUN, '--logs', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Front door (ALB access logs)');
    expect(text.stdout).toContain(`ALB access log: ${albLines.length} lines read (in parsed), 2 malformed + 1 truncated (in malformed)`);
    const html = join(dir, 'report.html');
    const md = await runBin(CLI, ['analyze', '--run', RUN, '--logs', join(dir, 'app.ndjson'), '--alb-logs', join(dir, 'AWSLogs'), '--markdown', '--html', html]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('## Front door (ALB access logs)');
    expect(md.stdout).toMatch(/\| GET \| \/api\/reports\/:id \| 504 \| - \| 3 \| 3 \| app \|/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Front door (ALB access logs)</h2>');
    expect(page).toContain('<td>/api/reports/:id</td>');
  }, 60_000);

  it('--alb-logs reads the ALB folder beside --logs; with --log-group it is a usage error that says ALB logs live in S3', async () => {
    const split = await runBin(CLI, ['analyze', '--run', RUN, '--logs', join(dir, 'app.ndjson'), '--alb-logs', join(dir, 'AWSLogs'), '--json']);
    expect(split.code, split.stderr).toBe(0);
    const report = JSON.parse(split.stdout) as { frontDoor: FrontDoorSummary };
    expect([report.frontDoor.joined, report.frontDoor.failures]).toEqual([fd.joined, fd.failures]);
    const cloud = await runBin(CLI, ['analyze', '--run', RUN, '--log-group', 'taskoverflow', '--alb-logs', join(dir, 'AWSLogs')]);
    expect(cloud.code).toBe(2);
    expect(cloud.stderr).toContain('ALB access logs are never in CloudWatch Logs');
    expect(cloud.stderr).toContain('S3');
    expect(cloud.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
