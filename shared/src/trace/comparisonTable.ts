import { RUN_FIGURES } from './compareTraces.js';
import type { FigureDiff, TraceComparison } from './compareTraces.js';

/** A comparison as text: what the page's table and `overlap compare` print, cell for cell. */
export interface ComparisonTable {
  /** `['', 'A', 'B', 'B − A']`. */
  readonly headings: readonly string[];
  /** One row per run figure: label, A, B, difference (`-730 ms (-39.5%)`). */
  readonly runRows: ReadonlyArray<readonly string[]>;
  /** Three rows per tool (calls, p50, p95), labelled `search_kb calls`, `search_kb p50`, `search_kb p95`. */
  readonly toolRows: ReadonlyArray<readonly string[]>;
}

/** Shown for a figure a run does not have (a tool it never called). */
export const NO_VALUE = '–';

/**
 * A number of milliseconds for the comparison: whole milliseconds with thousands separators from 100 ms
 * up, one decimal below (`1,234 ms`, `42.5 ms`). No locale is involved, so every runtime prints the same.
 *
 * @example
 * ```ts
 * formatComparisonMs(1234.4); // '1,234 ms'
 * formatComparisonMs(7.25); // '7.3 ms'
 * ```
 */
export function formatComparisonMs(ms: number): string {
  return `${formatNumber(ms, Math.abs(ms) >= 100 ? 0 : 1)} ms`;
}

/**
 * A difference with its sign and percentage: `+12 ms (+4.5%)`, `-3 (-50.0%)`, `0 ms (0%)`, and
 * `+2 (n/a)` when A was 0.
 *
 * @example
 * ```ts
 * formatFigureDiff({ a: 800, b: 600, diff: -200, diffPct: -25 }, 'ms'); // '-200 ms (-25.0%)'
 * ```
 */
export function formatFigureDiff(figure: FigureDiff, unit: 'ms' | 'count'): string {
  const sign = figure.diff > 0 ? '+' : '';
  const value = unit === 'ms' ? formatComparisonMs(figure.diff) : formatNumber(figure.diff, 0);
  const pct = figure.diffPct === null ? 'n/a' : `${figure.diffPct > 0 ? '+' : ''}${formatNumber(figure.diffPct, 1)}%`;
  return `${sign}${value} (${pct})`;
}

/**
 * Lays a {@link TraceComparison} out as text rows: the run figures, then each tool's calls, p50 and p95.
 * The page's comparison table and `overlap compare` both print exactly these cells.
 *
 * @example
 * ```ts
 * const { headings, runRows } = comparisonTable(compareTraces(a, b));
 * runRows[0]; // ['wall time', '1,850 ms', '1,120 ms', '-730 ms (-39.5%)']
 * ```
 */
export function comparisonTable(comparison: TraceComparison): ComparisonTable {
  const value = (n: number, unit: 'ms' | 'count'): string => (unit === 'ms' ? formatComparisonMs(n) : formatNumber(n, 0));
  const runRows = RUN_FIGURES.map(({ key, label, unit }) => {
    const figure = comparison.figures[key];
    return [label, value(figure.a, unit), value(figure.b, unit), formatFigureDiff(figure, unit)];
  });
  const toolRows: string[][] = [];
  for (const tool of comparison.tools) {
    toolRows.push([`${tool.tool} calls`, String(tool.a?.count ?? 0), String(tool.b?.count ?? 0), formatFigureDiff(tool.count, 'count')]);
    for (const [label, pick, figure] of [
      ['p50', (side: NonNullable<typeof tool.a>) => side.p50Ms, tool.p50Ms],
      ['p95', (side: NonNullable<typeof tool.a>) => side.p95Ms, tool.p95Ms],
    ] as const) {
      toolRows.push([
        `${tool.tool} ${label}`,
        tool.a === null ? NO_VALUE : formatComparisonMs(pick(tool.a)),
        tool.b === null ? NO_VALUE : formatComparisonMs(pick(tool.b)),
        figure === null ? NO_VALUE : formatFigureDiff(figure, 'ms'),
      ]);
    }
  }
  return { headings: ['', 'A', 'B', 'B − A'], runRows, toolRows };
}

/** `value` rounded to `decimals`, with a `-` sign and `,` between thousands; `0` for anything that rounds to zero (never `-0`). */
function formatNumber(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(Math.abs(value) * scale) / scale;
  if (rounded === 0) return '0';
  const [whole, fraction] = rounded.toFixed(decimals).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
