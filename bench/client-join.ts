/**
 * Benchmark of the client-log join (`logjam analyze --client-log`): report time and peak RSS of one analysis that
 * joins a generated client log to a generated server log, request by request. Run:
 * `node dist/bench/client-join.js [--smoke] [--requests N] [--json]` (default 10,000,000 requests; --smoke 100,000).
 *
 * The two files (generated once into os.tmpdir(), reused when present) describe one run: the client's
 * client.ndjson (logjam's format) and the server's request.finish / request.abort lines, with the server's clock
 * 1.234 s ahead of the client's. Of the requests, ~1% time out at the client (half of those finish at the server
 * anyway: late completions; a quarter are logged as aborts; a quarter never reach the server), ~0.5% are refused
 * (never logged) and ~0.2% get a 502 from a proxy while the server logged 200. The measured child checks the
 * join's counts against the generator's and prints both. The target (issue 18): peak RSS ≤ 400 MB at 10M.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLIENT_LINE_KIND, CLIENT_LOG_SCHEMA } from '../common/client-log.js';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../middleware/schema.js';
import { analyzeRun } from '../analyzer/pipeline.js';
import { createLocalSource } from '../analyzer/sources/ndjson/index.js';
import { rng } from './analyzer.js';
import { BENCH_USAGE, handleBenchArgs } from './usage.js';

const RUN_ID = 'bench-join';
const OFFSET_MS = 1234;
const TIMEOUT_MS = 5000;
const ROUTES = [
  { method: 'GET', route: '/api/v1/todos', name: 'list todos' },
  { method: 'GET', route: '/api/v1/todos/:id', name: 'get todo' },
  { method: 'POST', route: '/api/v1/todos', name: 'create todo' },
  { method: 'DELETE', route: '/api/v1/todos/:id', name: 'delete todo' },
];

interface Expected {
  requests: number;
  lateCompletions: number;
  serverAborted: number;
  neverLogged: number;
  statusDisagreements: number;
}

class Out {
  private buf = '';
  constructor(private readonly stream: WriteStream) {}
  async line(text: string): Promise<void> {
    this.buf += `${text}\n`;
    if (this.buf.length > 1 << 20) {
      if (!this.stream.write(this.buf)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
      this.buf = '';
    }
  }
  async end(): Promise<void> {
    this.stream.write(this.buf);
    await new Promise<void>((res, rej) => this.stream.end((err?: Error | null) => (err ? rej(err) : res())));
  }
}

async function generate(clientPath: string, serverPath: string, requests: number): Promise<Expected> {
  const client = new Out(createWriteStream(`${clientPath}.tmp`));
  const server = new Out(createWriteStream(`${serverPath}.tmp`));
  const rand = rng(18);
  const expected: Expected = { requests, lateCompletions: 0, serverAborted: 0, neverLogged: 0, statusDisagreements: 0 };
  const start = Date.UTC(2026, 11, 1, 12, 0, 0);
  const spanMs = 60 * 60 * 1000; // an hour-long run
  for (let i = 0; i < requests; i++) {
    const r = ROUTES[i % ROUTES.length]!;
    const id = `ljbench0001-${i.toString(36)}`;
    const clientStart = start + (i / requests) * spanMs;
    const before = 0.2 + rand() * 2; // network + backlog before the middleware
    const serverMs = 1 + rand() * rand() * 150;
    const after = 0.2 + rand();
    let clientMs = before + serverMs + after;
    let status = r.method === 'POST' ? 201 : 200;
    const serverStatus = status;
    let error: string | undefined;
    let serverEvent: string | undefined = EVENTS.requestFinish;
    let serverDuration = serverMs;
    const roll = rand();
    if (roll < 0.005) {
      error = 'timeout';
      clientMs = TIMEOUT_MS;
      serverDuration = TIMEOUT_MS + rand() * 3000; // the server finished after the client gave up
      expected.lateCompletions++;
    } else if (roll < 0.0075) {
      error = 'timeout';
      clientMs = TIMEOUT_MS;
      serverEvent = EVENTS.requestAbort;
      serverDuration = TIMEOUT_MS - before;
      expected.serverAborted++;
    } else if (roll < 0.01) {
      error = 'timeout';
      clientMs = TIMEOUT_MS;
      serverEvent = undefined;
      expected.neverLogged++;
    } else if (roll < 0.015) {
      error = 'refused';
      clientMs = rand();
      serverEvent = undefined;
      expected.neverLogged++;
    } else if (roll < 0.017) {
      status = 502;
      expected.statusDisagreements++;
    }
    const line: Record<string, unknown> = {
      kind: CLIENT_LINE_KIND,
      schema: CLIENT_LOG_SCHEMA,
      id,
      run_id: RUN_ID,
      scenario: 'bench',
      vu: 1 + (i % 500),
      iter: Math.floor(i / 500),
      name: r.name,
      method: r.method,
      origin: 'http://127.0.0.1:3000',
      path: r.route.replace(':id', String(i % 5000)),
      start: Math.round(clientStart * 1000) / 1000,
      duration_ms: Math.round(clientMs * 1000) / 1000,
      status: error ? 0 : status,
    };
    if (error) line.error = error;
    if (i % 3 === 0) line[error || status >= 400 ? 'checks_failed' : 'checks_passed'] = ['is 200'];
    await client.line(JSON.stringify(line));
    if (serverEvent === undefined) continue;
    const serverStart = clientStart + OFFSET_MS + before;
    const fields: Record<string, unknown> = {
      [F.time]: Math.round(serverStart + serverDuration),
      [F.level]: 'info',
      [F.msg]: serverEvent === EVENTS.requestFinish ? 'request finished' : 'request aborted by the client',
      [F.event]: serverEvent,
      [F.schema]: SCHEMA_VERSION,
      [F.service]: 'taskoverflow',
      [F.host]: 'bench-host',
      [F.pid]: 1000 + (i % 4),
      [F.requestId]: id,
      [F.runId]: RUN_ID,
      [F.method]: r.method,
      [F.path]: line.path,
      [F.route]: r.route,
      [F.durationMs]: Math.round(serverDuration * 1000) / 1000,
    };
    if (serverEvent === EVENTS.requestFinish) {
      fields[F.status] = serverStatus;
      fields[F.bytesOut] = 200 + Math.floor(rand() * 2000);
      fields[F.dbMs] = Math.round(serverMs * 300) / 1000;
      fields[F.dbQueries] = 1;
      fields[F.poolWaitMs] = 0;
    }
    await server.line(JSON.stringify(fields));
  }
  await client.end();
  await server.end();
  renameSync(`${clientPath}.tmp`, clientPath);
  renameSync(`${serverPath}.tmp`, serverPath);
  return expected;
}

interface ChildResult {
  ms: number;
  peakRssMb: number;
  joined: number;
  lateCompletions: number;
  serverAborted: number;
  neverLogged: number;
  statusDisagreements: number;
  offsetMs?: number;
}

/** The measured part, in the child: the whole analysis with the join, then its own figures on stdout. */
async function child(clientPath: string, serverPath: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const { join: j } = await analyzeRun({ source: createLocalSource(serverPath), runId: RUN_ID, clientLog: clientPath });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out: ChildResult = {
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    joined: j!.joined,
    lateCompletions: j!.lateCompletions.count,
    serverAborted: j!.lateCompletions.serverAborted,
    neverLogged: j!.neverLogged.count,
    statusDisagreements: j!.statusDisagreements.count,
    ...(j!.clockOffset.estimateMs !== undefined ? { offsetMs: j!.clockOffset.estimateMs } : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function measure(clientPath: string, serverPath: string): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const self = fileURLToPath(import.meta.url);
    const c = spawn(process.execPath, [self, '--child', clientPath, serverPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', rej);
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out) as ChildResult) : rej(new Error(`bench child exited ${code}`))));
  });
}

export interface ClientJoinBenchResult {
  requests: number;
  clientMb: number;
  serverMb: number;
  expected: Expected;
  measured: ChildResult;
}

export async function runClientJoinBench(options: { requests?: number; smoke?: boolean; dir?: string } = {}): Promise<ClientJoinBenchResult> {
  const requests = options.requests ?? (options.smoke ? 100_000 : 10_000_000);
  const dir = options.dir ?? tmpdir();
  const clientPath = join(dir, `logjam-bench-join-client-${requests}.ndjson`);
  const serverPath = join(dir, `logjam-bench-join-server-${requests}.ndjson`);
  const expectedPath = `${clientPath}.expected.json`;
  let expected: Expected;
  if (existsSync(clientPath) && existsSync(serverPath) && existsSync(expectedPath)) {
    expected = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(expectedPath, 'utf8'))) as Expected;
  } else {
    process.stderr.write(`generating ${requests.toLocaleString('en')} requests into ${clientPath} and ${serverPath} …\n`);
    expected = await generate(clientPath, serverPath, requests);
    await import('node:fs/promises').then((fs) => fs.writeFile(expectedPath, JSON.stringify(expected)));
  }
  const measured = await measure(clientPath, serverPath);
  return { requests, clientMb: statSync(clientPath).size / 1e6, serverMb: statSync(serverPath).size / 1e6, expected, measured };
}

function print(r: ClientJoinBenchResult): void {
  const m = r.measured;
  const e = r.expected;
  const check = (name: string, got: number, want: number) => `${name} ${got.toLocaleString('en')}${got === want ? '' : ` (MISMATCH: generated ${want.toLocaleString('en')})`}`;
  process.stdout.write(
    `join ${r.requests.toLocaleString('en')} client requests (${r.clientMb.toFixed(0)} MB) to the server log (${r.serverMb.toFixed(0)} MB): ` +
      `${(m.ms / 1000).toFixed(1)} s (${Math.round(r.requests / (m.ms / 1000)).toLocaleString('en')} requests/s), ` +
      `peak RSS ${m.peakRssMb.toFixed(0)} MB (target ≤ 400 MB: ${(m.peakRssMb / 400).toFixed(2)}× the target)\n` +
      `counts: ${check('late completions', m.lateCompletions, e.lateCompletions)}, ${check('server aborts', m.serverAborted, e.serverAborted)}, ` +
      `${check('never logged', m.neverLogged, e.neverLogged)}, ${check('status disagreements', m.statusDisagreements, e.statusDisagreements)}; ` +
      `clock offset ≈ ${m.offsetMs?.toFixed(1) ?? '?'} ms (generated ${OFFSET_MS} ms)\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]!, args[2]!);
  } else {
    handleBenchArgs(args, BENCH_USAGE['client-join']);
    const n = args.indexOf('--requests');
    const result = await runClientJoinBench({ smoke: args.includes('--smoke'), requests: n >= 0 ? Number(args[n + 1]) : undefined });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else print(result);
    const e = result.expected;
    const m = result.measured;
    if (m.lateCompletions !== e.lateCompletions || m.neverLogged !== e.neverLogged || m.statusDisagreements !== e.statusDisagreements) process.exitCode = 1;
  }
}
