import { decodeSpanColumns, queuedCallSpans, spanPhase, spanVersionKey } from '@overlap/shared';
import type { SpanRecord, TraceSpansEvent, TraceSummary, WaterfallRow } from '@overlap/shared';
import { AnalysisClient } from './analysis/AnalysisClient.js';
import type { TraceAnalysis } from './analysis/analyseTrace.js';
import type { TraceLayout } from './analysis/analysisProtocol.js';
import { ConcurrencyChart } from './concurrency/ConcurrencyChart.js';
import { SpanDetailsPanel } from './details/SpanDetailsPanel.js';
import { TraceHeadline } from './headline/TraceHeadline.js';
import type { SpansEvent } from '@overlap/shared';
import type { LiveClient } from './live/LiveClient.js';
import { ToolStatsTable } from './stats/ToolStatsTable.js';
import { pushAnalysis, pushRecord } from './testing/pageHooks.js';
import type { PerfHook } from './testing/hookTypes.js';
import { WaterfallModel } from './trace/WaterfallModel.js';
import type { WaterfallChange, WaterfallUpdate } from './trace/WaterfallModel.js';
import { layoutSpanRow } from './trace/layoutSpanRow.js';
import { visibleRows } from './trace/visibleRows.js';
import { WaterfallView } from './waterfall/WaterfallView.js';

/** The elements the trace panel draws into. */
export interface TracePanelElements {
  readonly headline: HTMLElement;
  readonly waterfall: HTMLElement;
  readonly details: HTMLElement;
  readonly concurrency: HTMLElement;
  readonly tools: HTMLElement;
}

/** What the trace panel needs. */
export interface TracePanelDeps {
  readonly live: LiveClient;
  readonly perf: PerfHook;
  /** URL of the analysis worker; without it the analysis runs on the main thread. */
  readonly analysisWorkerUrl?: URL | undefined;
  /** Called when the per-tool figures of the selected trace change (the page decides whether to show them). */
  readonly onTraceTools?: (analysis: TraceAnalysis) => void;
  /** Called when the user pins a span's details, or unpins them (the page puts the span in its URL). */
  readonly onPinChange?: (spanId: string | undefined) => void;
}

/** Least time between two analyses of a trace, scaled by its size so large traces are not analysed on every span. */
function analysisIntervalMs(spanCount: number): number {
  // At least a quarter second: the headline and charts need no more, and each analysis costs the page a redraw.
  return Math.min(2000, Math.max(250, spanCount / 25));
}
/** How often the headline of a trace with spans in flight is refreshed. */
const LIVE_ANALYSIS_INTERVAL_MS = 1000;
/** Least time between two redraws of growing bars (about 30 frames a second). */
const LIVE_FRAME_MS = 33;
/** Most time between two redraws of growing bars, however slow a redraw is. */
const MAX_LIVE_FRAME_MS = 250;
/**
 * Rows the server lays out for the first frame of a large trace: a tall screenful and the overscan. A
 * trace with more spans has its first screen drawn from them and the rest laid out by the worker.
 */
const FIRST_SCREEN_ROWS = 200;
/** A display frame at 60 Hz, in ms. */
const FRAME_MS = 1000 / 60;

/**
 * The selected trace: its headline, waterfall, details, concurrency chart and per-tool table, kept live.
 *
 * On `open`, it watches the trace over the socket, lays out the acknowledged spans and draws them; then
 * merges each `spans` event as it arrives (patching rows in place, see `WaterfallModel`) and redraws;
 * while bars are in flight it redraws up to 30 times a second so they grow (less often when a redraw
 * is slow, so growing bars never take more than about a fifth of the main thread). The summary,
 * critical path, concurrency timeline and tool figures are computed by the analysis worker after the
 * first frame, throttled by the trace's size.
 *
 * @example
 * ```ts
 * const panel = new TracePanel(elements, { live, perf });
 * await panel.open(traceId, summary);
 * live.onSpans = (event) => panel.onSpans(event);
 * ```
 */
export class TracePanel {
  private readonly headline: TraceHeadline;
  private readonly waterfall: WaterfallView;
  private readonly details: SpanDetailsPanel;
  private readonly concurrency: ConcurrencyChart;
  private readonly tools: ToolStatsTable;
  private readonly analysis: AnalysisClient;

  private traceId: string | undefined;
  private openSeq = 0;
  private model = new WaterfallModel();
  private collapsed = new Set<string>();
  private rows: readonly WaterfallRow[] = [];
  private listSummary: TraceSummary | undefined;
  private lastAnalysis: TraceAnalysis | undefined;
  private evicted = false;
  private pending: SpansEvent[] = [];
  /** Placeholder spans of the trace's calls waiting in a queue, by `queueId` (see `queuedCallSpans`). */
  private queued = new Map<string, SpanRecord[]>();
  private pendingSince = 0;
  private frameRequested = false;
  /** Inside {@link frame}, an animation frame callback. */
  private inAnimationFrame = false;
  /** Merged into the rows and not drawn yet: since when, how, and the spans (see {@link mergePending}). */
  private undrawn: { readonly requestedAt: number; layout: WaterfallUpdate; readonly spans: SpanRecord[] } | undefined;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private lastLiveFrame = 0;
  private liveFrameIntervalMs = LIVE_FRAME_MS;
  private lastAnalysisAt = Number.NEGATIVE_INFINITY;
  private analysisTimer: number | undefined;
  private hasInFlight = false;
  /** The watch acknowledgement has been laid out; `spans` events wait until then. */
  private loaded = false;
  /**
   * While a large trace's first screen is shown and its spans are on their way (`trace-spans`) or being
   * laid out by the worker: when it was selected, the span a link asked to pin, and its spans once decoded here.
   */
  private awaiting: { readonly requestedAt: number; readonly pinSpanId: string | undefined; spans: SpanRecord[] | undefined } | undefined;

  constructor(elements: TracePanelElements, private readonly deps: TracePanelDeps) {
    this.headline = new TraceHeadline(elements.headline);
    this.details = new SpanDetailsPanel(elements.details, () => {
      this.waterfall.setPinned(undefined);
      this.deps.onPinChange?.(undefined);
    });
    this.waterfall = new WaterfallView(elements.waterfall, {
      onHover: (row) => {
        if (row !== undefined) this.details.show(row, this.model.span(row.spanId), this.model.startMs, false);
      },
      onPin: (row) => this.pin(row),
      onToggle: (spanId) => this.toggle(spanId),
      isLive: (row) => this.isLive(row),
      liveRow: (row, nowMs) => {
        const span = this.model.span(row.spanId);
        // A renamed duplicate (`{id}_1`) is not held under its row's id: draw it as laid out.
        if (span === undefined) return row;
        const place = { depth: row.depth, layoutStartMs: this.model.startMs, hasChildren: row.hasChildren, collapsed: row.collapsed };
        return layoutSpanRow(span, this.model.foldedChildren(row.spanId), place, nowMs);
      },
    });
    this.concurrency = new ConcurrencyChart(elements.concurrency);
    this.tools = new ToolStatsTable(elements.tools);
    this.analysis = new AnalysisClient({
      workerUrl: deps.analysisWorkerUrl,
      onAnalysis: (analysis) => this.showAnalysis(analysis),
      onLayout: (layout) => this.adoptLayout(layout),
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.details.unpin();
    });
  }

  /** The selected trace's id. */
  get selected(): string | undefined {
    return this.traceId;
  }

  /** The span whose details are pinned. */
  get pinnedSpan(): string | undefined {
    return this.details.pinned;
  }

  /** The waterfall (for the test hook). */
  get view(): WaterfallView {
    return this.waterfall;
  }

  /** The tool table (the page fills it with all traces' figures when asked). */
  get toolTable(): ToolStatsTable {
    return this.tools;
  }

  /**
   * Selects a trace: watches it, draws it, analyses it. A large trace is drawn in two steps: the first
   * screen as soon as the server's answer arrives (rows the server laid out with `layoutFirstRows`), then
   * every row once its spans have arrived in compact form and the worker has laid them out. With
   * `pinSpanId`, that span's details are pinned once its row is drawn (a link to a span shows what was seen).
   */
  async open(traceId: string, summary: TraceSummary | undefined, pinSpanId?: string): Promise<void> {
    const requestedAt = performance.now();
    if (this.traceId !== undefined && this.traceId !== traceId) this.deps.live.unwatch(this.traceId);
    const seq = ++this.openSeq;
    this.traceId = traceId;
    this.model = new WaterfallModel();
    this.collapsed = new Set();
    this.rows = [];
    this.pending = [];
    this.undrawn = undefined;
    this.queued = new Map();
    this.lastAnalysis = undefined;
    this.listSummary = summary;
    this.evicted = false;
    this.loaded = false;
    this.awaiting = undefined;
    this.hasInFlight = (summary?.inFlightCount ?? 0) > 0;
    this.lastAnalysisAt = Number.NEGATIVE_INFINITY;
    window.clearTimeout(this.analysisTimer);
    this.details.clear();
    if (summary !== undefined) this.headline.show(summary);
    else this.headline.clear('Loading…');
    this.waterfall.setEmpty('Loading the trace…');
    this.concurrency.clear();

    const ack = await this.deps.live.watch(traceId, { firstRows: FIRST_SCREEN_ROWS, watchId: seq });
    if (seq !== this.openSeq) return;
    if ('error' in ack) {
      this.waterfall.setEmpty(`Could not load the trace: ${ack.error.message}`);
      return;
    }
    if (!ack.found) {
      this.evicted = true;
      const message = `Trace ${traceId} not found (evicted or never received).`;
      this.headline.clear(message);
      this.waterfall.setEmpty(message);
      return;
    }
    const dataAt = performance.now();
    if (ack.spansFollow !== undefined) {
      this.awaiting = { requestedAt, pinSpanId, spans: undefined };
      // The calls waiting in queues are placed once the rows are laid out, like any update.
      if (ack.queued !== undefined) this.onSpans({ traceId, spans: [], queued: ack.queued });
      const first = ack.spansFollow.firstScreen;
      if (first === undefined) {
        this.waterfall.setEmpty(`Laying out ${ack.spansFollow.spanCount.toLocaleString('en')} spans…`);
        return;
      }
      this.rows = first.rows;
      this.waterfall.setTrace(traceId, first.rows, first.startMs, first.endMs, first.rowCount);
      this.waterfall.draw(Date.now());
      const computedAt = performance.now();
      this.afterFrame(() => {
        const drawnAt = performance.now();
        pushRecord(this.deps.perf, { kind: 'open', traceId, spanCount: ack.spansFollow!.spanCount, rowCount: first.rowCount, layout: 'first-screen', requestedAt, dataAt, computedAt, drawnAt, renderMs: drawnAt - dataAt, totalMs: drawnAt - requestedAt });
      });
      return;
    }
    const first = this.applyEvents([{ traceId, spans: ack.spans, ...(ack.queued === undefined ? {} : { queued: ack.queued }) }]);
    const layout = this.model.add(first.add, Date.now());
    this.loaded = true;
    if (first.add.some((span) => span.endTimeUnixNano === undefined)) this.hasInFlight = true;
    this.showRows();
    if (pinSpanId !== undefined) this.pinSpan(pinSpanId);
    this.waterfall.draw(Date.now());
    const computedAt = performance.now();
    this.afterFrame(() => {
      const drawnAt = performance.now();
      pushRecord(this.deps.perf, { kind: 'open', traceId, spanCount: this.model.spanCount, rowCount: this.rows.length, layout, requestedAt, dataAt, computedAt, drawnAt, renderMs: drawnAt - dataAt, totalMs: drawnAt - requestedAt });
      if (seq !== this.openSeq) return;
      // After the first frame: index the spans for live updates and hand them to the analysis worker.
      this.analysis.reset(traceId, this.model.spanRecords());
      this.requestAnalysis(true);
      this.requestFrame();
    });
  }

  /**
   * The spans of a large trace being opened (`trace-spans`): the worker gets them to lay out, and they
   * are decoded here too, for the rows' details and live updates.
   */
  onTraceSpans(event: TraceSpansEvent): void {
    const awaiting = this.awaiting;
    if (awaiting === undefined || event.traceId !== this.traceId || event.watchId !== this.openSeq) return;
    const bytes = event.columns instanceof ArrayBuffer ? new Uint8Array(event.columns) : event.columns;
    // The worker gets its own copy (transferred); this thread decodes while the worker lays out.
    this.analysis.load(event.traceId, bytes.slice().buffer, Date.now());
    awaiting.spans = decodeSpanColumns(JSON.parse(new TextDecoder().decode(bytes)));
  }

  /** Every row of a large trace, laid out by the worker: replaces the first screen, then live updates apply. */
  private adoptLayout(layout: TraceLayout | { readonly traceId: string; readonly error: string }): void {
    const awaiting = this.awaiting;
    const traceId = this.traceId;
    if (awaiting === undefined || awaiting.spans === undefined || traceId === undefined || layout.traceId !== traceId) return;
    this.awaiting = undefined;
    if ('error' in layout) {
      this.waterfall.setEmpty(`Could not lay out the trace: ${layout.error}`);
      return;
    }
    const dataAt = performance.now();
    this.model.adopt(awaiting.spans, layout);
    this.loaded = true;
    if (layout.rows.some((row) => row.inFlight)) this.hasInFlight = true;
    this.showRows();
    if (awaiting.pinSpanId !== undefined) this.pinSpan(awaiting.pinSpanId);
    this.waterfall.draw(Date.now());
    const computedAt = performance.now();
    const { requestedAt } = awaiting;
    this.afterFrame(() => {
      const drawnAt = performance.now();
      pushRecord(this.deps.perf, { kind: 'layout', traceId, spanCount: this.model.spanCount, rowCount: this.rows.length, layout: 'rebuilt', requestedAt, dataAt, computedAt, drawnAt, renderMs: drawnAt - dataAt, totalMs: drawnAt - requestedAt });
    });
    if (this.pending.length > 0) this.applyPending();
    this.requestAnalysis(true);
    this.requestFrame();
  }

  /** Watches the selected trace again (after the socket reconnected), keeping the pinned span. */
  reopen(): void {
    if (this.traceId !== undefined) void this.open(this.traceId, this.listSummary, this.details.pinned);
  }

  /**
   * Pins a span's details and brings its row into view (a span in the URL); unpins with `undefined`.
   * Does nothing when the span is not in the drawn trace.
   */
  pinSpan(spanId: string | undefined): void {
    if (spanId === undefined) {
      this.details.unpin();
      return;
    }
    const row = this.model.row(spanId);
    if (row === undefined || this.details.pinned === spanId) return;
    this.details.show(row, this.model.span(spanId), this.model.startMs, true);
    this.waterfall.setPinned(spanId);
    const index = this.rows.findIndex((candidate) => candidate.spanId === spanId);
    if (index >= 0) this.waterfall.scrollToRow(index);
  }

  /** New and updated spans of a watched trace, and its calls that joined or left a queue (the `spans` event). */
  onSpans(event: SpansEvent): void {
    if (event.traceId !== this.traceId) return;
    if (this.pending.length === 0) this.pendingSince = performance.now();
    this.pending.push(event);
    if (!this.loaded) {
      // Before the trace is laid out, events wait for it.
      this.requestFrame();
      return;
    }
    // Merged at once, while the page waits for its next frame anyway. Drawn at once too when nothing
    // was drawn within the last frame (a lone update is painted in the very next frame); otherwise in
    // the next animation frame, so a burst of events is drawn once per frame.
    this.mergePending();
    if (performance.now() - this.lastDrawAt >= FRAME_MS) this.drawMerged();
    else this.requestFrame();
  }

  /** The selected trace's summary from the trace list (shown until the analysis has its own). */
  onSummary(summary: TraceSummary): void {
    if (summary.traceId !== this.traceId) return;
    this.listSummary = summary;
    if (summary.inFlightCount > 0) this.hasInFlight = true;
    if (this.lastAnalysis === undefined) this.headline.show(summary, this.headlineExtras());
  }

  /** The server evicted the selected trace: keep showing it, and say so. */
  markEvicted(): void {
    this.evicted = true;
    const summary = this.lastAnalysis?.summary ?? this.listSummary;
    if (summary !== undefined) this.headline.show(summary, this.headlineExtras());
  }

  private headlineExtras(): { criticalPathMs?: number; note?: string } {
    const extras: { criticalPathMs?: number; note?: string } = {};
    if (this.lastAnalysis !== undefined) {
      let total = 0;
      for (const segment of this.lastAnalysis.criticalPath) total += segment.endMs - segment.startMs;
      extras.criticalPathMs = total;
    }
    if (this.evicted) extras.note = 'This trace was evicted from the server\'s store; what is shown is what the page had.';
    return extras;
  }

  private isLive(row: WaterfallRow): boolean {
    if (row.inFlight) return true;
    const last = row.segments[row.segments.length - 1];
    return last !== undefined && last.kind === 'abandoned' && this.model.foldedChildren(row.spanId).some((child) => child.endTimeUnixNano === undefined);
  }

  private showRows(): void {
    this.rows = visibleRows(this.model.rows, this.collapsed);
    if (this.traceId !== undefined) this.waterfall.setTrace(this.traceId, this.rows, this.model.startMs, this.model.endMs);
  }

  private toggle(spanId: string): void {
    // Only the first screen is laid out yet: collapsing waits for the whole trace.
    if (this.awaiting !== undefined) return;
    if (this.collapsed.has(spanId)) this.collapsed.delete(spanId);
    else this.collapsed.add(spanId);
    this.showRows();
    this.waterfall.draw(Date.now());
  }

  private pin(row: WaterfallRow): void {
    if (this.details.pinned === row.spanId) {
      this.details.unpin();
      return;
    }
    this.details.show(row, this.model.span(row.spanId), this.model.startMs, true);
    this.waterfall.setPinned(row.spanId);
    this.deps.onPinChange?.(row.spanId);
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  /** An animation frame: merges waiting spans (if the socket handler could not), and grows live bars. */
  private frame(): void {
    this.frameRequested = false;
    if (this.traceId === undefined || !this.loaded) return;
    if (this.pending.length > 0 || this.undrawn !== undefined) {
      this.inAnimationFrame = true;
      try {
        this.applyPending();
      } finally {
        this.inAnimationFrame = false;
      }
    } else if (performance.now() - this.lastLiveFrame >= this.liveFrameIntervalMs && this.waterfall.hasLiveRows()) {
      const drawMs = this.waterfall.draw(Date.now());
      this.lastLiveFrame = this.lastDrawAt = performance.now();
      // Growing bars redraw the whole window: keep that under about a fifth of the main thread.
      this.liveFrameIntervalMs = Math.min(MAX_LIVE_FRAME_MS, Math.max(LIVE_FRAME_MS, drawMs * 5));
    }
    if (this.waterfall.hasLiveRows()) this.requestFrame();
  }

  /** Merges the spans that arrived and redraws now. */
  private applyPending(): void {
    this.mergePending();
    this.drawMerged();
  }

  /**
   * Merges the spans that arrived into the rows (the cheap part of an update: a patch). The drawing is
   * {@link drawMerged}'s, so several events within one frame are drawn once.
   */
  private mergePending(): void {
    const traceId = this.traceId;
    if (traceId === undefined || !this.loaded || this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const step = this.applyEvents(events);
    const spans = step.add;
    const layout: WaterfallUpdate = this.model.update(step, Date.now());
    if (step.remove.length > 0) this.analysis.removeSpans(step.remove);
    this.analysis.addSpans(spans);
    if (spans.some((span) => span.endTimeUnixNano === undefined)) this.hasInFlight = true;
    if (layout === 'unchanged') return;
    this.showRows();
    this.refreshPinned(spans);
    const undrawn = this.undrawn;
    if (undrawn === undefined) this.undrawn = { requestedAt: this.pendingSince, layout, spans: [...spans] };
    else {
      if (layout === 'rebuilt') undrawn.layout = 'rebuilt';
      undrawn.spans.push(...spans);
    }
  }

  /** Draws what {@link mergePending} merged, and records the update's timing once it is painted. */
  private drawMerged(): void {
    const traceId = this.traceId;
    const undrawn = this.undrawn;
    if (traceId === undefined || undrawn === undefined) return;
    this.undrawn = undefined;
    this.waterfall.draw(Date.now());
    this.lastLiveFrame = this.lastDrawAt = performance.now();
    const computedAt = performance.now();
    const { requestedAt, layout, spans } = undrawn;
    const tracked = this.deps.perf.spanDrawnAt;
    this.afterFrame(() => {
      const drawnAt = performance.now();
      pushRecord(this.deps.perf, { kind: 'update', traceId, spanCount: this.model.spanCount, rowCount: this.rows.length, layout, requestedAt, dataAt: requestedAt, computedAt, drawnAt, renderMs: drawnAt - requestedAt, totalMs: drawnAt - requestedAt });
      if (tracked !== null) this.recordDrawnSpans(tracked, spans);
    });
    this.requestAnalysis(false);
    if (this.waterfall.hasLiveRows()) this.requestFrame();
  }


  /**
   * Turns `spans` events, in order, into one step for the model: the placeholders of waits that ended
   * go (unless they arrive and go within these events, then they never come), the spans come, and the
   * new waits come as placeholders. Keeps {@link queued} up to date.
   */
  private applyEvents(events: readonly SpansEvent[]): { remove: string[]; add: SpanRecord[] } & WaterfallChange {
    const remove: string[] = [];
    const spans: SpanRecord[] = [];
    const arriving = new Map<string, SpanRecord[]>();
    const leave = (queueId: string): void => {
      if (arriving.delete(queueId)) return;
      const held = this.queued.get(queueId);
      if (held === undefined) return;
      this.queued.delete(queueId);
      for (const span of held) remove.push(spanVersionKey(span));
    };
    for (const event of events) {
      for (const queueId of event.dequeued ?? []) leave(queueId);
      for (const span of event.spans) spans.push(span);
      for (const call of event.queued ?? []) {
        // Announced again (the runner reconnected): the new record replaces the old.
        leave(call.queueId);
        arriving.set(call.queueId, queuedCallSpans(call));
      }
    }
    for (const [queueId, placeholders] of arriving) {
      this.queued.set(queueId, placeholders);
      for (const span of placeholders) spans.push(span);
    }
    return { remove, add: spans };
  }

  private recordDrawnSpans(tracked: Record<string, number>, spans: readonly SpanRecord[]): void {
    const shown = new Set(this.waterfall.snapshot().rows.map((row) => row.spanId));
    const now = Date.now();
    for (const span of spans) {
      if (span.endTimeUnixNano === undefined || tracked[span.spanId] !== undefined) continue;
      const owner = spanPhase(span) !== undefined && span.parentSpanId !== undefined && !shown.has(span.spanId) ? span.parentSpanId : span.spanId;
      if (shown.has(owner)) tracked[span.spanId] = now;
    }
  }

  private refreshPinned(spans: readonly SpanRecord[]): void {
    const pinned = this.details.pinned;
    if (pinned === undefined || !spans.some((span) => span.spanId === pinned || span.parentSpanId === pinned)) return;
    const row = this.model.row(pinned);
    if (row !== undefined) this.details.show(row, this.model.span(pinned), this.model.startMs, true);
  }

  private requestAnalysis(now: boolean): void {
    window.clearTimeout(this.analysisTimer);
    this.analysisTimer = undefined;
    const waitMs = now ? 0 : Math.max(0, this.lastAnalysisAt + analysisIntervalMs(this.model.spanCount) - performance.now());
    if (waitMs === 0 && !this.analysis.busy) {
      this.lastAnalysisAt = performance.now();
      this.analysis.request(Date.now());
    } else {
      this.analysisTimer = window.setTimeout(() => this.requestAnalysis(true), Math.max(waitMs, 50));
    }
  }

  private showAnalysis(analysis: TraceAnalysis): void {
    if (analysis.traceId !== this.traceId) return;
    this.lastAnalysis = analysis;
    pushAnalysis(this.deps.perf, { traceId: analysis.traceId, spanCount: analysis.summary.spanCount, computeMs: analysis.computeMs, receivedAt: performance.now() });
    this.hasInFlight = analysis.summary.inFlightCount > 0;
    this.headline.show(analysis.summary, this.headlineExtras());
    this.waterfall.setCriticalPath(analysis.criticalPath);
    this.waterfall.draw(Date.now());
    this.concurrency.show(analysis.timeline, analysis.summary.inFlightCount > 0);
    this.deps.onTraceTools?.(analysis);
    if (this.hasInFlight) {
      window.clearTimeout(this.analysisTimer);
      this.analysisTimer = window.setTimeout(() => this.requestAnalysis(true), LIVE_ANALYSIS_INTERVAL_MS);
    }
  }

  /**
   * Runs `callback` once the frame holding what was just drawn has been painted: an animation frame
   * callback runs before the frame's style, layout and paint, so it posts a message, and the message is
   * handled after them. Drawn outside one, that is the next frame's; drawn inside one, this frame's.
   */
  private afterFrame(callback: () => void): void {
    const afterPaint = (): void => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        callback();
      };
      channel.port2.postMessage(undefined);
    };
    // Drawn inside an animation frame callback: this frame is the one that paints it.
    if (this.inAnimationFrame) afterPaint();
    else requestAnimationFrame(afterPaint);
  }
}
