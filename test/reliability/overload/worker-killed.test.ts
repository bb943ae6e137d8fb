/**
 * A worker killed under load: the built app with WEB_CONCURRENCY=2 and LOG_FILE, the Node load runner against it,
 * SIGKILL to one worker in the middle of the run. The primary replaces it (worker.exit replaced: true), the other
 * worker and the replacement serve the rest, and the analyzer — reading the log file with the local source and the
 * runner's summary JSON as the client's view — reports the lost requests as client failures with no server line.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import { loadClientView } from '../../../analyzer/sources/client-summary.js';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { runLoad } from '../../../loadtests/runner/index.js';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import { AppProcess, MAIN_JS, type Line } from '../../integration/sample-app/helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-pg.js';
import { reportFigure } from '../support/figure-line.js';

const RUN_ID = 'overload-worker-kill';
/** the runner's requests finished before the kill: far enough into the run that load is at its height */
const KILL_AFTER_REQUESTS = 40;

let pg: TestPostgres;
let dir: string;
let app: AppProcess | undefined;

beforeAll(async () => {
  pg = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'logjam-worker-kill-'));
  await chmod(dir, 0o777);
});

afterAll(async () => {
  app?.kill('SIGKILL'); // only if the test failed half-way
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const isEvent = (event: string) => (l: Line) => l[FIELDS.event] === event;

/** request.start lines of RUN_ID whose request has no finish, abort or error line. */
function unfinishedStarts(lines: Line[]): Line[] {
  const ended = new Set(
    lines
      .filter((l) => [EVENTS.requestFinish, EVENTS.requestAbort, EVENTS.requestError].some((e) => isEvent(e)(l)))
      .map((l) => l[FIELDS.requestId]),
  );
  return lines.filter((l) => isEvent(EVENTS.requestStart)(l) && l[FIELDS.runId] === RUN_ID && !ended.has(l[FIELDS.requestId]));
}

it('replaces a worker killed under load, and the analysis shows its lost requests as client failures with no server line', async () => {
  const logFile = join(dir, 'app.ndjson');
  const summaryPath = join(dir, 'summary.json');
  app = new AppProcess(MAIN_JS, [], {
    PORT: '0',
    HOST: '127.0.0.1',
    WEB_CONCURRENCY: '2',
    DATABASE_URL: pg.url,
    LOG_FILE: logFile,
    DB_POOL_MAX: '20',
    // every todo request holds its connection a while, so the killed worker has requests in flight
    SLOW_QUERY_MS: '300',
    SERVICE_NAME: 'taskoverflow-worker-kill',
  });
  const running = app;
  const url = await running.url();
  const workers = await Promise.all([1, 2].map((w) => running.waitForLine((l) => isEvent(EVENTS.serviceStart)(l) && l[FIELDS.worker] === w)));
  const victim = workers[0]!;

  let killedAtRequests: number | undefined;
  const { summary } = await runLoad(
    // the lab's scenario shrunk: stages of 1.2 s, up to 100 studiers and one planner
    { scenario: 'planners-and-studiers', variant: 'fixed', endpoint: url, runId: RUN_ID, timeScale: 0.01, vuScale: 0.04, timeoutMs: 15_000, summaryPath },
    {
      onProgress: (snapshot) => {
        if (killedAtRequests === undefined && snapshot.requests >= KILL_AFTER_REQUESTS) {
          killedAtRequests = snapshot.requests;
          process.kill(victim[FIELDS.pid] as number, 'SIGKILL');
        }
      },
    },
  );
  expect(killedAtRequests).toBeDefined();
  const exit = await running.waitForLine((l) => isEvent(EVENTS.workerExit)(l) && l[FIELDS.worker] === 1);
  await running.waitForLine((l) => isEvent(EVENTS.serviceStart)(l) && l[FIELDS.worker] === 3);

  // a clean stop flushes the surviving workers' file sinks before we read the file
  running.kill('SIGTERM');
  expect(await running.exited).toEqual({ code: 0, signal: null });

  const fileLines = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter((t) => t.trim() !== '')
    .map((t) => JSON.parse(t) as Line);
  const exitInFile = fileLines.find((l) => isEvent(EVENTS.workerExit)(l) && l[FIELDS.worker] === 1);
  const unfinished = unfinishedStarts(fileLines);
  const unfinishedWorkers = [...new Set(unfinished.map((l) => l[FIELDS.worker]))];

  const agg = await createLocalSource(logFile).aggregate(RUN_ID);
  const client = await loadClientView(summaryPath);
  const findings = analyze(agg, client);
  const finding = findings.find((f) => f.id === 'client-no-server-line');
  const noResponse = summary.logjam?.noResponse.total ?? -1;

  reportFigure(
    'worker killed',
    `WEB_CONCURRENCY=2, SIGKILL to worker 1 after ${killedAtRequests} requests: ${client.requests} client requests, ` +
      `${noResponse} with no response (${JSON.stringify(client.noResponseByReason ?? {})}), ${client.failedRequests} failed in all; ` +
      `${summary.logjam?.interruptedRequests ?? 0} cut off by the runner at its graceful stop; ` +
      `server logged ${agg.totals.requests} finished + ${agg.totals.aborts} aborted + ${agg.totals.unfinished} started and never finished ` +
      `(workers ${unfinishedWorkers.join(', ')}); ` +
      `worker.exit replaced=${String(exit[FIELDS.replaced])} signal=${String(exit[FIELDS.signal])}; ` +
      `finding ${finding?.id ?? 'NONE'} (${finding?.severity ?? '-'}): ${finding?.title ?? '-'}`,
  );

  // The worker was killed and replaced, and the primary wrote that to the log file too.
  expect(exit).toMatchObject({ [FIELDS.replaced]: true, [FIELDS.signal]: 'SIGKILL' });
  expect(exitInFile).toMatchObject({ [FIELDS.replaced]: true, [FIELDS.signal]: 'SIGKILL' });

  // The kill cost requests, and only those: every other request was answered successfully.
  expect(noResponse).toBeGreaterThan(0);
  expect(client.noResponse).toBe(noResponse);
  expect(client.failedRequests).toBe(noResponse);
  // The only requests left without a finish, abort or error line are the killed worker's (the process died
  // mid-request): the survivors drained theirs at SIGTERM.
  expect(unfinished.length).toBeGreaterThan(0);
  expect(unfinishedWorkers).toEqual([1]);
  expect(agg.totals.unfinished).toBe(unfinished.length);

  // The analysis names them: client failures with no server line, counted as the client counted them.
  expect(finding).toBeDefined();
  expect(finding!.counts).toMatchObject({ clientRequests: client.requests, noResponse, clientFailed: noResponse });
  expect(finding!.counts.serverRequests).toBe(agg.totals.requests + agg.totals.aborts + agg.totals.unfinished);
});
