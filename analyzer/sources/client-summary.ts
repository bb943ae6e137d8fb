/**
 * Reads a client summary — k6's `handleSummary` data / `--summary-export`, or the Node runner's (same shape plus a
 * `logjam` block) — into a ClientView. Tolerates both k6 layouts: metrics with a `values` object (handleSummary)
 * and flat metrics (legacy --summary-export), checks as an array or as an object keyed by name.
 * A file that cannot be read or is not a summary is a LogjamError (exit 2) with a message that says which.
 */
import { readFile } from 'node:fs/promises';
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
  const lj = data.logjam;
  if (isObject(lj)) {
    if (typeof lj.runId === 'string') view.runId = lj.runId;
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

export async function loadClientView(path: string): Promise<ClientView> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LogjamError(
      'LJ_CLIENT_SUMMARY_READ',
      `cannot read the client summary ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`,
      { hint: 'check the --client-summary path', cause: err },
    );
  }
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
