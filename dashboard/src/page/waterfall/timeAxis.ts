import type { Scale } from 'chart.js';
import { formatAxisTick } from '../format/formatDuration.js';

/**
 * Horizontal padding of every time-axis chart, in px. Both the waterfall and its axis header use the
 * same padding, wider than half a tick label, so chart.js gives them the same chart area and the axis
 * lines up with the bars.
 */
export const TIME_AXIS_PADDING = { left: 26, right: 34 } as const;

/**
 * chart.js tick callback for a time axis in ms from the trace's start, labelled in one unit chosen from
 * the axis range.
 *
 * @example
 * ```ts
 * scales: { x: { ticks: { callback: timeTickLabel } } }
 * ```
 */
export function timeTickLabel(this: Scale, value: number | string): string {
  return formatAxisTick(Number(value), this.max - this.min);
}
