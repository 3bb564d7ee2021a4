import type { WaterfallMarkerKind, WaterfallSegmentKind } from '@overlap/shared';

/** How one kind of bar segment is drawn, and explained in the legend. */
export interface SegmentStyle {
  readonly color: string;
  readonly label: string;
  readonly description: string;
}

/** How one kind of marker is drawn (a chart.js point style), and explained in the legend. */
export interface MarkerStyle {
  readonly color: string;
  /** chart.js `pointStyle`. */
  readonly pointStyle: 'rectRot' | 'crossRot' | 'triangle' | 'rect' | 'circle';
  /** A character that looks like the point style, for the legend and the details panel. */
  readonly glyph: string;
  readonly label: string;
  readonly description: string;
}

/**
 * Colours of the waterfall's segments. Queue and run differ in hue and lightness (amber against blue), so
 * they stay apart for colour-blind readers and in greyscale.
 */
export const SEGMENT_STYLES: Readonly<Record<WaterfallSegmentKind, SegmentStyle>> = {
  queue: { color: '#f2a93b', label: 'queued', description: 'waiting for a gate (semaphore or rate limit)' },
  run: { color: '#3a78c9', label: 'running', description: 'the call ran (a plain span is all run)' },
  backoff: { color: '#a68bd8', label: 'back-off', description: 'waiting before a retry' },
  abandoned: { color: '#9aa3ad', label: 'abandoned', description: 'the body ran on after its call timed out' },
};

/** Run segments of spans still in flight: lighter, and growing to now. */
export const IN_FLIGHT_RUN_COLOR = '#8fbbe8';
/** Run segments of spans that ended in error, timeout or rejection. */
export const FAILED_RUN_COLOR = '#d0584f';
/** The thin line drawn over the parts of bars that are on the critical path. */
export const CRITICAL_PATH_COLOR = '#1d2330';

/** Markers on the bars. */
export const MARKER_STYLES: Readonly<Record<WaterfallMarkerKind, MarkerStyle>> = {
  timeout: { color: '#b3261e', pointStyle: 'rectRot', glyph: '◆', label: 'timeout', description: 'a timeout fired' },
  error: { color: '#b3261e', pointStyle: 'crossRot', glyph: '✕', label: 'error', description: 'an attempt failed or the span ended in error' },
  retry: { color: '#5b3fa8', pointStyle: 'triangle', glyph: '▲', label: 'retry', description: 'another attempt started' },
  cancelled: { color: '#6b5b2e', pointStyle: 'rect', glyph: '■', label: 'cancelled', description: 'the call was cancelled' },
  circuit: { color: '#1f7a4d', pointStyle: 'circle', glyph: '●', label: 'circuit', description: 'a circuit breaker changed state' },
};

/** Colours for the concurrency chart's series, one per gate, in order. */
export const SERIES_COLORS: readonly string[] = ['#3a78c9', '#e07b39', '#2e9e6a', '#a05fc4', '#c9453a', '#5d6d7e', '#c4a11f', '#1fa3b3'];
