/** Plain-text tables with aligned columns (numbers right-aligned). Width is measured in code points. */
import { sanitizeText } from './sanitize.js';

export type Align = 'left' | 'right';

const width = (s: string) => [...s].length;

export function table(header: string[], unsafeRows: string[][], align: Align[] = []): string[] {
  // cells come from logs (run ids, routes): a control character or newline would break the grid or the terminal
  const rows = unsafeRows.map((r) => r.map(sanitizeText));
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - width(c)));
        return align[i] === 'right' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}
