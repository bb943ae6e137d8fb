/**
 * process-never-stopped (issue 14, defects 4 and 5): a process that served the run but never logged service.stop
 * was killed (SIGKILL, OOM), crashed, or is still running. Its last lines, and the final drop counts its sinks would
 * have reported at shutdown, may never have arrived: the drop count is then a lower bound, and its requests that
 * started but never ended are most likely lost lines, not slow requests.
 *
 * Raised only when the logs show the lifecycle at all (some process of the run logged service.start or
 * service.stop): a service that never writes them would otherwise get this finding on every run.
 */
import { neverStopped, openRequests, type ProcessSummary } from '../aggregate/processes.js';
import type { Finding, RunAggregate } from '../model.js';

const MAX_DETAILS = 20;

const iso = (t: number) => new Date(t).toISOString();

export function describeProcess(p: ProcessSummary): string {
  const open = openRequests(p);
  return (
    `${p.host || '(no host)'} pid ${p.pid}${p.service ? ` (${p.service})` : ''}: ` +
    `${p.started ? 'logged service.start, ' : ''}no service.stop; last line ${iso(p.lastTime)} (${p.lastEvent}); ` +
    `${p.runLines} lines of the run; ${open} requests started and never finished`
  );
}

export function processLifecycleFindings(agg: RunAggregate): Finding[] {
  const processes = agg.processes ?? [];
  if (!processes.some((p) => p.started || p.stopped)) return [];
  const missing = neverStopped(processes);
  if (missing.length === 0) return [];
  const open = missing.reduce((n, p) => n + openRequests(p), 0);
  return [
    {
      id: 'process-never-stopped',
      severity: open > 0 ? 'warning' : 'info',
      title: `${missing.length} of ${processes.length} processes never logged service.stop${open > 0 ? `: ${open} requests started and never finished` : ''}`,
      explanation:
        'These processes wrote lines of the run but no service.stop: they were killed (SIGKILL, out of memory), ' +
        'crashed, or are still running. Lines they had not yet shipped, and the drop counts their sinks report at ' +
        'shutdown, never arrived: "dropped by sinks" is a lower bound, and their unfinished requests are likely lost ' +
        'lines rather than requests still running.',
      fix:
        'Stop the service with SIGTERM (it drains, flushes and logs service.stop) before analyzing; if a process was ' +
        'killed, look for an OOM kill or a crash at its last line, and count its unfinished requests as unknown.',
      counts: { processes: processes.length, neverStopped: missing.length, requestsNeverFinished: open },
      exampleRequestIds: [],
      details: missing.slice(0, MAX_DETAILS).map(describeProcess),
    },
  ];
}
