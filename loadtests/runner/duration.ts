/**
 * k6's duration syntax: "30s", "1m30s", "1h", "500ms", "1.5s", "2m0.5s" (units h, m, s, ms, us/µs, ns, summed);
 * a number is milliseconds, as in k6's JSON options. Pure.
 */
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;

/** ms for a k6 duration (0 allowed), undefined when it is not one. */
export function parseK6Duration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) === 0 ? 0 : undefined; // "0" is fine, "30" has no unit
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = PART.lastIndex;
  }
  return consumed === text.length ? total : undefined;
}
