/** The geometry {@link placeWindow} works from. */
export interface WindowGeometry {
  /** The scroll container's `scrollTop`, in px. */
  readonly scrollTopPx: number;
  /** The scroll container's visible height, in px. */
  readonly viewportPx: number;
  /** Height of one row, in px. */
  readonly rowHeightPx: number;
  /** Rows in the whole waterfall. */
  readonly rowCount: number;
  /** Rows drawn beyond each edge of the viewport, so small scrolls need no redraw. */
  readonly overscanRows: number;
  /** The first row of the window drawn now, if any. */
  readonly currentStart?: number | undefined;
}

/** The rows given to the chart: `[start, start + size)` of the waterfall, in slots `0..size-1`. */
export interface RowWindow {
  /** Index of the window's first row. */
  readonly start: number;
  /** Slots in the window (the chart's height in rows); rows past the end leave slots empty. */
  readonly size: number;
}

/**
 * Slots the chart needs to cover the viewport plus the overscan on both sides.
 *
 * @example
 * ```ts
 * windowSize(600, 22, 10); // 48
 * ```
 */
export function windowSize(viewportPx: number, rowHeightPx: number, overscanRows: number): number {
  return Math.max(1, Math.ceil(Math.max(0, viewportPx) / rowHeightPx) + 1 + 2 * overscanRows);
}

/**
 * Which rows the chart should hold: the current window while it still covers every visible row (so
 * scrolling a little redraws nothing), else a window starting `overscanRows` above the first visible
 * row, kept inside the waterfall so it never hangs past its end.
 *
 * @example
 * ```ts
 * const window = placeWindow({ scrollTopPx: 2200, viewportPx: 600, rowHeightPx: 22, rowCount: 50_000, overscanRows: 10 });
 * // { start: 90, size: 48 }
 * ```
 */
export function placeWindow(geometry: WindowGeometry): RowWindow {
  const { scrollTopPx, viewportPx, rowHeightPx, rowCount, overscanRows, currentStart } = geometry;
  const size = windowSize(viewportPx, rowHeightPx, overscanRows);
  const lastStart = Math.max(0, rowCount - size);
  const firstVisible = Math.max(0, Math.floor(scrollTopPx / rowHeightPx));
  const endVisible = Math.min(rowCount, Math.ceil((scrollTopPx + viewportPx) / rowHeightPx));
  if (currentStart !== undefined && currentStart <= lastStart && currentStart <= firstVisible && currentStart + size >= endVisible) {
    return { start: currentStart, size };
  }
  return { start: Math.min(lastStart, Math.max(0, firstVisible - overscanRows)), size };
}
