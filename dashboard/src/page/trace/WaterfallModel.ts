import { assembleTrace, compareNanos, layoutWaterfall, nanosToMs, spanPhase } from '@overlap/shared';
import type { AssembledTrace, SpanRecord, WaterfallRow } from '@overlap/shared';
import { SpanSet } from './SpanSet.js';
import type { SpanSetChange } from './SpanSet.js';
import { layoutSpanRow } from './layoutSpanRow.js';

/** How {@link WaterfallModel.add} brought the rows up to date. */
export type WaterfallUpdate =
  /** Nothing in the batch was new. */
  | 'unchanged'
  /** Only the rows the batch touched were laid out again, and new rows inserted in place. */
  | 'patched'
  /** The whole trace was assembled and laid out again. */
  | 'rebuilt';

/** Why a batch could not be patched in; for the page's diagnostics. */
export type RebuildReason =
  | 'first batch'
  | 'span id shared by two spans'
  | 'parent arrived after its children'
  | 'span starts before the trace'
  | 'phase span without its parent row'
  | 'phase span with children'
  | 'phase of a span changed'
  | 'trace has shared span ids or parent cycles'
  | 'row missing'
  | 'removed span has children'
  | 'removed span started the trace';

/** One step of a live trace: spans to drop (by `spanVersionKey`), then spans to merge. */
export interface WaterfallChange {
  /** Version keys of held spans to drop: the placeholders of queued calls that left their queue. */
  readonly remove?: readonly string[];
  readonly add: readonly SpanRecord[];
}

/** Row insertions and removals replayed by lookups before the row index is rebuilt. */
const MAX_ROW_SHIFTS = 256;

class NeedsRebuild extends Error {
  constructor(readonly reason: RebuildReason) {
    super(reason);
  }
}

/**
 * The waterfall rows of one trace, kept up to date as its spans arrive.
 *
 * The first batch (and any batch that changes the trace's shape: a parent arriving after its children,
 * two spans sharing an id, a span starting before the trace...) assembles the trace with
 * `assembleTrace` and lays it out with `layoutWaterfall`. Later batches are usually a span that ended,
 * a new call, or a queue span: those are patched in, each touched row laid out by `layoutSpanRow` and a
 * new row inserted where `layoutWaterfall` would put it (depth-first pre-order, siblings by start time
 * then span id), so a live update of a 50,000-span trace costs microseconds, not a full layout. The
 * result is the same rows a full layout would give (the tests check this on random traces).
 *
 * Rows are the full, uncollapsed waterfall; see `visibleRows` for collapsing.
 *
 * @example
 * ```ts
 * const model = new WaterfallModel();
 * model.add(ack.spans, Date.now());
 * socket.on('spans', (event) => model.add(event.spans, Date.now()));
 * draw(model.rows);
 * ```
 */
export class WaterfallModel {
  private readonly spans = new SpanSet();
  /** The held span of each span id, or `null` when two different spans share the id. */
  private readonly byId = new Map<string, SpanRecord | null>();
  /** Span ids of each parent id's children (whether or not the parent is held). */
  private readonly childIds = new Map<string, Set<string>>();
  private rowList: WaterfallRow[] = [];
  /**
   * Where each span's row was, and how many of `rowShifts` had happened then: a row inserted or removed
   * moves every row after it by one, and rebuilding this map for 50,000 rows on every live update costs
   * milliseconds, so lookups replay the shifts since instead (rebuilt once there are many).
   */
  private readonly rowIndex = new Map<string, { readonly index: number; readonly epoch: number }>();
  private rowShifts: Array<{ readonly at: number; readonly delta: 1 | -1 }> = [];
  private rowIndexStale = true;
  private layoutStart = 0;
  private layoutEnd = 0;
  private lastAssembled: AssembledTrace | undefined;
  private patchedSinceAssembly = false;
  private rebuildCount = 0;
  private lastRebuildReason: RebuildReason | undefined;
  /** The last assembly renamed spans or broke parent cycles: its shape is not the parent ids', so no patching. */
  private repaired = false;
  /** The first batch's spans, laid out but not yet in the id and parent indexes (see {@link prepare}). */
  private unindexed: readonly SpanRecord[] | undefined;

  /** The rows, full and uncollapsed, in depth-first pre-order. Do not change them. */
  get rows(): readonly WaterfallRow[] {
    return this.rowList;
  }

  /** The trace's start, ms since the epoch (row offsets are from here); 0 before any span. */
  get startMs(): number {
    return this.layoutStart;
  }

  /** The latest bar end seen, ms since the epoch. */
  get endMs(): number {
    return this.layoutEnd;
  }

  /** Spans held. */
  get spanCount(): number {
    return this.spans.size;
  }

  /** How many times the whole trace was laid out, and why the last time. */
  get rebuilds(): { count: number; lastReason: RebuildReason | undefined } {
    return { count: this.rebuildCount, lastReason: this.lastRebuildReason };
  }

  /** Every held span (a new array). */
  spanRecords(): SpanRecord[] {
    this.prepare();
    return this.spans.values();
  }

  /** The held span with this id (after the trace assembly's renaming, `{id}_1`... are not found here). */
  span(spanId: string): SpanRecord | undefined {
    this.prepare();
    return this.byId.get(spanId) ?? undefined;
  }

  /**
   * Builds the indexes of the first batch. The first batch is laid out straight from the spans, so a
   * large trace draws its first frame sooner; the indexes (spans by version and id, children by parent)
   * are built here, on first need, or when the page calls this after the first frame.
   */
  prepare(): void {
    const added = this.unindexed;
    if (added === undefined) return;
    this.unindexed = undefined;
    this.index({ added, replaced: [] });
  }

  /** The row of a span, if it has one. */
  row(spanId: string): WaterfallRow | undefined {
    const index = this.indexOf(spanId);
    return index === undefined ? undefined : this.rowList[index];
  }

  /** Index of a span's row in {@link rows}. */
  indexOf(spanId: string): number | undefined {
    if (this.rowIndexStale || this.rowShifts.length > MAX_ROW_SHIFTS) this.rebuildRowIndex();
    const entry = this.rowIndex.get(spanId);
    if (entry === undefined) return undefined;
    let index = entry.index;
    for (let k = entry.epoch; k < this.rowShifts.length; k += 1) {
      const shift = this.rowShifts[k]!;
      if (index >= shift.at) index += shift.delta;
    }
    if (this.rowList[index]?.spanId === spanId) return index;
    // Never expected: a row moved some other way. Look it up the slow, sure way.
    this.rebuildRowIndex();
    return this.rowIndex.get(spanId)?.index;
  }

  private rebuildRowIndex(): void {
    this.rowIndex.clear();
    this.rowShifts = [];
    for (let i = 0; i < this.rowList.length; i += 1) this.rowIndex.set(this.rowList[i]!.spanId, { index: i, epoch: 0 });
    this.rowIndexStale = false;
  }

  /** Inserts a row at `at`, keeping the row index. */
  private insertRowAt(at: number, row: WaterfallRow): void {
    this.rowList.splice(at, 0, row);
    if (this.rowIndexStale) return;
    this.rowShifts.push({ at, delta: 1 });
    this.rowIndex.set(row.spanId, { index: at, epoch: this.rowShifts.length });
  }

  /** Removes the row at `at`, keeping the row index. */
  private removeRowAt(at: number): void {
    const [row] = this.rowList.splice(at, 1);
    if (this.rowIndexStale) return;
    this.rowShifts.push({ at: at + 1, delta: -1 });
    if (row !== undefined) this.rowIndex.delete(row.spanId);
  }

  /**
   * The assembled trace, assembled again if batches were patched in since (so it costs a full assembly
   * then). For the details that need the whole forest.
   */
  assembled(): AssembledTrace {
    this.prepare();
    if (this.lastAssembled === undefined || this.patchedSinceAssembly) {
      this.lastAssembled = assembleTrace(this.spans.values());
      this.patchedSinceAssembly = false;
    }
    return this.lastAssembled;
  }

  /**
   * The phase spans folded into a span's row: its `queue`/`abandoned` children without children of
   * their own.
   */
  foldedChildren(spanId: string): SpanRecord[] {
    this.prepare();
    return this.collectFolded(spanId, false);
  }

  /**
   * The folded phase children of a span; with `strict`, a child whose id is shared by two spans (only a
   * full assembly can tell which is which) makes the caller lay the trace out again.
   */
  private collectFolded(spanId: string, strict: boolean): SpanRecord[] {
    const folded: SpanRecord[] = [];
    for (const childId of this.childIds.get(spanId) ?? []) {
      const child = this.byId.get(childId);
      if (child === null && strict) throw new NeedsRebuild('span id shared by two spans');
      if (child !== undefined && child !== null && spanPhase(child) !== undefined && !this.hasChildSpans(childId)) folded.push(child);
    }
    return folded;
  }

  /**
   * Merges a batch of spans and brings the rows up to date. `nowMs` is where in-flight bars end (the
   * page redraws in-flight rows at the current time anyway).
   */
  add(batch: readonly SpanRecord[], nowMs: number): WaterfallUpdate {
    return this.update({ add: batch }, nowMs);
  }

  /**
   * Drops spans, then merges a batch, as one step: the placeholders of a call that left its queue go and
   * the call's real spans come in one update, so the call is never drawn twice nor missing. Dropping a
   * span with children of its own, or the span the trace starts with, lays the trace out again; the
   * placeholders of queued calls are neither, so they are patched out like a span that ended.
   */
  update(step: WaterfallChange, nowMs: number): WaterfallUpdate {
    this.prepare();
    const removed = step.remove === undefined || step.remove.length === 0 ? [] : this.spans.remove(step.remove);
    const first = this.lastAssembled === undefined && this.spans.size === 0 && removed.length === 0;
    const change = this.spans.add(step.add);
    if (removed.length === 0 && change.added.length === 0 && change.replaced.length === 0) return 'unchanged';
    if (first) {
      // Lay the first batch out at once; its indexes are only needed for later batches and details.
      this.unindexed = this.spans.values();
      this.layOut(assembleTrace(this.unindexed), nowMs, 'first batch');
      return 'rebuilt';
    }
    this.unindex(removed);
    this.index(change);
    try {
      this.patchRemoved(removed, nowMs);
      this.patch(change, nowMs);
      this.patchedSinceAssembly = true;
      return 'patched';
    } catch (error) {
      if (!(error instanceof NeedsRebuild)) throw error;
      this.rebuild(nowMs, error.reason);
      return 'rebuilt';
    }
  }

  /**
   * Takes a whole trace laid out elsewhere (the analysis worker): its spans and `layoutWaterfall`'s rows
   * of them, as if they were the first batch. Later batches are patched in as usual. The rows must be
   * the layout of exactly these spans; `repaired` says the assembly renamed spans or broke parent cycles.
   */
  adopt(spans: readonly SpanRecord[], layout: { readonly rows: readonly WaterfallRow[]; readonly startMs: number; readonly endMs: number; readonly repaired: boolean }): void {
    if (this.spans.size > 0 || this.lastAssembled !== undefined) throw new Error('WaterfallModel.adopt: the model already holds spans');
    this.spans.add(spans);
    this.unindexed = this.spans.values();
    this.repaired = layout.repaired;
    this.patchedSinceAssembly = true;
    this.rowList = [...layout.rows];
    this.rowIndexStale = true;
    this.layoutStart = layout.startMs;
    this.layoutEnd = layout.endMs;
    this.rebuildCount += 1;
    this.lastRebuildReason = 'first batch';
  }

  /** Lays the whole trace out again. */
  rebuild(nowMs: number, reason: RebuildReason): void {
    this.prepare();
    this.layOut(assembleTrace(this.spans.values()), nowMs, reason);
  }

  private layOut(assembled: AssembledTrace, nowMs: number, reason: RebuildReason): void {
    this.lastAssembled = assembled;
    this.repaired = assembled.renamedCount > 0 || assembled.cycleBreakCount > 0;
    this.patchedSinceAssembly = false;
    const layout = layoutWaterfall(assembled, { nowMs });
    this.rowList = [...layout.rows];
    this.rowIndexStale = true;
    this.layoutStart = layout.startMs;
    this.layoutEnd = layout.endMs;
    this.rebuildCount += 1;
    this.lastRebuildReason = reason;
  }

  private hasChildSpans(spanId: string): boolean {
    const children = this.childIds.get(spanId);
    return children !== undefined && children.size > 0;
  }

  /** Updates the id and parent indexes; runs before patching, so the patch sees the new spans. */
  private index(change: SpanSetChange): void {
    for (const span of change.added) {
      const held = this.byId.get(span.spanId);
      this.byId.set(span.spanId, held === undefined ? span : null);
      if (span.parentSpanId !== undefined) {
        let siblings = this.childIds.get(span.parentSpanId);
        if (siblings === undefined) {
          siblings = new Set();
          this.childIds.set(span.parentSpanId, siblings);
        }
        siblings.add(span.spanId);
      }
    }
    for (const { next } of change.replaced) {
      if (this.byId.get(next.spanId) !== null) this.byId.set(next.spanId, next);
    }
  }

  /** Takes dropped spans out of the id and parent indexes. */
  private unindex(removed: readonly SpanRecord[]): void {
    for (const span of removed) {
      if (this.byId.get(span.spanId) === span) this.byId.delete(span.spanId);
      if (span.parentSpanId === undefined) continue;
      const siblings = this.childIds.get(span.parentSpanId);
      // A span id shared by two spans stays listed while the other holds it.
      if (siblings !== undefined && !this.byId.has(span.spanId)) {
        siblings.delete(span.spanId);
        if (siblings.size === 0) this.childIds.delete(span.parentSpanId);
      }
    }
  }

  /** Takes the rows of dropped spans out, and lays out again the rows their folded phase spans belonged to. */
  private patchRemoved(removed: readonly SpanRecord[], nowMs: number): void {
    if (removed.length === 0) return;
    if (this.repaired) throw new NeedsRebuild('trace has shared span ids or parent cycles');
    const parentsToCheck = new Set<string>();
    const relayout = new Set<string>();
    for (const span of removed) {
      if (this.byId.get(span.spanId) === null) throw new NeedsRebuild('span id shared by two spans');
      if (nanosToMs(span.startTimeUnixNano) <= this.layoutStart) throw new NeedsRebuild('removed span started the trace');
      const parent = span.parentSpanId === undefined ? undefined : this.byId.get(span.parentSpanId);
      if (parent === null) throw new NeedsRebuild('span id shared by two spans');
      if (parent !== undefined && spanPhase(parent) !== undefined) throw new NeedsRebuild('phase span with children');
      const index = this.indexOf(span.spanId);
      if (index !== undefined) {
        const row = this.rowList[index]!;
        if (index + 1 < this.rowList.length && this.rowList[index + 1]!.depth > row.depth) throw new NeedsRebuild('removed span has children');
        this.removeRowAt(index);
        if (parent !== undefined) parentsToCheck.add(parent.spanId);
      } else if (parent !== undefined) {
        // A folded phase span: its parent's row loses a segment.
        relayout.add(parent.spanId);
      }
    }
    for (const spanId of parentsToCheck) {
      const index = this.indexOf(spanId);
      if (index === undefined) continue;
      const row = this.rowList[index]!;
      const hasChildren = index + 1 < this.rowList.length && this.rowList[index + 1]!.depth > row.depth;
      if (row.hasChildren !== hasChildren) this.rowList[index] = { ...row, hasChildren, collapsed: hasChildren && row.collapsed };
    }
    for (const spanId of relayout) if (this.byId.get(spanId) !== undefined) this.relayoutRow(spanId, nowMs);
  }

  private patch(change: SpanSetChange, nowMs: number): void {
    if (this.repaired) throw new NeedsRebuild('trace has shared span ids or parent cycles');
    const relayout = new Set<string>();
    for (const { previous, next } of change.replaced) {
      if (this.byId.get(next.spanId) === null) throw new NeedsRebuild('span id shared by two spans');
      if (spanPhase(previous) !== spanPhase(next)) throw new NeedsRebuild('phase of a span changed');
      relayout.add(this.rowOwner(next));
    }
    const addedIds = new Set(change.added.map((span) => span.spanId));
    for (const span of parentsFirst(change.added)) {
      if (this.byId.get(span.spanId) === null) throw new NeedsRebuild('span id shared by two spans');
      for (const childId of this.childIds.get(span.spanId) ?? []) {
        if (!addedIds.has(childId)) throw new NeedsRebuild('parent arrived after its children');
      }
      const startMs = nanosToMs(span.startTimeUnixNano);
      if (startMs < this.layoutStart) throw new NeedsRebuild('span starts before the trace');
      const parent = span.parentSpanId === undefined ? undefined : this.byId.get(span.parentSpanId);
      if (parent === null) throw new NeedsRebuild('span id shared by two spans');
      if (spanPhase(span) !== undefined) {
        if (parent === undefined) throw new NeedsRebuild('phase span without its parent row');
        if (spanPhase(parent) !== undefined) throw new NeedsRebuild('phase span with children');
        relayout.add(parent.spanId);
        continue;
      }
      if (parent !== undefined && spanPhase(parent) !== undefined) throw new NeedsRebuild('phase span with children');
      this.insertRow(span, parent, nowMs);
    }
    for (const spanId of relayout) this.relayoutRow(spanId, nowMs);
  }

  /** The span whose row shows this span: itself, or its parent for a folded phase span. */
  private rowOwner(span: SpanRecord): string {
    if (spanPhase(span) !== undefined && this.indexOf(span.spanId) === undefined && span.parentSpanId !== undefined) return span.parentSpanId;
    return span.spanId;
  }

  private relayoutRow(spanId: string, nowMs: number): void {
    const index = this.indexOf(spanId);
    const span = this.byId.get(spanId);
    if (index === undefined || span === undefined || span === null) throw new NeedsRebuild('row missing');
    const old = this.rowList[index]!;
    const row = layoutSpanRow(span, this.collectFolded(spanId, true), { depth: old.depth, layoutStartMs: this.layoutStart, hasChildren: old.hasChildren, collapsed: false }, nowMs);
    this.rowList[index] = row;
    if (row.barEndMs > this.layoutEnd) this.layoutEnd = row.barEndMs;
  }

  private insertRow(span: SpanRecord, parent: SpanRecord | undefined, nowMs: number): void {
    let depth = 0;
    let from = 0;
    let to = this.rowList.length;
    if (parent !== undefined) {
      const parentIndex = this.indexOf(parent.spanId);
      if (parentIndex === undefined) throw new NeedsRebuild('row missing');
      const parentRow = this.rowList[parentIndex]!;
      depth = parentRow.depth + 1;
      from = parentIndex + 1;
      to = from;
      while (to < this.rowList.length && this.rowList[to]!.depth > parentRow.depth) to += 1;
      if (!parentRow.hasChildren) this.rowList[parentIndex] = { ...parentRow, hasChildren: true };
    }
    // Among the siblings (rows at `depth` inside the parent's subtree), before the first that sorts after it.
    let at = to;
    for (let i = from; i < to; i += 1) {
      const sibling = this.rowList[i]!;
      if (sibling.depth !== depth) continue;
      if (comesBefore(span, sibling.startMs, this.byId.get(sibling.spanId) ?? undefined, sibling.spanId)) {
        at = i;
        break;
      }
    }
    const row = layoutSpanRow(span, this.collectFolded(span.spanId, true), { depth, layoutStartMs: this.layoutStart, hasChildren: false, collapsed: false }, nowMs);
    this.insertRowAt(at, row);
    if (row.barEndMs > this.layoutEnd) this.layoutEnd = row.barEndMs;
  }
}

/**
 * The sibling order of `assembleTrace`: start time in ms, then exact nanoseconds, then span id.
 *
 * @throws NeedsRebuild on a tie with a sibling whose span is not known by its row's id (it shares its
 * id with another span, or was renamed by the assembly): only a full layout orders those.
 */
function comesBefore(span: SpanRecord, siblingStartMs: number, sibling: SpanRecord | undefined, siblingId: string): boolean {
  const byMs = nanosToMs(span.startTimeUnixNano) - siblingStartMs;
  if (byMs !== 0) return byMs < 0;
  if (sibling === undefined) throw new NeedsRebuild('span id shared by two spans');
  const byNanos = compareNanos(span.startTimeUnixNano, sibling.startTimeUnixNano);
  if (byNanos !== 0) return byNanos < 0;
  return span.spanId < siblingId;
}

/**
 * The spans of a batch, each after its parent when both are in the batch.
 *
 * @throws NeedsRebuild when a held span is a child of a span in the batch (the parent arrived late), or
 * the batch's parent ids form a cycle.
 */
function parentsFirst(added: readonly SpanRecord[]): SpanRecord[] {
  if (added.length === 1) return [...added];
  const inBatch = new Map<string, SpanRecord>();
  for (const span of added) inBatch.set(span.spanId, span);
  const childrenInBatch = new Map<string, SpanRecord[]>();
  const ordered: SpanRecord[] = [];
  const pending: SpanRecord[] = [];
  for (const span of added) {
    if (span.parentSpanId !== undefined && span.parentSpanId !== span.spanId && inBatch.has(span.parentSpanId)) {
      const list = childrenInBatch.get(span.parentSpanId);
      if (list === undefined) childrenInBatch.set(span.parentSpanId, [span]);
      else list.push(span);
    } else {
      pending.push(span);
    }
  }
  while (pending.length > 0) {
    const span = pending.pop()!;
    ordered.push(span);
    const children = childrenInBatch.get(span.spanId);
    if (children !== undefined) {
      childrenInBatch.delete(span.spanId);
      pending.push(...children);
    }
  }
  if (ordered.length !== added.length) throw new NeedsRebuild('parent arrived after its children');
  return ordered;
}
