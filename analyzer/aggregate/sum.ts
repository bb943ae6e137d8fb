/**
 * A sum of floating-point values that does not depend on the order they are added in (to far below the last bit
 * of a double): Neumaier's compensated summation, the rounding error of each addition kept in `lo`. Plain `+=`
 * gives a different last digit when the same values arrive in another order — and the parallel pass
 * (sources/ndjson/parallel.ts) adds one range's sum to another's, so its means must not depend on where the input
 * was cut. The error left is about n·2⁻¹⁰⁶ of the sum, so `value` — hi + lo rounded once — is the correctly rounded
 * exact sum unless that lies within it of a rounding midpoint. Also more accurate than `+=` over millions of lines.
 */
export interface SumState {
  hi: number;
  lo: number;
}

export class Sum implements SumState {
  hi = 0;
  lo = 0;

  add(x: number): void {
    const t = this.hi + x;
    this.lo += Math.abs(this.hi) >= Math.abs(x) ? this.hi - t + x : x - t + this.hi;
    this.hi = t;
  }

  /** Adds another sum (a Sum, or one that crossed threads as plain data). */
  absorb(other: SumState): void {
    this.add(other.hi);
    this.lo += other.lo;
  }

  get value(): number {
    return this.hi + this.lo;
  }

  static of(state: SumState): Sum {
    const s = new Sum();
    s.hi = state.hi;
    s.lo = state.lo;
    return s;
  }
}
