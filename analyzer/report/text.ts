/** Number formats shared by the text renderers. */
import { neverStopped, type ProcessSummary } from '../aggregate/processes.js';
import type { InputFileAccounting } from '../model.js';

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}s`;
  if (v >= 100) return `${v.toFixed(0)}ms`;
  return `${v.toFixed(1)}ms`;
}

export function fmtPct(fraction: number): string {
  const v = fraction * 100;
  return `${v === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
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
