import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import { assembleTrace } from './assembleTrace.js';
import { compareNanos } from './compareNanos.js';
import { spanPhase } from './spanRoles.js';
import { layoutWaterfall } from './waterfall.js';
import type { WaterfallRow } from './waterfall.js';

/** What {@link layoutFirstRows} returns: the top of a waterfall and the size of the whole. */
export interface FirstRows {
  /** The first rows of the full layout, equal to them in every field. */
  readonly rows: readonly WaterfallRow[];
  /** How many rows the full layout has. */
  readonly rowCount: number;
  /** The full layout's `startMs`, `endMs` and `nowMs`. */
  readonly startMs: number;
  readonly endMs: number;
  readonly nowMs: number;
}

interface Entry {
  readonly span: SpanRecord;
  children: Entry[] | undefined;
  /** Set when the entry is sorted among its siblings. */
  startMs: number;
}

/**
 * The first `count` rows of `layoutWaterfall(assembleTrace(spans), { nowMs })`, and how many rows it
 * has, without assembling and laying out the whole trace: what a page needs to draw the top of a large
 * trace at once (a screenful of a 50,000-span trace costs one pass over the spans, sorting only the
 * children of the spans it draws).
 *
 * It links the spans by parent id, walks the forest depth-first from the roots as the layout does
 * (roots and siblings by start time, then exact nanoseconds, then span id; queue and abandoned spans
 * without children folded into their parent's row), and lays out the rows it reaches with
 * `layoutWaterfall` itself, so each row is the full layout's.
 *
 * Returns `undefined` when the trace needs a repair only the full assembly makes: a span id held by
 * two spans (versions or different spans), or a cycle of parent ids. The caller then lays out the whole
 * trace. The spans are not changed.
 *
 * @example
 * ```ts
 * const top = layoutFirstRows(store.getSpans(traceId)!, 150, { nowMs: Date.now() });
 * if (top !== undefined) draw(top.rows, { totalRows: top.rowCount });
 * ```
 */
export function layoutFirstRows(spans: readonly SpanRecord[], count: number, options: { nowMs?: number } = {}): FirstRows | undefined {
  const byId = new Map<string, Entry>();
  // The earliest start and the latest end, compared as nanosecond strings: only two are converted to ms.
  let earliest: string | undefined;
  let latest: string | undefined;
  let inFlight = false;
  for (const span of spans) {
    if (byId.has(span.spanId)) return undefined;
    byId.set(span.spanId, { span, children: undefined, startMs: 0 });
    const start = span.startTimeUnixNano;
    if (earliest === undefined || compareNanos(start, earliest) < 0) earliest = start;
    // An end before the start counts as the start, as the assembly clamps it.
    const end = span.endTimeUnixNano === undefined || compareNanos(span.endTimeUnixNano, start) < 0 ? start : span.endTimeUnixNano;
    if (latest === undefined || compareNanos(end, latest) > 0) latest = end;
    if (span.endTimeUnixNano === undefined) inFlight = true;
  }
  if (earliest === undefined || latest === undefined) return { rows: [], rowCount: 0, startMs: 0, endMs: 0, nowMs: options.nowMs ?? 0 };
  const startMs = nanosToMs(earliest);
  const latestMs = nanosToMs(latest);
  const nowMs = options.nowMs ?? latestMs;

  const roots: Entry[] = [];
  for (const entry of byId.values()) {
    const parentId = entry.span.parentSpanId;
    const parent = parentId === undefined || parentId === entry.span.spanId ? undefined : byId.get(parentId);
    if (parent === undefined) roots.push(entry);
    else (parent.children ??= []).push(entry);
  }
  // Every span reachable from a root, or a cycle of parent ids hides some: only the assembly breaks those.
  let reached = 0;
  const stack: Entry[] = [...roots];
  let rowCount = 0;
  while (stack.length > 0) {
    const entry = stack.pop()!;
    reached += 1;
    if (!isFolded(entry, entry.span.parentSpanId !== undefined && byId.has(entry.span.parentSpanId) && entry.span.parentSpanId !== entry.span.spanId)) rowCount += 1;
    if (entry.children !== undefined) for (const child of entry.children) stack.push(child);
  }
  if (reached !== byId.size) return undefined;

  // Depth-first, as the layout walks: the spans of the first `count` rows, and the phase spans folded into them.
  const picked: SpanRecord[] = [];
  const hasChildRows = new Map<string, boolean>();
  let rows = 0;
  const walk: Entry[] = sortEntries(roots).reverse();
  while (walk.length > 0 && rows < count) {
    const entry = walk.pop()!;
    picked.push(entry.span);
    rows += 1;
    const rowChildren: Entry[] = [];
    for (const child of entry.children ?? []) {
      if (isFolded(child, true)) picked.push(child.span);
      else rowChildren.push(child);
    }
    hasChildRows.set(entry.span.spanId, rowChildren.length > 0);
    for (const child of sortEntries(rowChildren).reverse()) walk.push(child);
    if (rows === count && rowChildren.length > 0 && rowChildren.length === (entry.children?.length ?? 0) && spanPhase(entry.span) !== undefined) {
      // The last row is a phase span whose children all have rows of their own, none drawn: alone it would
      // be folded into its parent. A stand-in child (its row falls past `count`) keeps it a row of its own.
      picked.push({ ...entry.span, spanId: `${entry.span.spanId}\u0000stand-in`, parentSpanId: entry.span.spanId, attributes: {} });
    }
  }

  const partial = layoutWaterfall(assembleTrace(picked), { nowMs });
  const endMs = inFlight ? Math.max(latestMs, nowMs) : latestMs;
  const firstRows = partial.rows.slice(0, count).map((row) => {
    const hasChildren = hasChildRows.get(row.spanId) ?? row.hasChildren;
    return { ...row, offsetMs: row.startMs - startMs, hasChildren, collapsed: false };
  });
  let barEndMs = endMs;
  for (const row of firstRows) if (row.barEndMs > barEndMs) barEndMs = row.barEndMs;
  return { rows: firstRows, rowCount, startMs, endMs: barEndMs, nowMs };
}

/** A queue or abandoned span without children, under a parent in the trace: a segment of its parent's row. */
function isFolded(entry: Entry, hasParent: boolean): boolean {
  return hasParent && entry.children === undefined && spanPhase(entry.span) !== undefined;
}

/** Sorted as the assembly sorts siblings: start time, exact nanoseconds, span id. */
function sortEntries(entries: Entry[]): Entry[] {
  for (const entry of entries) entry.startMs = nanosToMs(entry.span.startTimeUnixNano);
  return entries.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      compareNanos(a.span.startTimeUnixNano, b.span.startTimeUnixNano) ||
      (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0),
  );
}
