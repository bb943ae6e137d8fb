/**
 * When an arrival-rate executor starts its iterations — pure, so the schedule is tested without timers.
 *
 * The rate (iterations per timeUnit) is a function of time: constant for constant-arrival-rate, straight lines
 * from startRate through each stage's target for ramping-arrival-rate (k6's docs: "the rate increases/decreases
 * linearly to each stage's target"). Its integral N(t) counts the iterations due by t, and iteration i (0-based)
 * starts at the moment N(t) reaches i — k6's "iteration starts are spaced fractionally": at rate 10 per 1s, one
 * every 100 ms, the first at 0. When the rate at 0 is 0 (a ramp from startRate 0), nothing is due at 0, so the
 * first iteration starts when N(t) reaches 1.
 */
import type { ArrivalRatePlan } from './types.js';

interface Segment {
  startMs: number;
  durationMs: number;
  /** iterations per ms at the segment's start and end */
  fromPerMs: number;
  toPerMs: number;
  /** N at the segment's start */
  dueBefore: number;
}

function segments(plan: ArrivalRatePlan): Segment[] {
  const perMs = (rate: number): number => (plan.timeUnitMs > 0 ? rate / plan.timeUnitMs : 0);
  if (plan.executor === 'constant-arrival-rate') {
    return [{ startMs: 0, durationMs: plan.durationMs, fromPerMs: perMs(plan.rate), toPerMs: perMs(plan.rate), dueBefore: 0 }];
  }
  const out: Segment[] = [];
  let from = perMs(plan.startRate);
  let startMs = 0;
  let due = 0;
  for (const stage of plan.stages) {
    const to = perMs(stage.target);
    out.push({ startMs, durationMs: stage.durationMs, fromPerMs: from, toPerMs: to, dueBefore: due });
    due += ((from + to) / 2) * stage.durationMs;
    startMs += stage.durationMs;
    from = to;
  }
  return out;
}

/** How long iterations keep starting: the constant duration, or the stages' total. */
export function arrivalScheduleLengthMs(plan: ArrivalRatePlan): number {
  return plan.executor === 'constant-arrival-rate' ? plan.durationMs : plan.stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** N(t): iterations due by `elapsedMs` (a real number; the integral of the rate). */
export function iterationsDueBy(plan: ArrivalRatePlan, elapsedMs: number): number {
  let due = 0;
  for (const s of segments(plan)) {
    if (elapsedMs <= s.startMs) break;
    const t = Math.min(elapsedMs - s.startMs, s.durationMs);
    const slope = s.durationMs > 0 ? (s.toPerMs - s.fromPerMs) / s.durationMs : 0;
    due = s.dueBefore + s.fromPerMs * t + (slope * t * t) / 2;
  }
  return due;
}

/**
 * The start times of every iteration the schedule holds, in ms from the scenario's start, in order. A generator:
 * a long run is millions of starts, and the executor needs only the next one.
 */
export function* arrivalTimesMs(plan: ArrivalRatePlan): Generator<number> {
  const length = arrivalScheduleLengthMs(plan);
  const segs = segments(plan);
  const first = segs[0];
  // nothing due at 0 when the rate starts at 0: the first iteration is the one N(t) reaches 1 for
  let i = first && first.fromPerMs > 0 ? 0 : 1;
  for (const s of segs) {
    const slope = s.durationMs > 0 ? (s.toPerMs - s.fromPerMs) / s.durationMs : 0;
    const dueAfter = s.dueBefore + ((s.fromPerMs + s.toPerMs) / 2) * s.durationMs;
    // small epsilon: floating error must not push an exact boundary into the next segment (or drop it)
    while (i <= dueAfter + 1e-9) {
      const need = i - s.dueBefore;
      let t: number;
      if (Math.abs(slope) < 1e-15) {
        t = s.fromPerMs > 0 ? need / s.fromPerMs : 0;
      } else {
        // solve fromPerMs·t + slope·t²/2 = need for the smallest t ≥ 0
        const disc = s.fromPerMs * s.fromPerMs + 2 * slope * need;
        t = (-s.fromPerMs + Math.sqrt(Math.max(0, disc))) / slope;
      }
      const at = s.startMs + Math.min(Math.max(t, 0), s.durationMs);
      if (at >= length) return;
      yield at;
      i++;
    }
  }
}
