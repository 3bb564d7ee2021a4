import type { CriticalPathSegment, WaterfallMarkerKind, WaterfallRow, WaterfallSegmentKind } from '@overlap/shared';

/** How a bar segment is drawn: its kind, with run split by the span's state. */
export type SegmentDrawKind = WaterfallSegmentKind | 'runInFlight' | 'runFailed';

/** Every draw kind, in drawing order (later ones on top). */
export const SEGMENT_DRAW_KINDS: readonly SegmentDrawKind[] = ['abandoned', 'backoff', 'queue', 'run', 'runInFlight', 'runFailed'];
/** Every marker kind, in drawing order. */
export const MARKER_KINDS: readonly WaterfallMarkerKind[] = ['retry', 'cancelled', 'circuit', 'timeout', 'error'];

/** One floating bar as chart.js gets it: `x` is `[start, end]` in ms from the trace's start, `y` the slot. */
export interface BarPoint {
  readonly x: [number, number];
  readonly y: number;
  readonly spanId: string;
  readonly label?: string | undefined;
}

/** One marker as chart.js gets it. */
export interface MarkerPoint {
  readonly x: number;
  readonly y: number;
  readonly spanId: string;
  readonly label: string;
}

/** The chart's data for one window of rows. */
export interface WaterfallFrame {
  /** The rows in the window's slots (`rows[slot]`), after live rows were brought to now. */
  readonly rows: readonly WaterfallRow[];
  readonly start: number;
  readonly size: number;
  /** Bars by draw kind. */
  readonly bars: Readonly<Record<SegmentDrawKind, BarPoint[]>>;
  /** Stretches on the critical path, drawn as a thin line over the bars. */
  readonly critical: BarPoint[];
  readonly markers: Readonly<Record<WaterfallMarkerKind, MarkerPoint[]>>;
  /** The x axis: 0 to the trace's extent, in ms from its start. */
  readonly xMaxMs: number;
  /** The trace's start, ms since the epoch. */
  readonly originMs: number;
}

/** What {@link buildWaterfallFrame} needs. */
export interface FrameInput {
  /** The rows in the window, slot by slot (already brought to now when live). */
  readonly rows: readonly WaterfallRow[];
  readonly start: number;
  readonly size: number;
  /** The trace's start, ms since the epoch. */
  readonly originMs: number;
  /** The trace's end as drawn, ms since the epoch. */
  readonly endMs: number;
  /** Critical-path stretches by span id. */
  readonly criticalPath: ReadonlyMap<string, readonly CriticalPathSegment[]>;
}

/**
 * Turns a window of waterfall rows into chart.js data: one floating bar per segment, in the
 * dataset of its kind (run segments split into ended, in flight and failed), one point per marker,
 * and the critical path's stretches. Times become ms from the trace's start, so the x axis reads from
 * 0. Pure; no maths beyond moving the origin.
 *
 * @example
 * ```ts
 * const frame = buildWaterfallFrame({ rows: rows.slice(start, start + size), start, size, originMs: layout.startMs, endMs: layout.endMs, criticalPath: new Map() });
 * chart.data.datasets[0].data = frame.bars.queue;
 * ```
 */
export function buildWaterfallFrame(input: FrameInput): WaterfallFrame {
  const { rows, originMs } = input;
  const bars: Record<SegmentDrawKind, BarPoint[]> = { abandoned: [], backoff: [], queue: [], run: [], runInFlight: [], runFailed: [] };
  const markers: Record<WaterfallMarkerKind, MarkerPoint[]> = { retry: [], cancelled: [], circuit: [], timeout: [], error: [] };
  const critical: BarPoint[] = [];
  for (let slot = 0; slot < rows.length; slot += 1) {
    const row = rows[slot]!;
    const failed = row.outcome === 'error' || row.outcome === 'timeout' || row.outcome === 'rejected';
    for (const segment of row.segments) {
      const kind: SegmentDrawKind = segment.kind !== 'run' ? segment.kind : row.inFlight ? 'runInFlight' : failed ? 'runFailed' : 'run';
      bars[kind].push({ x: [segment.startMs - originMs, segment.endMs - originMs], y: slot, spanId: row.spanId, label: segment.label });
    }
    for (const marker of row.markers) markers[marker.kind].push({ x: marker.tMs - originMs, y: slot, spanId: row.spanId, label: marker.label });
    for (const stretch of input.criticalPath.get(row.spanId) ?? []) {
      // The critical path was computed at some "now"; keep in-flight stretches inside the bar as drawn.
      const endMs = Math.min(stretch.endMs, row.barEndMs);
      if (endMs > stretch.startMs) critical.push({ x: [stretch.startMs - originMs, endMs - originMs], y: slot, spanId: row.spanId });
    }
  }
  return { rows, start: input.start, size: input.size, bars, critical, markers, xMaxMs: Math.max(input.endMs - originMs, 0), originMs };
}
