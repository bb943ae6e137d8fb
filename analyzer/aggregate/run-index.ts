/**
 * The runs a source holds (run id, first/last time, requests), in one pass and bounded memory. Requests are counted
 * by request id, as the aggregator counts them: a request.finish line stored twice (a retried batch) counts once.
 */
import type { RunListing, UntaggedRequests } from '../sources/source.js';
import { HashedIdSet } from './hash-set.js';

export const MAX_RUNS_LISTED = 10_000;

export class RunIndex {
  private runs = new Map<string, RunListing>();
  /** lines of runs beyond MAX_RUNS_LISTED (a log with that many run ids is probably not load tests) */
  overflowLines = 0;
  private finished = new HashedIdSet();
  private untagged: UntaggedRequests | undefined;
  private untaggedFinished = new HashedIdSet();

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

  /** A request line with no run id (`finishedRequestId` when it is a request.finish line). */
  noteUntagged(time: number, finishedRequestId?: string): void {
    const u = (this.untagged ??= { requests: 0, firstTime: time, lastTime: time });
    if (time < u.firstTime) u.firstTime = time;
    if (time > u.lastTime) u.lastTime = time;
    if (finishedRequestId !== undefined && this.untaggedFinished.add(finishedRequestId)) u.requests++;
  }

  /** The requests seen with no run id, when there were any. */
  untaggedRequests(): UntaggedRequests | undefined {
    return this.untagged === undefined ? undefined : { ...this.untagged };
  }

  /** Oldest first. */
  list(): RunListing[] {
    return [...this.runs.values()].sort((a, b) => a.firstTime - b.firstTime || a.runId.localeCompare(b.runId));
  }
}
