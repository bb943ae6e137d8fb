/**
 * "No lines for run X" is only useful with the runs that do exist: rank them by how close their id is to the one
 * asked for (edit distance, relative to length), then by recency.
 */
import { LogjamError } from '../../common/errors.js';
import type { RunListing } from '../sources/source.js';
import type { TimeWindow } from '../model.js';

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function nearestRuns(runId: string, runs: RunListing[], limit = 5): RunListing[] {
  const wanted = runId.toLowerCase();
  const scored = runs.map((r) => {
    const id = r.runId.toLowerCase();
    const contains = id.includes(wanted) || wanted.includes(id);
    const distance = editDistance(wanted, id) / Math.max(wanted.length, id.length, 1);
    return { r, score: contains ? distance / 2 : distance };
  });
  scored.sort((a, b) => a.score - b.score || b.r.lastTime - a.r.lastTime);
  return scored.slice(0, limit).map((s) => s.r);
}

export function formatRunListing(r: RunListing): string {
  return `${r.runId}  ${new Date(r.firstTime).toISOString()} → ${new Date(r.lastTime).toISOString()}  ${r.requests} requests`;
}

/** The run id has no lines: LogjamError (exit 2) naming the nearest runs the source does have. */
export class RunNotFoundError extends LogjamError {
  constructor(
    readonly runId: string,
    readonly nearest: RunListing[],
    source: string,
  ) {
    super(
      'LJ_RUN_NOT_FOUND',
      `no lines for run "${runId}" in ${source}` +
        (nearest.length ? `\n  nearest runs:\n${nearest.map((r) => `    ${formatRunListing(r)}`).join('\n')}` : ''),
      {
        hint: nearest.length
          ? 'pass one of these ids to --run (`logjam runs` lists them all)'
          : 'the source holds no runs: were the requests sent with an X-Run-Id header?',
      },
    );
  }
}


/** The window an aggregate without a run id covers: the bounds asked for (an absent one: the input's start or end). */
export function windowOf(since: number | undefined, until: number | undefined): TimeWindow {
  return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
}

/** "--since 2025-… --until 2025-…" or "the whole input", for messages. */
export function describeWindowBounds(since: number | undefined, until: number | undefined): string {
  if (since === undefined && until === undefined) return 'the whole input';
  const iso = (t: number) => new Date(t).toISOString();
  return [since !== undefined ? `--since ${iso(since)}` : '', until !== undefined ? `--until ${iso(until)}` : ''].filter(Boolean).join(' ');
}

/** A time window (analyze without --run) holds no request line: LogjamError (exit 2). */
export class WindowEmptyError extends LogjamError {
  constructor(source: string, since: number | undefined, until: number | undefined) {
    super('LJ_WINDOW_EMPTY', `no request lines in ${source} (${describeWindowBounds(since, until)})`, {
      hint: '`logjam runs` shows the time span the source holds; widen --since/--until, or pass --run',
    });
  }
}
