/** The runs a source holds (run id, first/last time, request.finish lines), in one pass and bounded memory. */
import type { RunListing } from '../sources/source.js';

export const MAX_RUNS_LISTED = 10_000;

export class RunIndex {
  private runs = new Map<string, RunListing>();
  /** lines of runs beyond MAX_RUNS_LISTED (a log with that many run ids is probably not load tests) */
  overflowLines = 0;

  note(runId: string, time: number, isFinish: boolean): void {
    let r = this.runs.get(runId);
    if (r === undefined) {
      if (this.runs.size >= MAX_RUNS_LISTED) {
        this.overflowLines++;
        return;
      }
      r = { runId, firstTime: time, lastTime: time, requests: 0 };
      this.runs.set(runId, r);
    }
    if (time < r.firstTime) r.firstTime = time;
    if (time > r.lastTime) r.lastTime = time;
    if (isFinish) r.requests++;
  }

  /** Oldest first. */
  list(): RunListing[] {
    return [...this.runs.values()].sort((a, b) => a.firstTime - b.firstTime || a.runId.localeCompare(b.runId));
  }
}
