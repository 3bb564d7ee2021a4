/** A column of {@link formatTable}: its heading, and whether its cells are right-aligned (numbers). */
export interface Column {
  heading: string;
  numeric?: boolean;
}

/** Lays rows of cells out in aligned columns under a heading row, for a terminal. */
export function formatTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i]?.numeric ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.heading)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** "1,234 ms" (or "1.23 s" from 10 s up). */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}
