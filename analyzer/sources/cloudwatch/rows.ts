/**
 * Logs Insights rows (`[[{field, value}]]`, every value a string or absent) -> typed values.
 * Tolerant by design: a value of the wrong type is read as undefined and counted, never thrown, and so is a row
 * that lacks a field it is grouped by, so one odd line in a log group (or an odd answer) cannot break a report.
 */

export type InsightsRow = Record<string, string>;

/** ResultField-like cells as the SDK returns them (both members optional in its types). */
export interface ResultCell {
  field?: string;
  value?: string;
}

/**
 * Cells that came with a value the API never sends (an object, an array, a boolean) are kept out of their row and
 * remembered here, so they are counted (oddCellCount) rather than read as "absent". A WeakMap: no field is added
 * to the rows, which stay plain string records.
 */
const oddCells = new WeakMap<InsightsRow, number>();

export function toRows(results: ResultCell[][] | undefined): InsightsRow[] {
  const rows: InsightsRow[] = [];
  for (const cells of Array.isArray(results) ? results : []) {
    const row: InsightsRow = {};
    let odd = 0;
    for (const cell of Array.isArray(cells) ? cells : []) {
      const value: unknown = cell?.value;
      if (typeof cell?.field !== 'string') {
        if (value !== undefined && value !== null) odd++; // a value with no field name cannot be placed
        continue;
      }
      if (typeof value === 'string') row[cell.field] = value;
      // the API sends strings; a number from an endpoint that does not is still readable
      else if (typeof value === 'number' && Number.isFinite(value)) row[cell.field] = String(value);
      else if (value !== undefined && value !== null) odd++;
    }
    if (odd > 0) oddCells.set(row, odd);
    rows.push(row);
  }
  return rows;
}

/** Cells of these rows that toRows could not read (objects, arrays, booleans, values without a field name). */
export function oddCellCount(rows: Iterable<InsightsRow>): number {
  let n = 0;
  for (const row of rows) n += oddCells.get(row) ?? 0;
  return n;
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

  /**
   * A status code as a map key ("404"), or undefined when absent or not a number (counted): a status is input,
   * and a key like "__proto__" or "constructor" must never reach a plain-object count map.
   */
  status(row: InsightsRow, field: string): string | undefined {
    const n = this.num(row, field);
    return n === undefined ? undefined : String(n);
  }

  /** A row left out because a field it is grouped by is missing (an empty row, a line without `status`): counted. */
  skipped(): void {
    this.oddValues++;
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
