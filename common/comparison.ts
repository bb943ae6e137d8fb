/**
 * The comparison operators of a threshold ("p95<500ms", k6's "p(95)<500"): one evaluator for every gate, so
 * `analyze --fail-on` and `logjam load`'s thresholds cannot disagree about what an operator means.
 */
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** true when `actual <op> limit` holds (k6 style: the threshold states what must be true). */
export function holds(actual: number, op: ComparisonOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
    case '===':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}
