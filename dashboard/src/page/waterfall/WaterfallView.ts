import { Chart } from 'chart.js';
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { CriticalPathSegment, WaterfallMarkerKind, WaterfallRow } from '@overlap/shared';
import { element } from '../dom/element.js';
import { patchChildren } from '../dom/patchChildren.js';
import { registerCharts } from '../charts/registerCharts.js';
import { CRITICAL_PATH_COLOR, FAILED_RUN_COLOR, IN_FLIGHT_RUN_COLOR, MARKER_STYLES, SEGMENT_STYLES } from '../theme/palette.js';
import { TIME_AXIS_PADDING, timeTickLabel } from './timeAxis.js';
import { liveAxisMs } from './liveAxis.js';
import { placeWindow } from './virtualWindow.js';
import { MARKER_KINDS, SEGMENT_DRAW_KINDS, buildWaterfallFrame } from './waterfallFrame.js';
import type { BarPoint, MarkerPoint, SegmentDrawKind, WaterfallFrame } from './waterfallFrame.js';
import { WaterfallTooltip } from './WaterfallTooltip.js';
import type { WaterfallSnapshot } from '../testing/hookTypes.js';

/** Options of {@link WaterfallView}. */
export interface WaterfallViewOptions {
  /**
   * Height of one row, in px.
   * @defaultValue 22
   */
  rowHeightPx?: number;
  /**
   * Rows drawn beyond each edge of the viewport.
   * @defaultValue 12
   */
  overscanRows?: number;
}

/** What the waterfall asks of and reports to its owner. */
export interface WaterfallViewHandlers {
  /** The row under the pointer changed (`undefined`: the pointer left the rows). */
  onHover(row: WaterfallRow | undefined): void;
  /** A row was clicked. */
  onPin(row: WaterfallRow): void;
  /** A row's collapse button was pressed. */
  onToggle(spanId: string): void;
  /** Whether a row changes with time (an in-flight span, or a body still running past its timeout). */
  isLive(row: WaterfallRow): boolean;
  /** The row laid out again with in-flight spans ending at `nowMs`. */
  liveRow(row: WaterfallRow, nowMs: number): WaterfallRow;
}

/** Colours of the bar datasets, by draw kind. */
export const DRAW_KIND_COLORS: Readonly<Record<SegmentDrawKind, string>> = {
  queue: SEGMENT_STYLES.queue.color,
  run: SEGMENT_STYLES.run.color,
  runInFlight: IN_FLIGHT_RUN_COLOR,
  runFailed: FAILED_RUN_COLOR,
  backoff: SEGMENT_STYLES.backoff.color,
  abandoned: SEGMENT_STYLES.abandoned.color,
};

type WaterfallPoint = BarPoint | MarkerPoint;

/** The waterfall's height grows by this many rows at a time while a trace gains rows. */
const HEIGHT_STEP_ROWS = 10;
type WaterfallChart = Chart<'bar' | 'scatter', WaterfallPoint[]>;

/**
 * The waterfall: one row per span on a shared time axis, virtualized so it stays smooth at 50,000 spans.
 *
 * A scroll container holds a spacer as tall as every row; inside it, a window of rows (the viewport plus
 * an overscan) sits where those rows would be, with their names on the left (DOM, indented by depth,
 * with collapse buttons) and a chart.js floating-bar chart (`indexAxis: 'y'`) on the right that holds
 * only the window's rows. Scrolling moves the window natively and swaps in other rows only when the
 * visible ones leave it, with `chart.update('none')` (no animation, only the window's points parsed);
 * the x axis stays fixed to the whole trace. A second, small chart above the rows draws the time axis.
 *
 * @example
 * ```ts
 * const view = new WaterfallView(section, handlers);
 * view.setTrace(traceId, rows, layout.startMs, layout.endMs);
 * view.draw(Date.now());
 * ```
 */
export class WaterfallView {
  private readonly rowHeight: number;
  private readonly overscan: number;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly windowBox: HTMLDivElement;
  private readonly labels: HTMLDivElement;
  private readonly barsBox: HTMLDivElement;
  private readonly highlight: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private readonly chart: WaterfallChart;
  private readonly axisChart: Chart<'scatter'>;
  private readonly tooltip: WaterfallTooltip;
  private readonly barDatasets = new Map<SegmentDrawKind, ChartDataset<'bar', WaterfallPoint[]>>();
  private readonly markerDatasets = new Map<WaterfallMarkerKind, ChartDataset<'scatter', WaterfallPoint[]>>();
  private readonly criticalDataset: ChartDataset<'bar', WaterfallPoint[]>;

  private traceId: string | undefined;
  private rows: readonly WaterfallRow[] = [];
  /** Rows of the whole trace: `rows.length`, or more while only the first rows are laid out. */
  private rowCount = 0;
  /** The rows the waterfall's height is held at (see {@link holdHeight}). */
  private heldRows = -1;
  private originMs = 0;
  private endMs = 0;
  private criticalPath: ReadonlyMap<string, readonly CriticalPathSegment[]> = new Map();
  private start = 0;
  private size = 0;
  private labelledRows: readonly WaterfallRow[] | undefined;
  /** The label element of each row drawn last time (rows are immutable: a changed row is a new object). */
  private labelElements = new Map<WaterfallRow, HTMLElement>();
  private labelledStart = -1;
  private frame: WaterfallFrame | undefined;
  private drawCount = 0;
  private axisMaxMs = -1;
  private hoveredId: string | undefined;
  private pinnedId: string | undefined;
  private lastNowMs = 0;

  constructor(
    root: HTMLElement,
    private readonly handlers: WaterfallViewHandlers,
    options: WaterfallViewOptions = {},
  ) {
    registerCharts();
    this.rowHeight = options.rowHeightPx ?? 22;
    this.overscan = options.overscanRows ?? 12;
    root.style.setProperty('--row-height', `${this.rowHeight}px`);

    const axisCanvas = element('canvas', { attrs: { 'aria-hidden': 'true' } });
    const barsCanvas = element('canvas', { attrs: { role: 'img', 'aria-label': 'Waterfall bars of the spans listed on the left' } });
    this.labels = element('div', { className: 'wf-labels', attrs: { role: 'list', 'aria-label': 'Spans' } });
    this.barsBox = element('div', { className: 'wf-bars' }, [barsCanvas]);
    this.highlight = element('div', { className: 'wf-highlight', attrs: { hidden: '' } });
    this.windowBox = element('div', { className: 'wf-window' }, [this.labels, this.barsBox, this.highlight]);
    this.spacer = element('div', { className: 'wf-spacer' }, [this.windowBox]);
    this.scroller = element('div', { className: 'wf-scroll', attrs: { tabindex: '0', 'aria-label': 'Waterfall rows (scroll)' } }, [this.spacer]);
    this.empty = element('p', { className: 'wf-empty', text: 'Select a trace to draw its waterfall.' });
    const header = element('div', { className: 'wf-header' }, [element('div', { className: 'wf-label-head', text: 'Span' }), element('div', { className: 'wf-axis' }, [axisCanvas])]);
    this.tooltip = new WaterfallTooltip(element('div', { className: 'wf-tooltip', attrs: { role: 'tooltip', hidden: '' } }));
    root.append(header, this.scroller, this.empty, this.tooltip.element);

    for (const kind of SEGMENT_DRAW_KINDS) {
      this.barDatasets.set(kind, { type: 'bar', label: kind, data: [], backgroundColor: DRAW_KIND_COLORS[kind], barThickness: 12, grouped: false, minBarLength: 2, borderSkipped: false });
    }
    this.criticalDataset = { type: 'bar', label: 'critical path', data: [], backgroundColor: CRITICAL_PATH_COLOR, barThickness: 3, grouped: false, minBarLength: 1, borderSkipped: false };
    for (const kind of MARKER_KINDS) {
      const style = MARKER_STYLES[kind];
      this.markerDatasets.set(kind, {
        type: 'scatter',
        label: kind,
        data: [],
        pointStyle: style.pointStyle,
        pointRadius: kind === 'error' ? 5 : 4.5,
        pointBorderWidth: kind === 'error' ? 2.5 : 1,
        pointBorderColor: kind === 'error' ? style.color : '#ffffff',
        pointBackgroundColor: style.color,
      });
    }

    const config = {
      type: 'bar',
      // chart.js draws the first dataset last, on top: markers, then the critical path, then the bars.
      data: { datasets: [...[...this.markerDatasets.values()].reverse(), this.criticalDataset, ...[...this.barDatasets.values()].reverse()] },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        // No automatic padding for markers at the edges: slot n must sit exactly n rows down.
        layout: { autoPadding: false, padding: { ...TIME_AXIS_PADDING, top: 0, bottom: 0 } },
        scales: {
          x: { type: 'linear', min: 0, max: 1, grid: { color: '#eef0f3', drawTicks: false }, ticks: { display: false, includeBounds: false }, border: { display: false } },
          // Bar charts offset their index axis by default; rows must fill the canvas edge to edge.
          y: { type: 'linear', min: -0.5, max: 0.5, reverse: true, display: false, offset: false },
        },
        plugins: { legend: { display: false }, tooltip: { enabled: false }, decimation: { enabled: false } },
      },
    } as unknown as ChartConfiguration<'bar' | 'scatter', WaterfallPoint[]>;
    this.chart = new Chart(barsCanvas, config);
    this.axisChart = new Chart(axisCanvas, {
      type: 'scatter',
      data: { datasets: [{ data: [] }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        layout: { autoPadding: false, padding: { ...TIME_AXIS_PADDING, top: 0, bottom: 0 } },
        scales: {
          x: { type: 'linear', position: 'bottom', min: 0, max: 1, ticks: { callback: timeTickLabel, maxRotation: 0, includeBounds: false, autoSkipPadding: 16, padding: 2 }, grid: { drawOnChartArea: false, tickLength: 4 }, border: { color: '#c5cad3' } },
          y: { display: false },
        },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
      },
    });

    this.scroller.addEventListener('scroll', () => this.draw(this.lastNowMs, false), { passive: true });
    new ResizeObserver(() => this.draw(this.lastNowMs, true)).observe(this.scroller);
    this.windowBox.addEventListener('mousemove', (event) => this.onPointer(event));
    this.windowBox.addEventListener('mouseleave', () => this.hover(undefined));
    this.windowBox.addEventListener('click', (event) => this.onClick(event));
    this.setEmpty('Select a trace to draw its waterfall.');
  }

  /**
   * Shows a trace's rows (visible ones, collapsed applied): `originMs` is its start, `endMs` its end so
   * far. `rowCount` larger than `rows.length` says `rows` are only the first rows (the first screen, the
   * rest still being laid out): the scroll range is the whole trace's, and rows past `rows` stay blank.
   */
  setTrace(traceId: string, rows: readonly WaterfallRow[], originMs: number, endMs: number, rowCount: number = rows.length): void {
    if (traceId !== this.traceId) {
      this.traceId = traceId;
      this.labelElements = new Map();
      this.scroller.scrollTop = 0;
      this.hoveredId = undefined;
      this.pinnedId = undefined;
      this.criticalPath = new Map();
    }
    this.rows = rows;
    this.rowCount = Math.max(rowCount, rows.length);
    this.labelledRows = undefined;
    this.originMs = originMs;
    this.endMs = endMs;
    this.spacer.style.height = `${this.rowCount * this.rowHeight}px`;
    this.holdHeight();
    this.empty.hidden = this.rowCount > 0;
    if (this.rowCount === 0) this.empty.textContent = 'This trace has no spans yet.';
  }

  /**
   * Lets the waterfall grow in steps of {@link HEIGHT_STEP_ROWS} rows rather than a row at a time, up to
   * its maximum height: a live trace adds rows one by one, and each added row would otherwise move
   * everything below the waterfall, so the browser lays out and repaints the rest of the page for every
   * span that starts.
   */
  private holdHeight(): void {
    const steppedRows = Math.ceil(this.rowCount / HEIGHT_STEP_ROWS) * HEIGHT_STEP_ROWS;
    if (steppedRows === this.heldRows) return;
    this.heldRows = steppedRows;
    // Read only when the step changes: the scroller's own maximum (a stylesheet's), which min-height would override.
    const maxHeightPx = Number.parseFloat(getComputedStyle(this.scroller).maxHeight);
    const heightPx = steppedRows * this.rowHeight;
    this.scroller.style.minHeight = `${Number.isFinite(maxHeightPx) ? Math.min(heightPx, maxHeightPx) : heightPx}px`;
  }

  /** Clears the waterfall and shows a message instead. */
  setEmpty(message: string): void {
    this.traceId = undefined;
    this.rows = [];
    this.rowCount = 0;
    this.spacer.style.height = '0px';
    this.heldRows = -1;
    this.scroller.style.minHeight = '';
    this.empty.hidden = false;
    this.empty.textContent = message;
    this.labels.replaceChildren();
    this.labelElements = new Map();
    this.labelledRows = undefined;
    this.frame = undefined;
    this.tooltip.hide();
  }

  /** Highlights the critical path's stretches. */
  setCriticalPath(path: readonly CriticalPathSegment[]): void {
    const bySpan = new Map<string, CriticalPathSegment[]>();
    for (const segment of path) {
      const list = bySpan.get(segment.spanId);
      if (list === undefined) bySpan.set(segment.spanId, [segment]);
      else list.push(segment);
    }
    // Labels show only which rows are on the path: keep them when that did not change (a live trace's
    // path is recomputed often, its times growing, its spans mostly the same).
    const sameSpans = bySpan.size === this.criticalPath.size && [...bySpan.keys()].every((spanId) => this.criticalPath.has(spanId));
    this.criticalPath = bySpan;
    if (sameSpans) return;
    this.labelledRows = undefined;
    this.labelElements = new Map();
  }

  /** Marks the pinned row (drawn highlighted). */
  setPinned(spanId: string | undefined): void {
    this.pinnedId = spanId;
    this.placeHighlight();
  }

  /** Whether any row in the current window changes with time. */
  hasLiveRows(): boolean {
    return this.frame !== undefined && this.frame.rows.some((row) => this.handlers.isLive(row));
  }

  /** Scrolls so the row at `index` is in view. */
  scrollToRow(index: number): void {
    const top = index * this.rowHeight;
    if (top < this.scroller.scrollTop || top + this.rowHeight > this.scroller.scrollTop + this.scroller.clientHeight) {
      this.scroller.scrollTop = Math.max(0, top - this.scroller.clientHeight / 3);
    }
  }

  /**
   * Draws the window of rows around the scroll position, with live rows brought to `nowMs`. Returns the
   * time it took in ms. `force` redraws even when nothing moved.
   */
  draw(nowMs: number, force = true): number {
    const started = performance.now();
    this.lastNowMs = nowMs;
    if (this.traceId === undefined) return 0;
    const placed = placeWindow({
      scrollTopPx: this.scroller.scrollTop,
      viewportPx: this.scroller.clientHeight,
      rowHeightPx: this.rowHeight,
      rowCount: this.rowCount,
      overscanRows: this.overscan,
      currentStart: this.frame === undefined ? undefined : this.start,
    });
    if (!force && this.frame !== undefined && placed.start === this.start && placed.size === this.size) return 0;
    if (placed.size !== this.size) {
      this.size = placed.size;
      this.barsBox.style.height = `${placed.size * this.rowHeight}px`;
      this.chart.options.scales!.y!.max = placed.size - 0.5;
      this.chart.resize();
    }
    if (placed.start !== this.start) {
      this.start = placed.start;
      this.windowBox.style.top = `${placed.start * this.rowHeight}px`;
    }

    const windowRows: WaterfallRow[] = [];
    let live = false;
    const end = Math.min(this.rows.length, this.start + this.size);
    for (let i = this.start; i < end; i += 1) {
      const row = this.rows[i]!;
      if (this.handlers.isLive(row)) {
        live = true;
        windowRows.push(this.handlers.liveRow(row, nowMs));
      } else {
        windowRows.push(row);
      }
    }
    // A live trace's axis grows in steps (see liveAxisMs), so a frame that only grows bars redraws no axis.
    const endMs = live ? this.originMs + liveAxisMs(Math.max(this.endMs, nowMs) - this.originMs) : this.endMs;
    const frame = buildWaterfallFrame({ rows: windowRows, start: this.start, size: this.size, originMs: this.originMs, endMs, criticalPath: this.criticalPath });
    this.frame = frame;
    for (const [kind, dataset] of this.barDatasets) dataset.data = frame.bars[kind];
    this.criticalDataset.data = frame.critical;
    for (const [kind, dataset] of this.markerDatasets) dataset.data = frame.markers[kind];
    const xMax = Math.max(frame.xMaxMs, 1e-3);
    this.chart.options.scales!.x!.max = xMax;
    this.chart.update('none');
    if (xMax !== this.axisMaxMs) {
      this.axisMaxMs = xMax;
      this.axisChart.options.scales!.x!.max = xMax;
      this.axisChart.update('none');
    }
    this.label();
    this.placeHighlight();
    this.drawCount += 1;
    return performance.now() - started;
  }

  /** The rows and segments currently given to chart.js (the page's test hook). */
  snapshot(): WaterfallSnapshot {
    const frame = this.frame;
    const area = this.chart.chartArea ?? { left: 0, right: 0, top: 0, bottom: 0 };
    const axisArea = this.axisChart.chartArea ?? { left: 0, right: 0 };
    const rows = (frame?.rows ?? []).map((row, slot) => {
      const segments: Array<{ kind: SegmentDrawKind; startMs: number; endMs: number; color: string; label: string | undefined }> = [];
      for (const [kind, dataset] of this.barDatasets) {
        for (const point of dataset.data as BarPoint[]) {
          if (point.y === slot) segments.push({ kind, startMs: point.x[0], endMs: point.x[1], color: String(dataset.backgroundColor), label: point.label });
        }
      }
      segments.sort((a, b) => a.startMs - b.startMs);
      const critical = (this.criticalDataset.data as BarPoint[]).filter((point) => point.y === slot).map((point) => ({ startMs: point.x[0], endMs: point.x[1] }));
      const markers: Array<{ kind: WaterfallMarkerKind; tMs: number; label: string }> = [];
      for (const [kind, dataset] of this.markerDatasets) {
        for (const point of dataset.data as MarkerPoint[]) if (point.y === slot) markers.push({ kind, tMs: point.x, label: point.label });
      }
      return {
        index: this.start + slot,
        slot,
        spanId: row.spanId,
        name: row.name,
        label: row.label,
        depth: row.depth,
        inFlight: row.inFlight,
        outcome: row.outcome,
        collapsed: row.collapsed,
        onCriticalPath: critical.length > 0,
        segments,
        critical,
        markers,
      };
    });
    return {
      traceId: this.traceId,
      rowCount: this.rowCount,
      windowStart: this.start,
      windowSize: this.size,
      xMinMs: 0,
      xMaxMs: Number(this.chart.options.scales?.x?.max ?? 0),
      originMs: this.originMs,
      rows,
      chartArea: { left: area.left, right: area.right, top: area.top, bottom: area.bottom },
      axisChartArea: { left: axisArea.left, right: axisArea.right },
      drawCount: this.drawCount,
    };
  }

  private label(): void {
    const frame = this.frame;
    if (frame === undefined) return;
    const end = Math.min(this.rows.length, this.start + this.size);
    if (this.labelledRows === this.rows && this.labelledStart === this.start) return;
    // Rows that did not change keep their element; a live update adds or changes one or two.
    const items: HTMLElement[] = [];
    const elements = new Map<WaterfallRow, HTMLElement>();
    for (let i = this.start; i < end; i += 1) {
      const row = this.rows[i]!;
      let item = this.labelElements.get(row);
      if (item === undefined) item = this.labelRow(row, i);
      else if (item.dataset.index !== String(i)) item.dataset.index = String(i);
      items.push(item);
      elements.set(row, item);
    }
    patchChildren<ChildNode>(this.labels, items);
    this.labelElements = elements;
    this.labelledRows = this.rows;
    this.labelledStart = this.start;
  }

  private labelRow(row: WaterfallRow, index: number): HTMLElement {
    const classes = ['wf-label'];
    if (this.criticalPath.has(row.spanId)) classes.push('on-critical-path');
    if (row.inFlight) classes.push('in-flight');
    if (row.outcome !== undefined && row.outcome !== 'ok') classes.push(`outcome-${row.outcome}`);
    const toggle = row.hasChildren
      ? element('button', {
          className: 'wf-toggle',
          text: row.collapsed ? '▸' : '▾',
          attrs: { type: 'button', 'aria-expanded': String(!row.collapsed), 'aria-label': `${row.collapsed ? 'Expand' : 'Collapse'} ${row.label}`, 'data-toggle': row.spanId },
        })
      : element('span', { className: 'wf-toggle-space', attrs: { 'aria-hidden': 'true' } });
    const children: Node[] = [toggle, element('span', { className: 'wf-name', text: row.label })];
    // A call still waiting at a gate (its queued bar is the last, open segment) says so.
    if (row.inFlight) children.push(element('span', { className: 'wf-flag wf-flag-live', text: row.segments[row.segments.length - 1]?.kind === 'queue' ? 'queued' : 'in flight' }));
    else if (row.outcome !== undefined && row.outcome !== 'ok') children.push(element('span', { className: `wf-flag wf-flag-${row.outcome}`, text: row.outcome }));
    return element('div', { className: classes.join(' '), attrs: { role: 'listitem', 'data-span-id': row.spanId, 'data-index': String(index), 'aria-level': String(row.depth + 1) }, style: { paddingLeft: `${Math.min(row.depth, 24) * 14 + 4}px` } }, children);
  }

  private rowAt(clientY: number): WaterfallRow | undefined {
    const frame = this.frame;
    if (frame === undefined) return undefined;
    const slot = Math.floor((clientY - this.windowBox.getBoundingClientRect().top) / this.rowHeight);
    return slot >= 0 && slot < frame.rows.length ? frame.rows[slot] : undefined;
  }

  private onPointer(event: MouseEvent): void {
    const row = this.rowAt(event.clientY);
    this.hover(row);
    if (row !== undefined) this.tooltip.show(row, this.originMs, event.clientX, event.clientY);
  }

  private hover(row: WaterfallRow | undefined): void {
    if (row === undefined) this.tooltip.hide();
    if (row?.spanId === this.hoveredId) return;
    this.hoveredId = row?.spanId;
    this.placeHighlight();
    this.handlers.onHover(row);
  }

  private onClick(event: MouseEvent): void {
    const toggle = (event.target as Element | null)?.closest('[data-toggle]');
    if (toggle !== null && toggle !== undefined) {
      this.handlers.onToggle(toggle.getAttribute('data-toggle')!);
      return;
    }
    const row = this.rowAt(event.clientY);
    if (row !== undefined) this.handlers.onPin(row);
  }

  private placeHighlight(): void {
    const spanId = this.pinnedId ?? this.hoveredId;
    const slot = spanId === undefined || this.frame === undefined ? -1 : this.frame.rows.findIndex((row) => row.spanId === spanId);
    this.highlight.hidden = slot < 0;
    if (slot >= 0) {
      this.highlight.style.top = `${slot * this.rowHeight}px`;
      this.highlight.classList.toggle('pinned', this.pinnedId !== undefined);
    }
  }
}
