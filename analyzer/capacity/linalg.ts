/** Small dense linear algebra for the least-squares fits (3 unknowns at most, so plain Gaussian elimination). */

/** Solves A x = b with partial pivoting. Returns undefined when A is singular (or nearly so). */
export function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Ordinary least squares: the x minimising |X x − y|² via the normal equations (fine for 1–3 well-scaled columns). */
export function leastSquares(rows: number[][], y: number[]): number[] | undefined {
  const k = rows[0]?.length ?? 0;
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const aty = new Array<number>(k).fill(0);
  rows.forEach((row, i) => {
    for (let p = 0; p < k; p++) {
      aty[p]! += row[p]! * y[i]!;
      for (let q = 0; q < k; q++) ata[p]![q]! += row[p]! * row[q]!;
    }
  });
  return solve(ata, aty);
}
