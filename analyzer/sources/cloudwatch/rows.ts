/**
 * Logs Insights rows (`[[{field, value}]]`, every value a string or absent) -> typed values.
 * Tolerant by design: a missing field or a value of the wrong type is read as undefined and counted, never thrown,
 * so one odd line in a log group cannot break a report.
 */

export type InsightsRow = Record<string, string>;

/** ResultField-like cells as the SDK returns them (both members optional in its types). */
export interface ResultCell {
  field?: string;
  value?: string;
}

export function toRows(results: ResultCell[][] | undefined): InsightsRow[] {
  const rows: InsightsRow[] = [];
  for (const cells of results ?? []) {
    const row: InsightsRow = {};
    for (const cell of cells) {
      if (typeof cell.field === 'string' && typeof cell.value === 'string') row[cell.field] = cell.value;
    }
    rows.push(row);
  }
  return rows;
}

/** Counts values that were present but unreadable, so the report can say so. */
export class RowReader {
  oddValues = 0;

  /** A number, or undefined when absent or not numeric (counted). */
  num(row: InsightsRow, field: string): number | undefined {
    const text = row[field];
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) {
      this.oddValues++;
      return undefined;
    }
    return n;
  }

  /** A number, 0 when absent. */
  num0(row: InsightsRow, field: string): number {
    return this.num(row, field) ?? 0;
  }

  str(row: InsightsRow, field: string): string | undefined {
    const text = row[field];
    return text === undefined || text === '' ? undefined : text;
  }

  /** A time: Logs Insights prints timestamps as "2025-01-31 12:00:00.000" (UTC); epoch ms numbers pass through. */
  time(row: InsightsRow, field: string): number | undefined {
    const text = row[field];
    if (text === undefined || text === '') return undefined;
    if (/^\d+(\.\d+)?(e\+?\d+)?$/i.test(text)) return Number(text);
    const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
    if (Number.isNaN(ms)) {
      this.oddValues++;
      return undefined;
    }
    return ms;
  }
}
