import type { WaterfallRow } from '@overlap/shared';

/**
 * The rows left visible when the spans in `collapsed` hide their descendants: `rows` (a full waterfall
 * in depth-first pre-order) without the rows below a collapsed row, which is itself marked
 * `collapsed: true`. Equals `layoutWaterfall(trace, { collapsed }).rows` for the same trace, without
 * laying it out again. `rows` is not changed; with nothing collapsed it is returned as is.
 *
 * @example
 * ```ts
 * const shown = visibleRows(layout.rows, new Set([callSpanId]));
 * ```
 */
export function visibleRows(rows: readonly WaterfallRow[], collapsed: ReadonlySet<string>): readonly WaterfallRow[] {
  if (collapsed.size === 0) return rows;
  const shown: WaterfallRow[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    if (!row.hasChildren || !collapsed.has(row.spanId)) {
      shown.push(row);
      continue;
    }
    shown.push(row.collapsed ? row : { ...row, collapsed: true });
    // Pre-order: the hidden descendants are the rows right after it that are deeper.
    while (i + 1 < rows.length && rows[i + 1]!.depth > row.depth) i += 1;
  }
  return shown;
}
