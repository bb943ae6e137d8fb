/** The text renderers' compact forms of common/format.ts ("12.5ms" in table cells). */
import { formatMs, formatPercent } from '../../common/format.js';
import { neverStopped, type ProcessSummary } from '../aggregate/processes.js';
import type { InputFileAccounting, TimeWindow } from '../model.js';
import { FORMAT_LIMITS } from '../sources/formats/index.js';

export function fmtMs(v: number): string {
  return Number.isFinite(v) ? formatMs(v, '') : '-';
}

export function fmtPct(fraction: number): string {
  return formatPercent(fraction);
}

export function fmtTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** "3 files read; 1 symlinked folder not followed (--follow-symlinks) …" for a --logs directory; '' when nothing was left out. */
export function describeInputFiles(f: InputFileAccounting | undefined): string {
  if (!f) return '';
  const parts: string[] = [];
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  if (f.symlinkedFoldersNotFollowed) parts.push(`${n(f.symlinkedFoldersNotFollowed, 'symlinked folder')} not followed (--follow-symlinks)`);
  if (f.filesSeenTwice) parts.push(`${n(f.filesSeenTwice, 'file')} seen twice (read once)`);
  if (f.loops) parts.push(`${n(f.loops, 'folder loop')} skipped`);
  if (parts.length === 0) return '';
  return `${n(f.files, 'file')} read; ${parts.join(', ')}`;
}

/**
 * "3 dropped by sinks", or "at least 3 dropped by sinks (2 processes never logged service.stop)" when a process of
 * the run may have lost lines at exit that nobody counted: the report never claims 0 when it cannot know.
 */
export function describeDropped(dropped: number, processes: readonly ProcessSummary[] | undefined): string {
  const unstopped = neverStopped(processes).length;
  if (unstopped === 0) return `${dropped} dropped by sinks`;
  return `at least ${dropped} dropped by sinks (a lower bound: ${unstopped} ${unstopped === 1 ? 'process' : 'processes'} never logged service.stop)`;
}

/**
 * What Logs Insights read for the report: "10 queries, 5230 records / 1.2 MB scanned" (the CloudWatch source's
 * statistics, summed over its queries; AWS bills Logs Insights by the bytes scanned).
 */
export function describeScanned(scanned: { queries: number; recordsScanned: number; bytesScanned: number }): string {
  return `${scanned.queries} queries, ${scanned.recordsScanned} records / ${fmtBytes(scanned.bytesScanned)} scanned`;
}

/** Decimal units, as AWS bills (GB scanned): "812 B", "51.2 kB", "1.2 MB", "3.4 GB". */
export function fmtBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * What the report covers: "run r1", or "time window 2025-01-31 12:00:00Z → 12:30:00Z" (analyze without --run: every
 * request in it, whatever its run id; an open bound is the start or end of the input).
 */
export function describeSelection(run: { runId: string; window?: TimeWindow }): string {
  if (!run.window) return `run ${run.runId}`;
  const { since, until } = run.window;
  return `time window ${since !== undefined ? fmtTime(since) : 'start of input'} → ${until !== undefined ? fmtTime(until) : 'end of input'} (not a run: every request in it)`;
}

/** "980 logjam + 40 pino-http" (lines read per input format); '' when the source does not count them (CloudWatch). */
export function describeFormats(formats: Record<string, number> | undefined): string {
  const entries = Object.entries(formats ?? {}).filter(([, n]) => n > 0);
  return entries.map(([name, n]) => `${n} ${name}`).join(' + ');
}

/** "pino-http: no start lines …" for each format read whose lines cannot tell part of the report. */
export function describeFormatLimits(formats: Record<string, number> | undefined): string[] {
  return Object.entries(formats ?? {})
    .filter(([name, n]) => n > 0 && FORMAT_LIMITS.has(name))
    .map(([name]) => `${name} lines: ${FORMAT_LIMITS.get(name)!}`);
}
