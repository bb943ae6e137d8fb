/** A one-line chart of a series with block characters, for "req/s and p95 over time" in a terminal. */
const BLOCKS = '▁▂▃▄▅▆▇█';

/** Values are bucketed to at most `width` columns (max of each bucket, so spikes stay visible). */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const cols: number[] = [];
  const per = Math.max(1, Math.ceil(values.length / width));
  for (let i = 0; i < values.length; i += per) cols.push(Math.max(...values.slice(i, i + per)));
  const max = Math.max(...cols);
  if (max <= 0) return BLOCKS[0]!.repeat(cols.length);
  return cols.map((v) => BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((v / max) * (BLOCKS.length - 1) + 0.5))]!).join('');
}
