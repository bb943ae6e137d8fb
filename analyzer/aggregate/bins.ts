/**
 * Time bins that stay between ~100 and `maxBins` wide however long the input is, in one streaming pass: bins start
 * at `minBinMs`; when the covered span would need more than `maxBins` bins, the width doubles and neighbours merge.
 * Keys are floor(time / width) on absolute time, so lines may arrive out of order (several files, several workers)
 * and doubling stays exact (floor(floor(t/w)/2) = floor(t/2w)).
 */
export class AdaptiveBins<T> {
  private bins = new Map<number, T>();
  private minKey = Infinity;
  private maxKey = -Infinity;
  binMs: number;

  constructor(
    private readonly create: () => T,
    private readonly merge: (into: T, from: T) => void,
    minBinMs = 1000,
    private readonly maxBins = 200,
  ) {
    this.binMs = minBinMs;
  }

  /** The bin holding `time`, created when missing. */
  at(time: number): T {
    let key = Math.floor(time / this.binMs);
    if (key < this.minKey || key > this.maxKey) {
      const lo = Math.min(this.minKey, key);
      const hi = Math.max(this.maxKey, key);
      if (hi - lo + 1 > this.maxBins) {
        this.coarsen(lo, hi);
        key = Math.floor(time / this.binMs);
      }
      this.minKey = Math.min(this.minKey, key);
      this.maxKey = Math.max(this.maxKey, key);
    }
    let bin = this.bins.get(key);
    if (bin === undefined) {
      bin = this.create();
      this.bins.set(key, bin);
    }
    return bin;
  }

  private coarsen(lo: number, hi: number): void {
    let factor = 1;
    while (Math.floor(hi / factor) - Math.floor(lo / factor) + 1 > this.maxBins) factor *= 2;
    this.widen(factor);
  }

  /**
   * Adds the bins another AdaptiveBins counted (its entries() at its width `binMs`) — the bins of another part of
   * the input. Exact: this side first widens to at least `binMs`, so each of those bins lies inside one bin here, and
   * the width still ends where one pass over both parts would have put it (keys are absolute, see above).
   */
  absorb(entries: [number, T][], binMs: number): void {
    if (binMs > this.binMs) this.widen(binMs / this.binMs);
    for (const [start, bin] of entries) this.merge(this.at(start), bin);
  }

  private widen(factor: number): void {
    const old = this.bins;
    this.bins = new Map();
    for (const [key, bin] of old) {
      const k = Math.floor(key / factor);
      const prev = this.bins.get(k);
      if (prev === undefined) this.bins.set(k, bin);
      else this.merge(prev, bin);
    }
    this.binMs *= factor;
    this.minKey = Math.floor(this.minKey / factor);
    this.maxKey = Math.floor(this.maxKey / factor);
  }

  /** [start time, bin] in time order (only bins that exist). */
  entries(): [number, T][] {
    return [...this.bins.entries()].sort((a, b) => a[0] - b[0]).map(([k, b]) => [k * this.binMs, b]);
  }

  get size(): number {
    return this.bins.size;
  }
}

/** Timelines keep at most this many bins. */
export const MAX_BINS = 200;
export const MIN_BIN_MS = 1000;

/**
 * THE bin-width rule, for every source: 1 s, doubled until [firstTime, lastTime] fits in MAX_BINS bins aligned on
 * the epoch. AdaptiveBins (streaming, the NDJSON source) ends at exactly this width for the span it saw, and the
 * CloudWatch source queries with it, so both timelines line up bin for bin.
 */
export function chooseBinMs(firstTime: number, lastTime: number): number {
  let width = MIN_BIN_MS;
  while (Math.floor(lastTime / width) - Math.floor(firstTime / width) + 1 > MAX_BINS) width *= 2;
  return width;
}
