import { assembleTrace, layoutWaterfall } from '@overlap/shared';
import type { SpanRecord, WaterfallRow } from '@overlap/shared';

/** Where a row sits in its trace: what {@link layoutSpanRow} cannot know from the span alone. */
export interface RowPlace {
  /** Depth in the trace's forest, 0 for roots. */
  readonly depth: number;
  /** The trace's start, ms since the epoch (`offsetMs` is measured from it). */
  readonly layoutStartMs: number;
  /** The span has children with rows of their own. */
  readonly hasChildren: boolean;
  /** The span's descendants are hidden. */
  readonly collapsed: boolean;
}

/**
 * The waterfall row of one span, laid out by `layoutWaterfall` itself on a trace made of the span and
 * its folded phase spans (its `queue {gate}` and `abandoned {tool}` children that have no children of
 * their own), then placed with `place`. The result equals the span's row in `layoutWaterfall` of the
 * whole trace with the same `nowMs`, because a row depends only on the span, its folded children and
 * its place. This lets the page refresh one row (a span that ended, a queue span that arrived, an
 * in-flight bar growing to now) without laying out 50,000 others.
 *
 * @example
 * ```ts
 * const row = layoutSpanRow(call, [queueSpan], { depth: 1, layoutStartMs: trace.startMs, hasChildren: false, collapsed: false }, Date.now());
 * ```
 */
export function layoutSpanRow(span: SpanRecord, foldedChildren: readonly SpanRecord[], place: RowPlace, nowMs: number): WaterfallRow {
  // Detached from its parent, so the small trace has no orphan to repair and warn about.
  const { parentSpanId, ...detached } = span;
  const layout = layoutWaterfall(assembleTrace([detached, ...foldedChildren]), { nowMs });
  const row = layout.rows.find((candidate) => candidate.spanId === span.spanId);
  if (row === undefined) throw new Error(`layoutSpanRow: span ${span.spanId} got no row`);
  return {
    ...row,
    parentSpanId,
    depth: place.depth,
    offsetMs: row.startMs - place.layoutStartMs,
    hasChildren: place.hasChildren,
    collapsed: place.hasChildren && place.collapsed,
  };
}
