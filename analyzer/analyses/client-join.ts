/**
 * Findings from the client request log joined to the server's lines (aggregate/client-join.ts): late completions,
 * requests the server never logged, time spent outside the app, and per-request status disagreements. Pure.
 * Stable ids: late-completions, never-logged, outside-app-time, status-disagreement.
 */
import type { ClientJoinSummary, Finding, OffsetBounded } from '../model.js';
import { ms, pct } from './format.js';

/** "12 ms" when the offset bounds agree to the millisecond, else "12–40 ms (clock offset)". */
export function boundedMs(b: OffsetBounded | undefined): string {
  if (!b) return 'unknown (no clock offset)';
  const lo = Math.max(0, b.low);
  const hi = Math.max(0, b.high);
  return Math.abs(hi - lo) < 1 ? ms(lo) : `${ms(lo)}–${ms(hi)}`;
}

/** The clock offset in words, shown beside every figure that depends on it. */
export function describeOffset(join: ClientJoinSummary): string {
  const o = join.clockOffset;
  if (o.estimateMs === undefined) return 'clock offset: unknown (no joined request to bound it)';
  const range = `[${o.lowMs !== undefined ? ms(o.lowMs) : '−∞'}, ${o.highMs !== undefined ? ms(o.highMs) : '+∞'}]`;
  return (
    `clock offset (server − client): ≈ ${ms(o.estimateMs)}, bounded by ${range} from the joined requests` +
    (o.consistent
      ? ''
      : ` — ${o.laggingServerEnds ?? 'some'} requests' server end came after the client had its answer (a server that stamps its line late, on a blocked event loop, or a clock that drifted): left out of the lower bound`)
  );
}

const seconds = (msValue: number) => `+${(msValue / 1000).toFixed(1)} s`;

/** "+3.0 s–+9.0 s: 40" ranges of the client-clock bins where `pick` is non-zero (the first few). */
function binRanges(join: ClientJoinSummary, pick: (b: ClientJoinSummary['bins'][number]) => number): string[] {
  const first = join.bins[0]?.start ?? 0;
  const out: string[] = [];
  let start: number | undefined;
  let sum = 0;
  const flush = (end: number) => {
    if (start === undefined) return;
    out.push(`${seconds(start - first)}–${seconds(end - first)}: ${sum}`);
    start = undefined;
    sum = 0;
  };
  for (const b of join.bins) {
    const n = pick(b);
    if (n > 0) {
      start ??= b.start;
      sum += n;
    } else flush(b.start);
  }
  const last = join.bins[join.bins.length - 1];
  if (last) flush(last.start + join.binMs);
  return out.slice(0, 5);
}

function lateCompletions(join: ClientJoinSummary): Finding[] {
  const l = join.lateCompletions;
  if (l.count === 0) return [];
  const timeouts = l.count + l.serverAborted + l.neverLogged;
  const routes = join.routes.filter((r) => r.lateCompletions > 0).sort((a, b) => b.lateCompletions - a.lateCompletions);
  return [
    {
      id: 'late-completions',
      severity: l.count > 0.01 * join.clientLog.requests ? 'critical' : 'warning',
      title: `${l.count} requests finished at the server after the client had given up (timeout)`,
      explanation:
        `The client timed out on ${timeouts} requests; the server went on and logged request.finish for ${l.count} of them ` +
        `(${pct(l.count, timeouts)}), spending ${ms(l.serverMsSum)} of server time on answers nobody received. ` +
        `They finished ${boundedMs(l.laterMeanMs)} after the client gave up on average (at most ${boundedMs(l.laterMaxMs)}). ` +
        `${l.serverAborted} more were logged as request.abort (the server noticed the client leaving) and ${l.neverLogged} never reached the logs. ` +
        'Work the client no longer waits for still holds a worker, a connection and the event loop, and makes the queue longer for everyone behind it.',
      fix:
        'Bound server work by the client\'s patience: a server-side timeout shorter than the client\'s, cancelling work when the ' +
        'connection closes (req "close" → abort the query), and shedding load (429/503) before the queue grows past what can be served in time.',
      counts: {
        lateCompletions: l.count,
        serverMsSum: Math.round(l.serverMsSum),
        clientTimeouts: timeouts,
        serverAborted: l.serverAborted,
        timeoutsNeverLogged: l.neverLogged,
      },
      exampleRequestIds: l.exampleRequestIds.slice(0, 3),
      details: [
        ...routes.slice(0, 10).map((r) => `${r.method} ${r.route}: ${r.lateCompletions} late, ${ms(r.lateServerMsSum)} of server time`),
        ...binRanges(join, (b) => b.lateCompletions).map((w) => `sent: ${w}`),
        describeOffset(join),
      ],
    },
  ];
}

function neverLogged(join: ClientJoinSummary): Finding[] {
  const n = join.neverLogged;
  if (n.count === 0) return [];
  const outcomes = Object.entries(n.byOutcome).sort((a, b) => b[1] - a[1]);
  const words = outcomes.map(([o, c]) => `${o === 'response' ? 'got a response from something in front of the app' : o} ${c}`).join(', ');
  return [
    {
      id: 'never-logged',
      severity: n.count > 0.01 * join.clientLog.requests ? 'critical' : 'warning',
      title: `${n.count} client requests (${pct(n.count, join.clientLog.requests)}) never appear in the server's logs`,
      explanation:
        `The client log holds ${join.clientLog.requests} requests of the run; ${n.count} have no server line at all, not even request.start ` +
        `(${words}). They were refused or reset before the app read them (accept backlog full, a worker restarting, a proxy or load ` +
        'balancer answering itself), timed out in a queue in front of the app, or their lines were lost on the way to the logs. ' +
        `They were sent between ${seconds(n.firstSentMs ?? 0)} and ${seconds(n.lastSentMs ?? 0)} of the run (client clock).` +
        (n.startedNotEnded > 0 ? ` ${n.startedNotEnded} more have a request.start and no end (a process died mid-request).` : '') +
        (n.interrupted > 0 ? ` ${n.interrupted} requests the runner cut off itself are not counted.` : ''),
      fix:
        'Look at what happened at the server when they were sent: worker restarts (process-lifecycle), the accept backlog and ' +
        'connection limits, the load balancer\'s own status codes; check log.dropped for lines lost by the sinks.',
      counts: {
        neverLogged: n.count,
        ...Object.fromEntries(outcomes.map(([o, c]) => [`neverLogged_${o}`, c])),
        startedNotEnded: n.startedNotEnded,
        interrupted: n.interrupted,
        clientRequests: join.clientLog.requests,
      },
      exampleRequestIds: [],
      details: [
        ...n.byName.slice(0, 10).map((r) => `${r.name}: ${r.count}`),
        ...binRanges(join, (b) => b.neverLogged).map((w) => `sent: ${w}`),
      ],
    },
  ];
}

function outsideApp(join: ClientJoinSummary): Finding[] {
  const o = join.outsideApp;
  if (o.count === 0) return [];
  const t = o.totalMs;
  const clientP95 = Math.max(...join.bins.map((b) => b.clientP95Ms), 0);
  const worst = join.bins.reduce<ClientJoinSummary['bins'][number] | undefined>(
    (best, b) => (b.compared > 0 && (!best || b.outsideP95Ms > best.outsideP95Ms) ? b : best),
    undefined,
  );
  const first = join.bins[0]?.start ?? 0;
  // outside time that rivals the time in the app is queueing in front of it, not network
  const big = t.p95 >= 100 && t.p95 > 0.5 * clientP95;
  return [
    {
      id: 'outside-app-time',
      severity: big ? 'warning' : 'info',
      title: `time outside the app: p50 ${ms(t.p50)}, p95 ${ms(t.p95)} per request (client duration − server duration)`,
      explanation:
        `Over ${o.count} requests joined to their request.finish line, the client waited ${ms(t.mean)} on average longer than the ` +
        `server measured (p95 ${ms(t.p95)}, max ${ms(t.max)}): network, the accept backlog, a load balancer or proxy, and an event ` +
        `loop too busy to start the middleware. Of it, ${boundedMs(o.beforeAppMeanMs)} on average passed before the server's clock ` +
        'started (the bounds are the clock offset\'s). ' +
        (worst ? `It peaked at p95 ${ms(worst.outsideP95Ms)} at ${seconds(worst.start - first)} of the run. ` : '') +
        (o.negative > 0 ? `${o.negative} requests measured longer at the server than at the client (clamped to 0: clock drift or rounding).` : ''),
      fix: big
        ? 'The queue is in front of the app: more workers or instances, a bigger accept backlog, or fewer requests in flight per instance; server-side latency alone under-reports what users see.'
        : 'Nothing to fix: most of the latency is inside the app, where the server-side figures see it.',
      counts: {
        compared: o.count,
        p50Ms: t.p50,
        p95Ms: t.p95,
        maxMs: t.max,
        negative: o.negative,
      },
      exampleRequestIds: [],
      details: [
        ...join.routes
          .filter((r) => r.joined > 0)
          .slice(0, 10)
          .map((r) => `${r.method} ${r.route}: p50 ${ms(r.outsideAppMs.p50)}, p95 ${ms(r.outsideAppMs.p95)}; before the app ${boundedMs(r.beforeAppMeanMs)} (mean)`),
        describeOffset(join),
      ],
    },
  ];
}

function statusDisagreements(join: ClientJoinSummary): Finding[] {
  const d = join.statusDisagreements;
  if (d.count === 0) return [];
  return [
    {
      id: 'status-disagreement',
      severity: 'warning',
      title: `${d.count} requests got a different status at the client than the server logged`,
      explanation:
        'For these requests the server logged one outcome and the client saw another: a proxy or load balancer answered ' +
        'instead (client 502/504 while the server logged 200 — it finished after the proxy gave up), the connection was ' +
        'reset after the server logged its answer, or the server aborted while the client got a response from something in front of it.',
      fix: "Compare the proxy's timeouts with the app's latency (the proxy's must be longer), and its access logs with the app's for the ids below.",
      counts: { statusDisagreements: d.count, pairs: d.pairs.length },
      exampleRequestIds: d.exampleRequestIds.slice(0, 3),
      details: d.pairs.slice(0, 10).map((p) => `${p.method} ${p.route}: client ${p.client}, server ${p.server} × ${p.count}`),
    },
  ];
}

/** What reading the client log skipped, and the server's requests it lacks: said, never dropped silently. */
function clientLogInput(join: ClientJoinSummary): Finding[] {
  const c = join.clientLog;
  const skipped = c.malformed + c.oversized + c.foreign + c.duplicateIds + c.k6WithoutId;
  const parts: [string, number][] = [
    ['malformed', c.malformed],
    ['oversized', c.oversized],
    ['foreign (neither format)', c.foreign],
    ['repeated ids (first kept)', c.duplicateIds],
    ['k6 request samples without the logjam id', c.k6WithoutId],
    ['lines of other runs', c.otherRuns],
    ['server request lines not in the client log', join.serverOnly],
  ];
  const shown = parts.filter(([, n]) => n > 0);
  if (shown.length === 0 && !c.warnings?.length) return [];
  return [
    {
      id: 'client-log-input',
      severity: skipped > 0.01 * Math.max(c.lines, 1) || (c.warnings?.length ?? 0) > 0 ? 'warning' : 'info',
      title: `client log ${c.file}: ${c.requests} requests read${shown.length ? `; ${shown.map(([w, n]) => `${n} ${w}`).join(', ')}` : ''}`,
      explanation:
        `The client log (${c.format}) has ${c.lines} lines: ${c.requests} requests of the run were joined against the server's lines. ` +
        'Skipped lines are counted here, never dropped silently; server request lines whose id the client log lacks come from another ' +
        'client (health checks, a second generator without a log) or from ids the client did not send.',
      fix: c.k6WithoutId > 0 ? 'Send every k6 request through loadtests/k6/logjam.js so each sample carries its id.' : 'Nothing to do unless the counts are large.',
      counts: Object.fromEntries([
        ['lines', c.lines],
        ['requests', c.requests],
        ['malformed', c.malformed],
        ['oversized', c.oversized],
        ['foreign', c.foreign],
        ['duplicateIds', c.duplicateIds],
        ['k6WithoutId', c.k6WithoutId],
        ['otherRuns', c.otherRuns],
        ['serverOnly', join.serverOnly],
      ]),
      exampleRequestIds: [],
      details: c.warnings ?? [],
    },
  ];
}

export function clientJoinFindings(join: ClientJoinSummary | undefined): Finding[] {
  if (!join) return [];
  return [...lateCompletions(join), ...neverLogged(join), ...statusDisagreements(join), ...outsideApp(join), ...clientLogInput(join)];
}
