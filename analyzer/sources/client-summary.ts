/**
 * Reads a client summary — k6's `handleSummary` data / `--summary-export`, or the Node runner's (same shape plus a
 * `logjam` block) — into a ClientView. Tolerates both k6 layouts: metrics with a `values` object (handleSummary)
 * and flat metrics (legacy --summary-export), checks as an array or as an object keyed by name.
 * A file that cannot be read or is not a summary is a LogjamError (exit 2) with a message that says which.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ClientView } from '../model.js';
import { LogjamError } from '../../common/errors.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A metric's values, wherever the layout keeps them. */
function metricValues(metrics: Json, name: string): Json | undefined {
  const m = metrics[name];
  if (!isObject(m)) return undefined;
  return isObject(m.values) ? m.values : m;
}

interface Check {
  name: string;
  passes: number;
  fails: number;
}

/** Checks of a group and its sub-groups, merged by name (k6 repeats a check name per group). */
function collectChecks(group: unknown, into: Map<string, Check>): void {
  if (!isObject(group)) return;
  const checks = Array.isArray(group.checks) ? group.checks : isObject(group.checks) ? Object.values(group.checks) : [];
  for (const c of checks) {
    if (!isObject(c) || typeof c.name !== 'string') continue;
    const prev = into.get(c.name) ?? { name: c.name, passes: 0, fails: 0 };
    prev.passes += num(c.passes) ?? 0;
    prev.fails += num(c.fails) ?? 0;
    into.set(c.name, prev);
  }
  const groups = Array.isArray(group.groups) ? group.groups : isObject(group.groups) ? Object.values(group.groups) : [];
  for (const g of groups) collectChecks(g, into);
}

/** Pure: a parsed summary -> ClientView. Throws LogjamError when it is not a k6-shaped summary. */
export function clientViewFromSummary(data: unknown, file: string): ClientView {
  const hint = 'pass the JSON written by k6 (--summary-export or handleSummary) or by `logjam load`';
  if (!isObject(data) || !isObject(data.metrics)) {
    throw new LogjamError('LJ_CLIENT_SUMMARY_SHAPE', `${file} is not a k6 summary: it has no "metrics" object`, { hint });
  }
  const metrics = data.metrics;
  const reqs = metricValues(metrics, 'http_reqs');
  const requests = num(reqs?.count);
  if (requests === undefined) {
    throw new LogjamError('LJ_CLIENT_SUMMARY_SHAPE', `${file} is not a k6 summary: metrics.http_reqs.count is missing`, {
      hint,
    });
  }
  // For a k6 Rate metric, `passes` counts the non-zero samples: for http_req_failed that is the failed requests.
  const failed = metricValues(metrics, 'http_req_failed');
  let failedRequests = num(failed?.passes);
  if (failedRequests === undefined) {
    const rate = num(failed?.rate) ?? num(failed?.value);
    failedRequests = rate === undefined ? 0 : Math.round(rate * requests);
  }
  const checks = new Map<string, Check>();
  collectChecks(data.root_group, checks);

  const view: ClientView = { file, requests, failedRequests, checks: [...checks.values()] };
  const vus = metricValues(metrics, 'vus_max');
  const vusMax = num(vus?.max) ?? num(vus?.value);
  if (vusMax !== undefined) view.vusMax = vusMax;
  const iterations = num(metricValues(metrics, 'iterations')?.count);
  if (iterations !== undefined) view.iterations = iterations;
  const p95 = num(metricValues(metrics, 'http_req_duration')?.['p(95)']);
  if (p95 !== undefined) view.durationP95Ms = p95;
  if (isObject(data.state)) {
    const d = num(data.state.testRunDurationMs);
    if (d !== undefined) view.testDurationMs = d;
  }
  // the scenario's name, kept only when it is a plain name (it is shown and compared, never interpreted)
  const scenarioName = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(v) ? v : undefined);
  const k6Scenario = isObject(data.setup_data) ? scenarioName(data.setup_data.scenario) : undefined;
  if (k6Scenario !== undefined) view.scenario = k6Scenario;
  const lj = data.logjam;
  if (isObject(lj)) {
    if (typeof lj.runId === 'string') view.runId = lj.runId;
    const scenario = scenarioName(lj.scenario);
    if (scenario !== undefined) view.scenario = scenario;
    const interrupted = num(lj.interruptedRequests);
    if (interrupted !== undefined) view.interruptedRequests = interrupted;
    const think = num(lj.thinkTimeS);
    if (think !== undefined) view.thinkTimeS = think;
    if (Array.isArray(lj.clientErrors)) {
      view.clientErrors = lj.clientErrors.filter(isObject).flatMap((e) => {
        const responses = num(e.responses);
        const status4xx = num(e.status4xx);
        if (typeof e.name !== 'string' || responses === undefined || status4xx === undefined) return [];
        return [{ name: e.name.slice(0, 300), method: typeof e.method === 'string' ? e.method.slice(0, 20) : '', responses, status4xx, status404: num(e.status404) ?? 0 }];
      });
    }
    if (isObject(lj.generator) && typeof lj.generator.saturated === 'boolean') {
      const g = lj.generator;
      view.generator = {
        saturated: g.saturated === true,
        saturatedSeconds: num(g.saturatedSeconds) ?? 0,
        windows: num(g.windows) ?? 0,
        elDelayP99Ms: num(g.elDelayP99Ms) ?? 0,
        cpuPeak: num(g.cpuPeak) ?? 0,
      };
    }
    if (isObject(lj.noResponse)) {
      const byReason: Record<string, number> = {};
      for (const [reason, count] of Object.entries(lj.noResponse)) {
        const n = num(count);
        if (n !== undefined && reason !== 'total') byReason[reason] = n;
      }
      view.noResponse = num(lj.noResponse.total) ?? Object.values(byReason).reduce((a, b) => a + b, 0);
      view.noResponseByReason = byReason;
    }
  }
  return view;
}

/**
 * The largest client summary read (64 MiB). k6's and the Node runner's summaries are kilobytes; a file this big is
 * the wrong file, and JSON.parse holds several times its size in memory (300 MB took ~1 GB; 600 MB overflowed the
 * largest string V8 makes). Documented in docs/analyzer.md.
 */
export const MAX_CLIENT_SUMMARY_BYTES = 64 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function tooLarge(path: string, size: string, maxBytes: number): LogjamError {
  return new LogjamError(
    'LJ_CLIENT_SUMMARY_TOO_LARGE',
    `the client summary ${path} is ${size}, over the ${mib(maxBytes)} cap for --client-summary`,
    { hint: 'pass the summary JSON k6 (--summary-export / handleSummary) or `logjam load` writes: it is kilobytes' },
  );
}

function readError(path: string, err: unknown): LogjamError {
  const code = (err as NodeJS.ErrnoException).code;
  return new LogjamError(
    'LJ_CLIENT_SUMMARY_READ',
    `cannot read the client summary ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`,
    { hint: 'check the --client-summary path', cause: err },
  );
}

/**
 * The file's text, never more than `maxBytes`: the size is checked before reading (a clear error at once), and
 * counted while reading too, since a FIFO, a device or a file still growing has no size to check up front.
 */
async function readCapped(path: string, maxBytes: number): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw readError(path, err);
  }
  if (info.isDirectory()) throw readError(path, Object.assign(new Error('it is a directory'), { code: 'EISDIR' }));
  if (info.isFile() && info.size > maxBytes) throw tooLarge(path, mib(info.size), maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(path, `more than ${mib(maxBytes)}`, maxBytes);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof LogjamError) throw err;
    throw readError(path, err);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function loadClientView(path: string, options: { maxBytes?: number } = {}): Promise<ClientView> {
  const text = await readCapped(path, options.maxBytes ?? MAX_CLIENT_SUMMARY_BYTES);
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new LogjamError('LJ_CLIENT_SUMMARY_JSON', `the client summary ${path} is not valid JSON: ${(err as Error).message}`, {
      hint: 'pass the JSON summary file, not k6\'s text output',
      cause: err,
    });
  }
  return clientViewFromSummary(data, path);
}
