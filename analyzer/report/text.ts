/** The text renderers' compact forms of common/format.ts ("12.5ms" in table cells). */
import { formatMs, formatPercent } from '../../common/format.js';
import { neverStopped, type ProcessSummary } from '../aggregate/processes.js';
import type { InputFileAccounting } from '../model.js';

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
