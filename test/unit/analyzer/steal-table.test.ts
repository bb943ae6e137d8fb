/**
 * The parallel pass's claim/steal protocol (steal-table.ts) on its own, driven in-process: simulated threads over
 * an input of random lines take turns in a seeded random order — an owner claims and "reads" a chunk, a thief
 * plans a steal and commits it turns later (as the real thief reads the file to find the line start in between),
 * while the owner claims on. Whatever the interleaving: every byte is read exactly once, by the thread that owns
 * its piece, the pieces tile the input in order, and every cut is at a line start.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../analyzer/compare/stats.js';
import { StealTable, type StealPlan } from '../../../analyzer/sources/ndjson/steal-table.js';

/** Line starts of an input of `lines` random-length lines (each ends with its newline). */
function lineStarts(rand: () => number, lines: number): { starts: Set<number>; total: number } {
  const starts = new Set<number>();
  let at = 0;
  for (let i = 0; i < lines; i++) {
    starts.add(at);
    at += 1 + Math.floor(rand() * (rand() < 0.05 ? 5000 : 120));
  }
  return { starts, total: at };
}

type Thread =
  | { kind: 'reading'; slot: number; pos: number }
  | { kind: 'planned'; plan: StealPlan; cut: number }
  | { kind: 'idle' }
  | { kind: 'stopped' };

interface Piece {
  slot: number;
  start: number;
  end: number;
  thread: number;
}

function simulate(seed: number, threads: number, minStealBytes: number) {
  // seeded: a failing interleaving can be replayed
  const rand = seededRandom(seed);
  const { starts, total } = lineStarts(rand, 200 + Math.floor(rand() * 2000));
  const nextStart = (x: number) => {
    while (x < total && !starts.has(x)) x++;
    return x;
  };
  // the initial ranges: equal parts moved to line starts, as ranges.ts cuts them
  const cuts = [0];
  for (let k = 1; k < threads; k++) cuts.push(Math.max(cuts[k - 1]!, nextStart(Math.floor((k * total) / threads))));
  cuts.push(total);
  const runs = cuts.slice(0, -1).map((start, k) => ({ start, end: cuts[k + 1]! })).filter((r) => r.end > r.start);
  const table = StealTable.create(runs, threads * 8);
  const readBy = new Int32Array(total).fill(-1);
  const readCount = new Int32Array(total);
  const slotOwner = new Map<number, number>();
  const pieces: Piece[] = [];
  const state: Thread[] = runs.map((r, slot) => {
    slotOwner.set(slot, slot);
    return { kind: 'reading', slot, pos: r.start };
  });
  let steps = 0;
  while (state.some((s) => s.kind !== 'stopped')) {
    if (++steps > 1_000_000) throw new Error('no progress');
    const t = Math.floor(rand() * state.length);
    const s = state[t]!;
    if (s.kind === 'reading') {
      const until = table.claim(s.slot, s.pos, 1 + Math.floor(rand() * 700));
      if (until <= s.pos) {
        const { start, end } = table.finish(s.slot);
        // the owner read exactly its piece
        expect(end).toBe(s.pos);
        pieces.push({ slot: s.slot, start, end, thread: t });
        state[t] = { kind: 'idle' };
      } else {
        for (let b = s.pos; b < until; b++) {
          readCount[b]!++;
          readBy[b] = t;
        }
        s.pos = until;
      }
    } else if (s.kind === 'idle') {
      const plan = table.planSteal(minStealBytes);
      state[t] = plan === undefined ? { kind: 'stopped' } : { kind: 'planned', plan, cut: nextStart(plan.claimed + Math.floor((plan.end - plan.claimed) / 2)) };
    } else if (s.kind === 'planned') {
      const slot = table.commitSteal(s.plan, s.cut);
      if (slot === undefined) state[t] = { kind: 'idle' };
      else {
        slotOwner.set(slot, t);
        state[t] = { kind: 'reading', slot, pos: s.cut };
      }
    }
  }
  return { total, starts, pieces, readBy, readCount, slotOwner, runs: runs.length };
}

describe('steal table: claim and steal under any interleaving', () => {
  for (const threads of [2, 3, 5]) {
    it(`${threads} threads, 300 random interleavings: every byte once, pieces in order, cuts at line starts`, () => {
      let stolen = 0;
      for (let seed = 1; seed <= 300; seed++) {
        const r = simulate(seed * 7919 + threads, threads, seed % 3 === 0 ? 0 : 64);
        for (let b = 0; b < r.total; b++) if (r.readCount[b] !== 1) throw new Error(`seed ${seed}: byte ${b} read ${r.readCount[b]} times`);
        const ordered = [...r.pieces].sort((a, b) => a.start - b.start);
        let at = 0;
        for (const p of ordered) {
          expect(p.start).toBe(at);
          expect(p.end).toBeGreaterThan(p.start);
          expect(r.starts.has(p.start)).toBe(true);
          // the piece's bytes were read by the thread that owned it
          for (let b = p.start; b < p.end; b++) if (r.readBy[b] !== p.thread) throw new Error(`seed ${seed}: byte ${b} read by another thread`);
          at = p.end;
        }
        expect(at).toBe(r.total);
        stolen += r.pieces.length - r.runs;
      }
      // the interleavings did steal (many times), not just read the ranges
      expect(stolen).toBeGreaterThan(100);
    });
  }

  it('a thief cuts only after what the owner claimed, and a stale plan is refused', () => {
    const table = StealTable.create([{ start: 0, end: 1000 }], 4);
    expect(table.claim(0, 0, 100)).toBe(100);
    const plan = table.planSteal(0)!;
    expect(plan).toEqual({ slot: 0, claimed: 100, end: 1000 });
    // the owner claims past the planned cut meanwhile: the cut is refused
    expect(table.claim(0, 100, 500)).toBe(600);
    expect(table.commitSteal(plan, 550)).toBeUndefined();
    const again = table.planSteal(0)!;
    expect(table.commitSteal(again, 800)).toBe(1);
    // the stale plan (end 1000) no longer matches the piece
    expect(table.commitSteal(again, 900)).toBeUndefined();
    // the owner stops at the lowered end; the thief's piece is the tail
    expect(table.claim(0, 600, 10_000)).toBe(800);
    expect(table.claim(0, 800, 10_000)).toBe(800);
    expect(table.finish(0)).toEqual({ start: 0, end: 800 });
    expect(table.extentOf(1)).toEqual({ start: 800, end: 1000 });
    // a finished piece is not stolen from
    expect(table.planSteal(0)).toEqual({ slot: 1, claimed: 800, end: 1000 });
  });

  it('pieces under the steal minimum, or a full table, are not cut', () => {
    const table = StealTable.create([{ start: 0, end: 1000 }], 2);
    expect(table.planSteal(1001)).toBeUndefined();
    const plan = table.planSteal(1000)!;
    expect(table.commitSteal(plan, 500)).toBe(1);
    expect(table.planSteal(0)).toBeUndefined();
  });
});
