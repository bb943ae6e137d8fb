/**
 * Issue 18, end to end: the Node runner's client request log joined to the sample app's log.
 * The app burns CPU_WORK_MS of synchronous CPU per request (one process, so requests queue on its event loop)
 * and every other request gives up after 150 ms: some requests time out at the client and are served anyway. A few
 * requests go to a listener that accepts the connection and drops it: the app never sees those.
 * The analyzer's counts must equal what this test computes itself from the two files.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../analyzer/pipeline.js';
import { createLocalSource } from '../../analyzer/sources/ndjson/index.js';
import { check, http } from '../../loadtests/load/index.js';
import { runLoad } from '../../loadtests/runner/run-load.js';
import { makeWorldWritableTempDir, startAppChild, type AppChild } from './support/app-child.js';

const RUN_ID = 'e2e-client-join';
const TIMEOUT_MS = 150;

let dir: string;
let app: AppChild | undefined;
let dropper: Server;
let dropperUrl: string;
/** requests the dropping listener received (it read their bytes, then destroyed the connection) */
let dropped = 0;

beforeAll(async () => {
  dir = await makeWorldWritableTempDir('logjam-e2e-join-');
  dropper = createServer((socket: Socket) => {
    socket.once('data', () => {
      dropped++;
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  dropperUrl = `http://127.0.0.1:${(dropper.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.stop();
  await new Promise<void>((resolve) => dropper.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

interface ClientLine { id: string; name: string; error?: string; status: number; path: string; checks_failed?: string[] }

describe('client request log joined to the server log (sample app, CPU knob, short client timeout)', () => {
  it('counts late completions and never-logged requests exactly as both logs show them', { timeout: 90_000 }, async () => {
    app = await startAppChild({ dir, env: { CPU_WORK_MS: '40', DB_POOL_MAX: '10' } });
    const appUrl = app.url;
    const clientLog = join(dir, 'client.ndjson');
    const result = await runLoad({
      scenarioModule: {
        options: { scenarios: { list: { executor: 'constant-vus', vus: 8, duration: '4s' } } },
        default: async () => {
          // every other request is impatient: it gives up long before the queue on the app's event loop clears
          const timeout = __ITER % 2 === 0 ? TIMEOUT_MS : 5_000;
          const res = await http.get(`${appUrl}/api/v1/todos?token=do-not-log-me`, { tags: { name: 'list todos' }, timeout });
          check(res, { 'is 200': (r) => r.status === 200 });
          if (__ITER % 10 === 3) {
            const lost = await http.get(`${dropperUrl}/api/v1/todos`, { tags: { name: 'dropped' } });
            check(lost, { 'got an answer': (r) => r.status !== 0 });
          }
        },
      },
      runId: RUN_ID,
      timeoutMs: 5_000,
      summaryPath: null,
      clientLogPath: clientLog,
    });
    // the queue on the app's event loop drains (each queued request still costs its CPU) before the graceful stop
    await delay(2_000);
    expect(await app.stop()).toBe(0);
    app = undefined;

    const clientLines = (await readFile(clientLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ClientLine);
    expect(clientLines.length, 'one line per request').toBe(result.summary.metrics.http_reqs.values.count + (result.summary.logjam?.interruptedRequests ?? 0));
    expect(result.summary.logjam?.clientLog).toMatchObject({ lines: clientLines.length, dropped: 0 });
    expect(clientLines.some((l) => l.path.includes('?') || JSON.stringify(l).includes('do-not-log-me')), 'no query string in the log').toBe(false);
    expect(new Set(clientLines.map((l) => l.id)).size, 'ids are unique').toBe(clientLines.length);
    expect(clientLines.filter((l) => l.checks_failed?.includes('is 200')).length).toBe(
      result.summary.root_group.checks.find((c) => c.name === 'is 200')!.fails,
    );

    const serverLines = (await readFile(join(dir, 'app.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.run_id === RUN_ID);
    const finished = new Set(serverLines.filter((l) => l.event === 'request.finish').map((l) => l.request_id as string));
    const seen = new Set(serverLines.filter((l) => typeof l.request_id === 'string').map((l) => l.request_id as string));
    const late = clientLines.filter((l) => l.error === 'timeout' && finished.has(l.id)).length;
    expect(late, 'the knob and the timeout made some requests finish after the client gave up').toBeGreaterThan(0);
    expect(dropped, 'some requests went to the dropping listener').toBeGreaterThan(0);
    // the app never saw: every request the listener dropped, plus timed-out requests whose connection the client
    // closed before the app's busy event loop read them (the kernel discards their bytes on the reset)
    const unseen = clientLines.filter((l) => !seen.has(l.id) && l.error !== 'interrupted');
    const unseenDropped = unseen.filter((l) => l.name === 'dropped').length;
    expect(unseenDropped, 'the app saw none of the requests the listener dropped').toBe(dropped);
    expect(unseen.every((l) => l.name === 'dropped' || l.error === 'timeout'), 'the others timed out in front of the app').toBe(true);

    const { report, findings } = await analyzeRun({ source: createLocalSource(join(dir, 'app.ndjson')), runId: RUN_ID, clientLog });
    const byId = Object.fromEntries(findings.map((f) => [f.id, f]));
    expect(byId['late-completions']?.counts.lateCompletions).toBe(late);
    expect(byId['never-logged']?.counts.neverLogged).toBe(unseen.length);
    expect(byId['never-logged']?.counts.neverLogged_reset).toBe(dropped);
    expect(report.clientJoin?.neverLogged.byName).toContainEqual({ name: 'GET dropped', count: dropped });
    expect(report.clientJoin?.lateCompletions.neverLogged).toBe(unseen.length - dropped);
    // one machine, one wall clock: the true offset is 0, which the upper bound (no request reached the middleware
    // before it was sent) must allow; the lower bound is below the upper one
    const offset = report.clientJoin!.clockOffset;
    expect(offset.highMs!, JSON.stringify(offset)).toBeGreaterThanOrEqual(-1);
    expect(offset.lowMs!, JSON.stringify(offset)).toBeLessThanOrEqual(offset.highMs! + 1);
    expect(byId['outside-app-time']?.counts.compared).toBeGreaterThan(0);
  });
});
