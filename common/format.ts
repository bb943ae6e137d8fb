/**
 * Number formats for people, shared by every renderer: the terminal and Markdown reports, the findings' wording and
 * the capacity formula lines. A leaf module (imports nothing from the project).
 */

/** Milliseconds: one decimal below 100 ms, whole ms up to 10 s, then seconds ("12.5 ms", "850 ms", "14.2 s"). */
export function formatMs(v: number, unitSeparator = ' '): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}${unitSeparator}s`;
  if (v >= 100) return `${v.toFixed(0)}${unitSeparator}ms`;
  return `${v.toFixed(1)}${unitSeparator}ms`;
}

/** part of whole as a percentage: whole numbers from 10% (and 0%), one decimal below ("0.4%", "33%"); 0% of nothing. */
export function formatPercent(part: number, whole = 1): string {
  if (whole <= 0) return '0%';
  const v = (100 * part) / whole;
  return `${v === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
}

/** 3 significant digits below 100, whole numbers above; integers as they are (exact enough to check by hand). */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

/** A fraction as a percentage with num's precision ("33.3%"): for formula lines, where the digits are checked. */
export function formatPercentPrecise(fraction: number): string {
  return `${num(fraction * 100)}%`;
}

/** A POSIX shell single-quoted word: paths and ids in a command a person pastes are attacker-influenced text. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The text as is when it holds only characters no shell treats specially, else shellQuote'd (readable commands). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : shellQuote(text);
}
