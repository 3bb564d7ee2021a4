import { GenAiAttributes, OverlapAttributes, OverlapEvents, Phase } from '../attributes.js';
import type { Outcome } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { SpanEventRecord, SpanRecord } from '../model.js';
import type { AssembledTrace, TraceNode } from './assembleTrace.js';
import { booleanAttribute, numberAttribute, stringAttribute } from './spanAttributes.js';
import { spanLabel, spanOutcome, spanPhase } from './spanRoles.js';
import { traceEndOrNowMs } from './traceClock.js';

/** Options of {@link layoutWaterfall}. */
export interface WaterfallOptions {
  /**
   * The time in-flight spans are drawn up to, in ms since the epoch (their bars grow with it).
   * @defaultValue the trace's end ({@link AssembledTrace.endMs}), its latest known time
   */
  nowMs?: number;
  /**
   * Ids of spans whose descendants are hidden. A collapsed span still gets its row, with `collapsed: true`.
   * @defaultValue none
   */
  collapsed?: ReadonlySet<string>;
}

/** What a stretch of a row's bar was spent on. */
export type WaterfallSegmentKind = 'queue' | 'run' | 'backoff' | 'abandoned';

/** One stretch of a row's bar, in ms since the epoch. */
export interface WaterfallSegment {
  /**
   * `queue`: waiting for a gate (the call's `queue {gate}` spans); `backoff`: waiting before a retry
   * (`overlap.retry.backoff` events and their delay); `run`: the rest of the call; `abandoned`: a body that
   * ran on after the call ended (its `abandoned {tool}` spans).
   */
  readonly kind: WaterfallSegmentKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Such as the gate's name for `queue`, or `retry in 200 ms` for `backoff`. */
  readonly label?: string;
}

/** What a marker on a row shows. */
export type WaterfallMarkerKind = 'timeout' | 'retry' | 'cancelled' | 'error' | 'circuit';

/** Something that happened at one instant of a row's span. */
export interface WaterfallMarker {
  /**
   * `timeout`: an `overlap.timeout` event; `retry`: an attempt after the first started; `cancelled`: an
   * `overlap.cancelled` event; `error`: a failed attempt, an `exception` event, or the end of a span whose
   * outcome is `error` or `rejected`; `circuit`: a circuit breaker changed state.
   */
  readonly kind: WaterfallMarkerKind;
  /** When, in ms since the epoch. */
  readonly tMs: number;
  /** What to show, such as `attempt 2` or `circuit closed → open`. */
  readonly label: string;
}

/** One row of the waterfall: one span, with its queue and abandoned spans folded in. */
export interface WaterfallRow {
  readonly spanId: string;
  /** The parent's id as the span names it (also for an orphan, whose parent is not in the trace). */
  readonly parentSpanId: string | undefined;
  /** Depth in the trace's forest, 0 for roots. */
  readonly depth: number;
  readonly name: string;
  /** What to call the row: the name, with the tool or model added when the name does not say it (see `spanLabel`). */
  readonly label: string;
  /** The `service.name` of the span's resource. */
  readonly serviceName: string;
  /** Start of the span, ms since the epoch. */
  readonly startMs: number;
  /** End of the span, ms since the epoch; `nowMs` while it is in flight. */
  readonly endMs: number;
  /** End of the bar: `endMs`, or later when an abandoned body ran on past the span's end. */
  readonly barEndMs: number;
  /** `startMs` minus the layout's `startMs`. */
  readonly offsetMs: number;
  /** `endMs - startMs`. */
  readonly durationMs: number;
  /** Total length of the `queue` segments. */
  readonly queueMs: number;
  /** The span has no end yet; its bar ends at `nowMs`. */
  readonly inFlight: boolean;
  /** How the span ended (see `spanOutcome`); `undefined` while in flight. */
  readonly outcome: Outcome | undefined;
  /** Attempts the call started (`overlap.attempt`), 1 when not said. */
  readonly attempts: number;
  /**
   * The bar from `startMs` to `barEndMs`, cut into consecutive, non-overlapping segments in time order.
   * A span without Overlap attributes is one `run` segment.
   */
  readonly segments: readonly WaterfallSegment[];
  /** Instants to mark on the bar, in time order. */
  readonly markers: readonly WaterfallMarker[];
  /** The span has children that get rows of their own (folded queue and abandoned spans do not count). */
  readonly hasChildren: boolean;
  /** The span has children and is in `options.collapsed`, so they are hidden. */
  readonly collapsed: boolean;
}

/** The rows of a waterfall and its time range. */
export interface WaterfallLayout {
  /**
   * Rows in depth-first pre-order: a row is followed by its descendants' rows before its next sibling's;
   * roots and siblings in order of start time, ties by span id (the order of {@link AssembledTrace}).
   */
  readonly rows: readonly WaterfallRow[];
  /** The trace's start, ms since the epoch; `offsetMs` is measured from here. */
  readonly startMs: number;
  /** The latest bar end over all spans (hidden ones included, so collapsing does not rescale). */
  readonly endMs: number;
  /** `endMs - startMs`. */
  readonly durationMs: number;
  /** The `nowMs` that in-flight bars were drawn to. */
  readonly nowMs: number;
}

const FAILED_ATTEMPT_EVENT = OverlapEvents.ATTEMPT_FAILED;
const EXCEPTION_EVENT = 'exception';
const NONE: readonly TraceNode[] = Object.freeze([]);
const NO_MARKERS: readonly WaterfallMarker[] = Object.freeze([]);
const MARKER_EVENTS: ReadonlySet<string> = new Set([
  OverlapEvents.TIMEOUT,
  OverlapEvents.ATTEMPT_START,
  OverlapEvents.CANCELLED,
  FAILED_ATTEMPT_EVENT,
  EXCEPTION_EVENT,
  OverlapEvents.CIRCUIT_STATE_CHANGE,
]);

/**
 * Lays a trace out as waterfall rows, ready to paint: one row per span in depth-first pre-order,
 * children by start time, each row's bar cut into queue / run / backoff / abandoned segments.
 *
 * Overlap's queue spans (`overlap.phase = "queue"`) and abandoned spans (`overlap.phase = "abandoned"`)
 * do not get rows: they are folded into their parent call's row as `queue` and `abandoned` segments.
 * (One that has children of its own, or whose parent is missing, keeps its row.) Back-off waits come from
 * `overlap.retry.backoff` events and their `overlap.retry.delay_ms`. Any other OpenTelemetry trace lays
 * out as plain rows, each bar a single `run` segment.
 *
 * Invariants: each row's segments are contiguous, in time order, and cover `[startMs, barEndMs]`
 * exactly; segments inside the span are clipped to it; `abandoned` segments lie after `endMs`. The trace
 * is not changed.
 *
 * Runs in O(n + e) for n spans and e events (50,000 spans lay out in a few tens of milliseconds).
 *
 * @example
 * ```ts
 * const layout = layoutWaterfall(assembleTrace(spans), { nowMs: Date.now(), collapsed: new Set([callId]) });
 * for (const row of layout.rows) {
 *   const x = (row.offsetMs / layout.durationMs) * width;
 *   for (const segment of row.segments) paint(segment.kind, segment.startMs, segment.endMs);
 * }
 * ```
 */
export function layoutWaterfall(trace: AssembledTrace, options: WaterfallOptions = {}): WaterfallLayout {
  const nowMs = options.nowMs ?? trace.endMs;
  const collapsedIds = options.collapsed;
  const layoutStartMs = trace.startMs;
  // The trace's end covers every span, hidden ones included, so collapsing never rescales the chart.
  let layoutEndMs = traceEndOrNowMs(trace, nowMs);

  const rows: WaterfallRow[] = [];
  const stack: TraceNode[] = [];
  for (let i = trace.rootNodes.length - 1; i >= 0; i -= 1) stack.push(trace.rootNodes[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    // Most spans have no folded children: then the children list is used as it is, without copying.
    let rowChildren = node.children;
    let folded: TraceNode[] | undefined;
    for (const child of node.children) if (isFolded(child)) (folded ??= []).push(child);
    if (folded !== undefined) rowChildren = node.children.filter((child) => !isFolded(child));
    const hasChildren = rowChildren.length > 0;
    const collapsed = hasChildren && collapsedIds !== undefined && collapsedIds.has(node.spanId);
    const row = buildRow(node, folded ?? NONE, nowMs, layoutStartMs, hasChildren, collapsed);
    rows.push(row);
    if (row.barEndMs > layoutEndMs) layoutEndMs = row.barEndMs;
    if (!collapsed) {
      for (let i = rowChildren.length - 1; i >= 0; i -= 1) stack.push(rowChildren[i]!);
    }
  }

  return { rows, startMs: layoutStartMs, endMs: layoutEndMs, durationMs: layoutEndMs - layoutStartMs, nowMs };
}

/** Whether a span is folded into its parent's row: a queue or abandoned span without children of its own. */
function isFolded(node: TraceNode): boolean {
  return node.children.length === 0 && spanPhase(node.span) !== undefined;
}

function buildRow(
  node: TraceNode,
  folded: readonly TraceNode[],
  nowMs: number,
  layoutStartMs: number,
  hasChildren: boolean,
  collapsed: boolean,
): WaterfallRow {
  const span = node.span;
  const startMs = node.startMs;
  const endMs = node.endMs ?? Math.max(startMs, nowMs);

  // Waits inside the span: queue spans and back-offs, clipped to the span.
  let waits: WaterfallSegment[] | undefined;
  let abandonedEndMs = endMs;
  let abandonedLabel: string | undefined;
  for (const child of folded) {
    const childEndMs = child.endMs ?? Math.max(child.startMs, nowMs);
    if (spanPhase(child.span) === Phase.QUEUE) {
      const gate = stringAttribute(child.span.attributes, OverlapAttributes.GATE);
      waits = pushClipped(waits, 'queue', child.startMs, childEndMs, startMs, endMs, gate ?? child.span.name);
    } else if (childEndMs > abandonedEndMs) {
      abandonedEndMs = childEndMs;
      abandonedLabel = abandonedDescription(child.span);
    }
  }
  let markers: WaterfallMarker[] | undefined;
  for (const event of span.events) {
    if (event.name === OverlapEvents.RETRY_BACKOFF) {
      const tMs = nanosToMs(event.timeUnixNano);
      const delayMs = numberAttribute(event.attributes, OverlapAttributes.RETRY_DELAY_MS);
      if (delayMs !== undefined && delayMs > 0) waits = pushClipped(waits, 'backoff', tMs, tMs + delayMs, startMs, endMs, `retry in ${delayMs} ms`);
    } else {
      const marker = markerOf(event);
      if (marker !== undefined) (markers ??= []).push(marker);
    }
  }

  const segments: WaterfallSegment[] = waits === undefined ? [{ kind: 'run', startMs, endMs }] : fillWithRun(waits, startMs, endMs);
  if (abandonedEndMs > endMs) {
    segments.push(abandonedLabel === undefined ? { kind: 'abandoned', startMs: endMs, endMs: abandonedEndMs } : { kind: 'abandoned', startMs: endMs, endMs: abandonedEndMs, label: abandonedLabel });
  }
  let queueMs = 0;
  for (const segment of segments) if (segment.kind === 'queue') queueMs += segment.endMs - segment.startMs;

  const outcome = spanOutcome(span);
  const attempts = Math.max(1, Math.floor(numberAttribute(span.attributes, OverlapAttributes.ATTEMPT) ?? 1));
  if (outcome === 'error' || outcome === 'rejected') {
    (markers ??= []).push({ kind: 'error', tMs: endMs, label: span.status.message ?? stringAttribute(span.attributes, GenAiAttributes.ERROR_TYPE) ?? 'error' });
  }
  if (attempts > 1 && !(markers ?? NO_MARKERS).some((marker) => marker.kind === 'retry')) {
    // Attempt-start events are missing (a foreign or trimmed span): mark each back-off's end instead.
    for (const segment of segments) {
      if (segment.kind === 'backoff') (markers ??= []).push({ kind: 'retry', tMs: segment.endMs, label: 'retry' });
    }
  }
  if (markers !== undefined && markers.length > 1) markers.sort((a, b) => a.tMs - b.tMs);

  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    depth: node.depth,
    name: span.name,
    label: spanLabel(span),
    serviceName: span.resource.serviceName,
    startMs,
    endMs,
    barEndMs: abandonedEndMs,
    offsetMs: startMs - layoutStartMs,
    durationMs: endMs - startMs,
    queueMs,
    inFlight: node.endMs === undefined,
    outcome,
    attempts,
    segments,
    markers: markers ?? NO_MARKERS,
    hasChildren,
    collapsed,
  };
}

/** Appends the part of `[fromMs, toMs]` inside `[minMs, maxMs]`, if any, creating the list on first use. */
function pushClipped(
  into: WaterfallSegment[] | undefined,
  kind: WaterfallSegmentKind,
  fromMs: number,
  toMs: number,
  minMs: number,
  maxMs: number,
  label: string,
): WaterfallSegment[] | undefined {
  const startMs = Math.max(fromMs, minMs);
  const endMs = Math.min(toMs, maxMs);
  if (endMs <= startMs) return into;
  const list = into ?? [];
  list.push({ kind, startMs, endMs, label });
  return list;
}

/**
 * Cuts `[startMs, endMs]` into the given waits and `run` for the time between them. Where waits overlap,
 * the one that started first keeps the overlap.
 */
function fillWithRun(waits: WaterfallSegment[], startMs: number, endMs: number): WaterfallSegment[] {
  if (waits.length === 0) return [{ kind: 'run', startMs, endMs }];
  waits.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const segments: WaterfallSegment[] = [];
  let cursor = startMs;
  for (const wait of waits) {
    if (wait.endMs <= cursor) continue;
    if (wait.startMs > cursor) segments.push({ kind: 'run', startMs: cursor, endMs: wait.startMs });
    const from = Math.max(cursor, wait.startMs);
    segments.push(from === wait.startMs ? wait : { ...wait, startMs: from });
    cursor = wait.endMs;
  }
  if (cursor < endMs) segments.push({ kind: 'run', startMs: cursor, endMs });
  return segments;
}

function abandonedDescription(span: SpanRecord): string {
  const settled = booleanAttribute(span.attributes, OverlapAttributes.BODY_SETTLED);
  if (settled === undefined) return span.endTimeUnixNano === undefined ? 'body still running' : 'body ran on past the timeout';
  if (!settled) return 'permit reclaimed while the body still ran';
  const bodyOutcome = stringAttribute(span.attributes, OverlapAttributes.BODY_OUTCOME);
  return bodyOutcome === undefined ? 'body settled' : `body settled: ${bodyOutcome}`;
}

function markerOf(event: SpanEventRecord): WaterfallMarker | undefined {
  const attributes = event.attributes;
  // Most events are not markers: read the time only for those that are.
  const tMs = MARKER_EVENTS.has(event.name) ? nanosToMs(event.timeUnixNano) : 0;
  switch (event.name) {
    case OverlapEvents.TIMEOUT: {
      const timeoutMs = numberAttribute(attributes, OverlapAttributes.TIMEOUT_MS);
      const attempt = numberAttribute(attributes, OverlapAttributes.ATTEMPT);
      const after = timeoutMs === undefined ? 'timed out' : `timed out after ${timeoutMs} ms`;
      return { kind: 'timeout', tMs, label: attempt === undefined ? after : `${after} (attempt ${attempt})` };
    }
    case OverlapEvents.ATTEMPT_START: {
      const attempt = numberAttribute(attributes, OverlapAttributes.ATTEMPT);
      return attempt !== undefined && attempt > 1 ? { kind: 'retry', tMs, label: `attempt ${attempt}` } : undefined;
    }
    case OverlapEvents.CANCELLED:
      return { kind: 'cancelled', tMs, label: stringAttribute(attributes, OverlapAttributes.ERROR_MESSAGE) ?? 'cancelled' };
    case FAILED_ATTEMPT_EVENT: {
      const attempt = numberAttribute(attributes, OverlapAttributes.ATTEMPT);
      const type = stringAttribute(attributes, GenAiAttributes.ERROR_TYPE);
      const what = attempt === undefined ? 'attempt failed' : `attempt ${attempt} failed`;
      return { kind: 'error', tMs, label: type === undefined ? what : `${what}: ${type}` };
    }
    case EXCEPTION_EVENT: {
      const type = stringAttribute(attributes, 'exception.type');
      const message = stringAttribute(attributes, 'exception.message');
      return { kind: 'error', tMs, label: [type, message].filter((part) => part !== undefined).join(': ') || 'exception' };
    }
    case OverlapEvents.CIRCUIT_STATE_CHANGE: {
      const from = stringAttribute(attributes, OverlapAttributes.CIRCUIT_PREVIOUS_STATE) ?? '?';
      const to = stringAttribute(attributes, OverlapAttributes.CIRCUIT_STATE) ?? '?';
      return { kind: 'circuit', tMs, label: `circuit ${from} → ${to}` };
    }
    default:
      return undefined;
  }
}
