/**
 * The front door: what the ALB's access log says about the run's requests, joined by trace id
 * (aggregate/front-door.ts). Findings say which side a failure or a delay is on — the client, the front door
 * (the ALB and what lies between it and the app's middleware), or the app.
 */
import type { Finding, FrontDoorFailure, FrontDoorSide, FrontDoorSummary, RunAggregate } from '../model.js';
import { ms, pct, statusLabel } from './format.js';

const SIDE_WORDS: Record<FrontDoorSide, string> = {
  client: 'client side',
  'front-door': 'front door (before the app)',
  app: 'app side',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

/** What an ALB status with these facts usually means (AWS: "Troubleshoot your Application Load Balancers"). */
function meaning(f: FrontDoorFailure): string {
  if (f.elbStatus === 460) return 'the client closed the connection before the ALB answered (its timeout is shorter than the request took)';
  if (f.side === 'app') {
    return f.elbStatus === 504
      ? 'the app received the request and had not answered when the ALB’s idle timeout ran out'
      : 'the app received the request and never finished it (it crashed, was killed, or closed the connection)';
  }
  if (f.elbStatus === 503) return 'no healthy target was registered (deploys, failing health checks, a service scaled to zero)';
  if (f.elbStatus === 502) return 'the target refused or reset the connection, or closed a keep-alive connection the ALB was reusing';
  if (f.elbStatus === 504) return 'the target accepted no request in time (a full accept queue, a process that stopped reading)';
  if (f.elbStatus >= 500) return 'the ALB could not get an answer from a target';
  return 'the ALB rejected the request itself (a malformed request, a listener rule, an oversized header)';
}

function failureDetail(f: FrontDoorFailure): string {
  const target = f.targetStatus !== undefined ? `target ${f.targetStatus}` : 'no target status';
  const received = f.appStarted > 0 ? `app received ${f.appStarted}${f.appAborted ? ` (logged ${f.appAborted} as aborted)` : ''}` : 'app received none';
  const held = f.albElapsedMs.count ? `ALB held it p50 ${ms(f.albElapsedMs.p50)}, max ${ms(f.albElapsedMs.max)}` : '';
  const when = f.firstTime === f.lastTime ? clock(f.firstTime) : `${clock(f.firstTime)}–${clock(f.lastTime)}`;
  return (
    `${f.method} ${f.route}: ALB ${statusLabel(f.elbStatus)} × ${f.count} (${target}; ${received}` +
    `${held ? `; ${held}` : ''}) — ${SIDE_WORDS[f.side]}: ${meaning(f)}; ${when}` +
    (f.exampleTraceIds.length ? `; trace ids ${f.exampleTraceIds.join(' ')}` : '')
  );
}

function failureFinding(fd: FrontDoorSummary): Finding | undefined {
  const lost = fd.failures + fd.afterApp;
  if (lost === 0) return undefined;
  const bySide: Record<FrontDoorSide, number> = { client: 0, 'front-door': 0, app: 0 };
  const byStatus = new Map<number, number>();
  for (const f of fd.failureGroups) {
    bySide[f.side] += f.count;
    byStatus.set(f.elbStatus, (byStatus.get(f.elbStatus) ?? 0) + f.count);
  }
  const statuses = [...byStatus].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} × ${n}`).join(', ');
  const sides = (Object.keys(bySide) as FrontDoorSide[]).filter((s) => bySide[s] > 0).map((s) => `${SIDE_WORDS[s]} ${bySide[s]}`);
  const parts: string[] = [];
  if (fd.failures > 0) {
    parts.push(
      `The ALB answered ${plural(fd.failures, 'request')} with an error (${statuses}) that the app never finished — ` +
        `no request.finish line carries their trace id. By side: ${sides.join(', ')}. "Front door" means the app never ` +
        'logged the request: it failed between the ALB and the middleware. "App side" means the app logged its start ' +
        '(or its abort when the ALB hung up) and no finish.',
    );
  }
  if (fd.afterApp > 0) {
    parts.push(
      `${plural(fd.afterApp, 'request')} the app finished still reached the client as an ALB error: the response was ` +
        'lost between the two (a 502 after a finish is usually a keep-alive connection the app closed while the ALB ' +
        'reused it; a 504 means the app answered after the ALB’s idle timeout).',
    );
  }
  const fixes: string[] = [];
  if (bySide['front-door'] > 0) {
    fixes.push(
      'front door: check target health and deregistration delay around those times, task restarts and deploys; set the ' +
        "server's keepAliveTimeout above the ALB's idle timeout (Node's default 5 s is below the ALB's 60 s)",
    );
  }
  if (bySide.app > 0) fixes.push('app: find why those requests hung (time breakdown, event-loop delay, pool waits) and make them finish before the ALB’s idle timeout');
  if (bySide.client > 0) fixes.push('client: its timeout fired first; find what made the requests slow before raising it');
  if (fd.afterApp > 0) fixes.push('after the app finished: keepAliveTimeout (and headersTimeout) above the ALB idle timeout; for 504s, answer within it');
  const share = fd.albLines > 0 ? lost / fd.albLines : 1;
  return {
    id: 'front-door-failures',
    severity: share >= 0.01 || lost >= 10 ? 'critical' : 'warning',
    title:
      fd.failures > 0
        ? `${plural(fd.failures, 'request')} answered by the ALB with an error the app never finished (${statuses})`
        : `${plural(fd.afterApp, 'request')} the app finished reached the client as an ALB error`,
    explanation:
      `${parts.join(' ')} ${pct(lost, fd.albLines)} of the run's ${fd.albLines} ALB lines.` +
      (fd.appBeforeAlb > 0 || fd.overflow > 0 ? ' Upper bound: the join missed app lines (see front-door-join).' : ''),
    fix: `${fixes.join('; ')}.`,
    counts: {
      failures: fd.failures,
      afterApp: fd.afterApp,
      frontDoorSide: bySide['front-door'],
      appSide: bySide.app,
      clientSide: bySide.client,
      albLines: fd.albLines,
    },
    // trace ids, not request ids: `logjam trace` opens request ids; the trace ids are in the details
    exampleRequestIds: [],
    details: [
      ...fd.failureGroups.map(failureDetail),
      ...fd.afterAppGroups.map(
        (g) =>
          `${g.method} ${g.route}: app finished ${g.appStatus} (p50 ${ms(g.appDurationMs.p50)}, max ${ms(g.appDurationMs.max)}), ` +
          `ALB answered ${statusLabel(g.elbStatus)} × ${g.count}` +
          (g.exampleTraceIds.length ? `; trace ids ${g.exampleTraceIds.join(' ')}` : ''),
      ),
    ],
  };
}

/** Warning when the time outside the app is large on its own (≥ 50 ms at p95) and against the app's own p95. */
export const OUTSIDE_APP_WARN_MS = 50;
export const OUTSIDE_APP_WARN_SHARE = 0.25;

function timeFinding(fd: FrontDoorSummary): Finding | undefined {
  if (fd.joined === 0) return undefined;
  const out = fd.beforeAppMs;
  const rp = fd.requestProcessingMs;
  const app = fd.appMs;
  const large = out.p95 >= OUTSIDE_APP_WARN_MS && out.p95 >= app.p95 * OUTSIDE_APP_WARN_SHARE;
  const side = out.p95 > app.p95 ? 'outside the app (ALB and front door side)' : 'in the app';
  return {
    id: 'time-before-app',
    severity: large ? 'warning' : 'info',
    title: `Time outside the app: p50 ${ms(out.p50)}, p95 ${ms(out.p95)} (ALB request processing p95 ${ms(rp.p95)}; app p95 ${ms(app.p95)})`,
    explanation:
      `${plural(fd.joined, 'ALB line')} joined to the app's request.finish by trace id. "Outside the app" is the ALB's ` +
      'total (request + target + response processing time) minus the app’s duration_ms: the ALB’s own work, the hop to ' +
      'the target, the time a request waited in the accept queue or behind a busy event loop before the middleware ' +
      `started its clock, and the response transfer. request_processing_time (p50 ${ms(rp.p50)}, p95 ${ms(rp.p95)}) is ` +
      `the ALB’s part before it sent the request on. At p95 most of the wait is ${side}.`,
    fix: large
      ? 'Time outside the app: check the event-loop delay and CPU of the tasks (a request waits before the middleware sees it), the target count against the load, and the ALB’s request_processing_time for TLS or connection set-up.'
      : 'Nothing to fix at the front door: the time is in the app (see the time breakdown and latency findings).',
    counts: {
      joined: fd.joined,
      beforeAppP50Ms: out.p50,
      beforeAppP95Ms: out.p95,
      requestProcessingP50Ms: rp.p50,
      requestProcessingP95Ms: rp.p95,
      appP95Ms: app.p95,
    },
    exampleRequestIds: [],
    details: fd.routes.map(
      (r) =>
        `${r.method} ${r.route}: ${r.joined} joined; outside the app p50 ${ms(r.beforeAppMs.p50)}, p95 ${ms(r.beforeAppMs.p95)}; ` +
        `ALB request processing p50 ${ms(r.requestProcessingMs.p50)}, p95 ${ms(r.requestProcessingMs.p95)}` +
        (r.failures ? `; ${r.failures} front-door failures` : ''),
    ),
  };
}

/** The join itself incomplete: what the report cannot tell, said once. */
function joinFinding(fd: FrontDoorSummary, agg: RunAggregate): Finding | undefined {
  const notes: string[] = [];
  if (fd.joined === 0 && fd.appWithoutTraceId > 0) {
    notes.push(
      `none of the run's request.finish lines carries amzn_trace_id (${fd.appWithoutTraceId} without): the requests did not come ` +
        'through an ALB (which always adds X-Amzn-Trace-Id), or the service runs a logjam middleware older than the field',
    );
  } else if (fd.appWithoutTraceId > 0) {
    notes.push(`${plural(fd.appWithoutTraceId, 'request.finish line')} of the run carry no amzn_trace_id and cannot be joined`);
  }
  if (fd.appBeforeAlb > 0) {
    notes.push(
      `${plural(fd.appBeforeAlb, 'request.finish line')} were read before the first ALB line and not held for the join: their ` +
        'ALB lines count as failures or go unjoined — pass the ALB files with --alb-logs (read first) instead of inside --logs',
    );
  }
  if (fd.overflow > 0) {
    notes.push(
      `${plural(fd.overflow, 'line')} could not wait for their partner (the join holds at most 1,000,000): split the input by time ` +
        '(--since/--until) — failures may be over-counted and joins missing',
    );
  }
  if (fd.albOnly > 0) notes.push(`${plural(fd.albOnly, 'ALB line')} in the run's time range show a target answer but no app finish line: app lines are missing`);
  if (notes.length === 0) return undefined;
  return {
    id: 'front-door-join',
    severity: fd.joined === 0 || fd.overflow > 0 || fd.appBeforeAlb > 0 || fd.albOnly > fd.joined * 0.01 ? 'warning' : 'info',
    title: fd.joined === 0 ? 'ALB access-log lines could not be joined to the run' : 'The ALB join is incomplete',
    explanation: `${notes.join('; ')}. ${agg.totals.requests} finished requests, ${fd.joined} joined.`,
    fix: 'Analyze the ALB logs of the same period as the app logs (ALB files arrive every 5 minutes per node: the last minutes may still be missing).',
    counts: {
      joined: fd.joined,
      appWithoutTraceId: fd.appWithoutTraceId,
      appBeforeAlb: fd.appBeforeAlb,
      appOnly: fd.appOnly,
      albOnly: fd.albOnly,
      overflow: fd.overflow,
    },
    exampleRequestIds: [],
  };
}

export function frontDoorFindings(agg: RunAggregate): Finding[] {
  const fd = agg.frontDoor;
  if (fd === undefined) return [];
  return [failureFinding(fd), timeFinding(fd), joinFinding(fd, agg)].filter((f): f is Finding => f !== undefined);
}
