/**
 * The one duration parser: "500ms", "60s", "2m", "1.5h", "1d", "2w" → milliseconds. The load runner's --timeout
 * takes bare numbers as seconds (k6's habit) and only ms/s/m; the analyzer's relative --since/--until takes every
 * unit and needs one. Case-insensitive.
 */
export const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export type DurationUnit = keyof typeof DURATION_UNIT_MS;

export interface DurationRules {
  /** the unit of a bare number; without one, a unit is required */
  defaultUnit?: DurationUnit;
  /** the units accepted (default: all) */
  units?: readonly DurationUnit[];
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i;

/** Milliseconds, or undefined when `text` is not a duration under `rules` (the caller words the error). */
export function parseDuration(text: string, rules: DurationRules = {}): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? rules.defaultUnit) as DurationUnit | undefined;
  if (unit === undefined || !Object.hasOwn(DURATION_UNIT_MS, unit)) return undefined;
  if (rules.units && !rules.units.includes(unit)) return undefined;
  return Number(match[1]) * DURATION_UNIT_MS[unit];
}
