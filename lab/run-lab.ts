/**
 * The whole lab on this machine, in one call: embedded PostgreSQL + TaskOverflow (a child process, logs to a
 * file), the lab's planners-and-studiers scenario through the Node runner, then the analysis of that run with the
 * client summary — terminal report, the three lessons, and report.html/.md/.json in the run's folder.
 *
 * Stops cleanly at any point: an abort (Ctrl-C) ends the load, then the app shuts down gracefully, which stops the
 * database. Nothing is left running.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import { parseDeploymentFacts, analyzeRun, OUTPUT_FORMATS, loadClientView, createLocalSource } from '../analyzer/index.js';
import { UsageError } from '../common/errors.js';
import { generateRunId, runLoad, terminalProgress } from '../loadtests/runner/index.js';
import { startAppProcess } from './app-process.js';
import { labLessons, renderLessons } from './lessons.js';

export interface LabOptions {
  variant: 'buggy' | 'fixed';
  /** multiplies every stage and sleep of the lab's scenario */
  timeScale: number;
  vuScale: number;
  /** per-request timeout of the load runner, ms */
  timeoutMs: number;
  /** the sample app's CPU_WORK_MS knob: synchronous work per request (see docs/lab.md for why the lab sets it) */
  cpuWorkMs: number;
  /** the sample app's DB_POOL_MAX */
  poolMax: number;
  /** where the run's folder goes; default runs/ under the project */
  runsDir?: string;
  runId?: string;
}

export interface LabIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  color: boolean;
  signal: AbortSignal;
}

export interface LabResult {
  runId: string;
  dir: string;
  htmlPath: string;
  lessonsFound: number;
  interrupted: boolean;
}

export async function runLab(options: LabOptions, io: LabIo): Promise<LabResult> {
  const style = io.color ? pc : pc.createColors(false);
  const say = (msg: string): void => void io.stderr.write(`${style.cyan('lab')} ${msg}\n`);
  const runId = options.runId ?? generateRunId();
  // under the current directory, never inside the package (an installed copy lives in node_modules/logjam)
  const dir = join(options.runsDir ?? join(process.cwd(), 'runs'), runId);
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, 'app.ndjson');
  const summaryPath = join(dir, 'summary.json');
  const shown = (p: string): string => relative(process.cwd(), p) || p;

  say(`run ${style.bold(runId)} — the ${options.variant} planners-and-studiers test, time scale ${options.timeScale}`);
  // A fresh database for every lab run: the buggy test never deletes its todos, so a reused database would make
  // each run's GET /todos heavier than the last and the lessons would drift. initdb takes about a second.
  // The folder must be writable by the `postgres` system user that initdb runs as under root.
  const pgParent = await mkdtemp(join(tmpdir(), 'logjam-lab-pg-'));
  await chmod(pgParent, 0o777);
  say(`starting PostgreSQL (embedded) and TaskOverflow (1 worker, CPU_WORK_MS=${options.cpuWorkMs}, DB_POOL_MAX=${options.poolMax})…`);
  const app = await startAppProcess({
    env: {
      WEB_CONCURRENCY: '1',
      CPU_WORK_MS: String(options.cpuWorkMs),
      DB_POOL_MAX: String(options.poolMax),
      SERVICE_NAME: 'taskoverflow',
      PG_DATA_DIR: join(pgParent, 'data'),
    },
    logFile,
    signal: io.signal,
    onMessage: (line) => io.stderr.write(`${style.dim(`  app │ ${line}`)}\n`),
  }).catch(async (err: unknown) => {
    await rm(pgParent, { recursive: true, force: true });
    throw err;
  });
  let interrupted = false;
  let clientLog: string | undefined;
  try {
    say(`app at ${app.url}, logs → ${shown(logFile)}`);
    const load = await runLoad(
      {
        scenario: 'planners-and-studiers',
        variant: options.variant,
        endpoint: app.url,
        runId,
        timeScale: options.timeScale,
        vuScale: options.vuScale,
        timeoutMs: options.timeoutMs,
        summaryPath,
      },
      {
        signal: io.signal,
        onProgress: terminalProgress(io.stderr),
        onStart: ({ maxDurationMs }) => say(`load test running (at most ${Math.ceil(maxDurationMs / 1000)} s)…`),
      },
    );
    interrupted = io.signal.aborted;
    // the runner wrote the client request log next to the summary: the analysis joins it request by request
    clientLog = load.summary.logjam?.clientLog?.path;
    io.stderr.write(`\n${load.text}\n`);
  } finally {
    say('stopping the app (in-flight requests finish, logs are flushed, the database stops)…');
    const code = await app.stop();
    if (code !== 0) say(style.yellow(`the app exited with code ${code}`));
    await rm(pgParent, { recursive: true, force: true });
  }
  if (interrupted) {
    say(`interrupted: nothing is left running. The partial run's logs are in ${shown(dir)}`);
    return { runId, dir, htmlPath: '', lessonsFound: 0, interrupted: true };
  }

  say('analyzing the run from its logs and the client summary…');
  const client = await loadClientView(summaryPath);
  const facts = parseDeploymentFacts({
    // the lab's deployment: one 1 vCPU / 2 GB Fargate task with one worker, RDS db.t3.micro
    fargateCpu: '1024',
    fargateMemory: '2048',
    workers: '1',
    poolSize: String(options.poolMax),
    dbInstanceClass: 'db.t3.micro',
    // the load the test offered at its peak, as the runner's summary reports it (k6's vus_max)
    targetVus: String(client.vusMax ?? 1),
  });
  const { report, findings, capacity } = await analyzeRun({ source: createLocalSource(logFile), runId, client, facts, clientLog });

  io.stdout.write(OUTPUT_FORMATS.terminal.render(report, { color: io.color, queries: false }));
  const lessons = labLessons(findings, client, capacity);
  io.stdout.write(`\n${renderLessons(lessons, style)}\n`);

  // the run's folder gets the file formats of the one table analyze uses too: report.html, report.md, report.json
  const fileFormats = [OUTPUT_FORMATS.html, OUTPUT_FORMATS.markdown, OUTPUT_FORMATS.json];
  for (const format of fileFormats) {
    await writeFile(join(dir, `report${format.extension}`), format.render(report, { title: `logjam — lab run ${runId}` }));
  }
  const htmlPath = join(dir, `report${OUTPUT_FORMATS.html.extension}`);
  const found = lessons.filter((l) => l.found).length;
  say(`${found} of 3 lessons found. Report: ${style.bold(shown(htmlPath))} (open it in a browser; also report.md, report.json)`);
  say(`again from the logs: logjam analyze --run ${runId} --logs ${shown(logFile)} --client-summary ${shown(summaryPath)}${clientLog ? ` --client-log ${shown(clientLog)}` : ''}`);
  return { runId, dir, htmlPath, lessonsFound: found, interrupted: false };
}

export function assertLabOptions(o: LabOptions): void {
  const bad = (flag: string, v: number): UsageError => new UsageError(`${flag} must be a positive number, got ${v}`);
  if (!(o.timeScale > 0 && o.timeScale <= 10)) throw bad('--time-scale', o.timeScale);
  if (!(o.vuScale > 0 && o.vuScale <= 10)) throw bad('--vu-scale', o.vuScale);
  if (!(o.timeoutMs > 0)) throw bad('--timeout', o.timeoutMs);
  if (!(o.cpuWorkMs >= 0)) throw bad('--cpu-work-ms', o.cpuWorkMs);
  if (!(o.poolMax >= 1 && Number.isInteger(o.poolMax))) throw bad('--pool-max', o.poolMax);
}
