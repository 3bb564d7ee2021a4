/**
 * Types of the page's test and benchmark hooks (`window.__overlapWaterfall`, `window.__overlapPerf`,
 * `window.__overlapSelect`, `window.__overlapCompare`). Free of DOM types, so Node-side tests and benchmarks can import them.
 *
 * @packageDocumentation
 */
import type { CompareResponse, WaterfallMarkerKind } from '@overlap/shared';
import type { SegmentDrawKind } from '../waterfall/waterfallFrame.js';

/** What {@link WaterfallView.snapshot} returns: the rows and segments currently given to chart.js. */
export interface WaterfallSnapshot {
  readonly traceId: string | undefined;
  /** Rows in the whole (collapsed) waterfall. */
  readonly rowCount: number;
  readonly windowStart: number;
  readonly windowSize: number;
  /** The x axis range, ms from the trace's start. */
  readonly xMinMs: number;
  readonly xMaxMs: number;
  /** The trace's start, ms since the epoch. */
  readonly originMs: number;
  /** Rows in the window, with the bars and markers chart.js holds for them (times in ms from the trace's start). */
  readonly rows: ReadonlyArray<{
    readonly index: number;
    readonly slot: number;
    readonly spanId: string;
    readonly name: string;
    /** The row's label (`spanLabel`), as the waterfall shows it. */
    readonly label: string;
    readonly depth: number;
    readonly inFlight: boolean;
    readonly outcome: string | undefined;
    readonly collapsed: boolean;
    readonly onCriticalPath: boolean;
    readonly segments: ReadonlyArray<{ readonly kind: SegmentDrawKind; readonly startMs: number; readonly endMs: number; readonly color: string; readonly label: string | undefined }>;
    readonly critical: ReadonlyArray<{ readonly startMs: number; readonly endMs: number }>;
    readonly markers: ReadonlyArray<{ readonly kind: WaterfallMarkerKind; readonly tMs: number; readonly label: string }>;
  }>;
  /** The waterfall chart's and the axis header's chart areas, in px (they line up when left/right match). */
  readonly chartArea: { left: number; right: number; top: number; bottom: number };
  readonly axisChartArea: { left: number; right: number };
  /** Frames drawn since the page loaded. */
  readonly drawCount: number;
}

/** One timed render of the waterfall. Times are `performance.now()` readings, in ms. */
export interface RenderRecord {
  /**
   * `open`: a trace was selected and its first screen drawn; `layout`: every row of the trace opened was
   * laid out and drawn (after an `open` that drew the first screen from fewer rows); `update`: live spans
   * were merged and drawn.
   */
  readonly kind: 'open' | 'layout' | 'update';
  readonly traceId: string;
  /** Spans and rows after the render. */
  readonly spanCount: number;
  readonly rowCount: number;
  /** How the rows were brought up to date (`first-screen`: only the first rows, laid out by the server). */
  readonly layout: 'rebuilt' | 'patched' | 'unchanged' | 'first-screen';
  /** `open`: when the trace was selected; `update`: when the first span of the batch arrived. */
  readonly requestedAt: number;
  /** When the spans were in the page (the watch acknowledgement, or the `spans` event). */
  readonly dataAt: number;
  /** When the page's own work (merge, layout, chart update) was done. */
  readonly computedAt: number;
  /** When the frame holding the drawing had been painted (a message posted from the next animation frame callback). */
  readonly drawnAt: number;
  /** `drawnAt - dataAt`: from spans in hand to drawn. */
  readonly renderMs: number;
  /** `drawnAt - requestedAt`: for `open`, from the click to drawn, the transfer included. */
  readonly totalMs: number;
}

/** The page's performance hook, `window.__overlapPerf`. */
export interface PerfHook {
  /** The latest renders, oldest first (at most 500). */
  readonly records: RenderRecord[];
  /**
   * When set to an object, the page writes into it, for every ended span it receives live, the wall-clock
   * time (`Date.now()`) at which the first frame that drew its bar had been painted. `null` (the default)
   * records nothing.
   */
  spanDrawnAt: Record<string, number> | null;
  /** The latest analyses (summary, critical path, timeline, tool figures), oldest first (at most 500). */
  readonly analyses: Array<{ readonly traceId: string; readonly spanCount: number; readonly computeMs: number; readonly receivedAt: number }>;
}

/** The page's test hooks, installed on `window`. Documented in the page's README section. */
export interface PageHooks {
  /** The rows and segments currently given to chart.js. */
  __overlapWaterfall?: () => WaterfallSnapshot;
  /** Timings of the page's own render path. */
  __overlapPerf?: PerfHook;
  /** Selects a trace as a click on the list would. */
  __overlapSelect?: (traceId: string) => void;
  /** The comparison on screen, as `GET /api/compare` answered it; undefined while none is shown. */
  __overlapCompare?: () => CompareResponse | undefined;
}

