/**
 * The runs a source holds (run id, first/last time, requests), in one pass and bounded memory. Requests are counted
 * by request id, as the aggregator counts them: a request.finish line stored twice (a retried batch) counts once.
 */
import type { RunListing } from '../sources/source.js';
import { HashedIdSet } from './hash-set.js';

export const MAX_RUNS_LISTED = 10_000;

export class RunIndex {
  private runs = new Map<string, RunListing>();
  /** lines of runs beyond MAX_RUNS_LISTED (a log with that many run ids is probably not load tests) */
  overflowLines = 0;
  private finished = new HashedIdSet();

  /** One line of a run; `finishedRequestId` when it is a request.finish line. */
  note(runId: string, time: number, finishedRequestId?: string): void {
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
    if (finishedRequestId !== undefined && this.finished.add(finishedRequestId)) r.requests++;
  }

  /** Oldest first. */
  list(): RunListing[] {
    return [...this.runs.values()].sort((a, b) => a.firstTime - b.firstTime || a.runId.localeCompare(b.runId));
  }
}
