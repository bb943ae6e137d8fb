/** Is the evidence complete? Lines dropped by sinks, and input lines the analyzer had to skip. */
import type { Finding, RunAggregate } from '../model.js';
import { neverStopped } from '../aggregate/processes.js';
import { pct } from './format.js';

export function logDeliveryFindings(agg: RunAggregate): Finding[] {
  const findings: Finding[] = [];
  const i = agg.input;
  // processes that never logged service.stop may have lost lines (and drop counts) nobody reported
  const unstopped = neverStopped(agg.processes);
  const lifecycleLogged = (agg.processes ?? []).some((p) => p.started || p.stopped);
  if (i.droppedBySinks > 0 || (lifecycleLogged && unstopped.length > 0)) {
    const names = unstopped.slice(0, 5).map((p) => `${p.host || '(no host)'} pid ${p.pid}`).join(', ');
    const lowerBound = unstopped.length > 0
      ? ` At least ${i.droppedBySinks}: ${unstopped.length} processes never logged service.stop (${names}${unstopped.length > 5 ? ', …' : ''}), so what they lost at exit is not counted.`
      : '';
    findings.push({
      id: 'log-delivery',
      severity: 'warning',
      title: unstopped.length > 0
        ? `at least ${i.droppedBySinks} log lines dropped before reaching the logs (a lower bound: ${unstopped.length} processes never stopped)`
        : `${i.droppedBySinks} log lines were dropped before reaching the logs: this report is incomplete`,
      explanation:
        'The middleware\'s sinks reported lines they could not deliver (log.dropped: a full queue, a rejected batch, ' +
        'shutdown before flushing). Counts in this report are lower bounds, and missing server lines may be lost lines.' +
        lowerBound,
      fix: 'Read the log.dropped reasons (the query below): raise the sink\'s queue size, write to a file/stdout in tests, or flush on shutdown.',
      counts: { droppedBySinks: i.droppedBySinks, processesNeverStopped: unstopped.length },
      exampleRequestIds: [],
      query: agg.queries.dropped,
    });
  }
  const skipped = i.malformed + i.oversized + i.foreign;
  if (skipped > 0 || (i.warnings?.length ?? 0) > 0) {
    findings.push({
      id: 'input-skipped',
      severity: skipped / Math.max(i.totalLines, 1) > 0.01 || (i.warnings?.length ?? 0) > 0 ? 'warning' : 'info',
      title: `${skipped} input lines skipped (${pct(skipped, i.totalLines)} of ${i.totalLines})`,
      explanation:
        `Not read as logjam lines: ${i.malformed} malformed (not JSON objects, e.g. a truncated last line), ` +
        `${i.oversized} oversized, ${i.foreign} foreign (other services or schema versions, or required fields missing).` +
        (i.alb && i.alb.malformed + i.alb.truncated > 0
          ? ` Of the malformed, ${i.alb.malformed + i.alb.truncated} are ALB access-log lines: ${i.alb.truncated} truncated (fewer fields than the format, or an open quote), ${i.alb.malformed} with a value no ALB writes.`
          : '') +
        (i.warnings?.length ? ` ${i.warnings.join(' ')}` : ''),
      fix: 'Usually harmless (mixed logs); if the count is large, check that the file is the service\'s NDJSON output.',
      counts: {
        malformed: i.malformed,
        oversized: i.oversized,
        foreign: i.foreign,
        totalLines: i.totalLines,
        ...(i.alb ? { albMalformed: i.alb.malformed, albTruncated: i.alb.truncated } : {}),
      },
      exampleRequestIds: [],
    });
  }
  if (i.duplicates > 0) {
    findings.push({
      id: 'duplicate-lines',
      severity: 'info',
      title: `${i.duplicates} duplicate request lines ignored (each request's start, finish, abort and error counted once)`,
      explanation:
        'The same request id logged the same event more than once: lines CloudWatch stored twice after a retried batch, or the same log read twice.',
      fix: 'Nothing: duplicates are counted once. Check the shipping setup if the number is large.',
      counts: { duplicates: i.duplicates },
      exampleRequestIds: [],
      query: agg.queries.duplicates,
    });
  }
  return findings;
}
