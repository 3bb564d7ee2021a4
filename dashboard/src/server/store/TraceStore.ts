import { EventChannel, GenAiAttributes, compareNanos, compareSpanVersions, msToNanos, nanosToMs, spanOutcome, spanPhase, validateOption } from '@overlap/shared';
import type { Disposer, SpanRecord, TraceStoreStats } from '@overlap/shared';

/** Default of {@link TraceStoreOptions.maxSpans}. */
export const DEFAULT_MAX_SPANS = 200_000;
/** Default of {@link TraceStoreOptions.maxTraces}. */
export const DEFAULT_MAX_TRACES = 2_000;
/** Default of {@link TraceStoreOptions.maxSpansPerTrace}. */
export const DEFAULT_MAX_SPANS_PER_TRACE = 100_000;

/** Options of {@link TraceStore}. */
export interface TraceStoreOptions {
  /**
   * Most spans kept, over all traces. Past it the least recently active whole traces are evicted; a
   * single trace larger than this keeps its first `maxSpans` spans and the rest are dropped (counted).
   * @defaultValue 200000
   */
  maxSpans?: number;
  /**
   * Most traces kept. Past it the least recently active whole traces are evicted.
   * @defaultValue 2000
   */
  maxTraces?: number;
  /**
   * Most spans kept in one trace. Past it the trace's new spans are dropped, counted in the trace's
   * {@link TraceInfo.droppedSpans} and the store's `droppedSpans`, so one runaway trace (a loop that
   * never ends, a million-span batch job) cannot push every other trace out of the store. New versions
   * of spans the trace already holds are still taken.
   * @defaultValue 100000
   */
  maxSpansPerTrace?: number;
  /**
   * Called when a change listener throws; the store goes on.
   * @defaultValue logs with `console.error`
   */
  onError?: (error: unknown) => void;
}

/** Filters of {@link TraceStore.findTraces}; every filter given must match. */
export interface TraceFilter {
  /** A span of the trace has this resource `service.name`. */
  service?: string;
  /** A span of the trace has this `gen_ai.agent.name`. */
  agent?: string;
  /** A span of the trace has this `gen_ai.tool.name`. */
  tool?: string;
  /**
   * An ended span of the trace, other than a queue or abandoned phase span, has this outcome (see
   * `spanOutcome`: its `overlap.outcome`, else `error` for an error status and `ok` otherwise).
   */
  outcome?: string;
  /** The trace started at or after this time, in milliseconds since the epoch. */
  sinceMs?: number;
  /** The trace started at or before this time, in milliseconds since the epoch. */
  untilMs?: number;
  /** The trace's duration (see {@link TraceInfo.durationMs}) is at least this. */
  minDurationMs?: number;
  /** The trace's duration is at most this. */
  maxDurationMs?: number;
}

/** Position of a trace in the store's newest-first order, used to continue a listing after it. */
export interface TraceKey {
  startTimeUnixNano: string;
  traceId: string;
}

/** One page of {@link TraceStore.findTraces}. */
export interface TraceIdPage {
  /** Matching traces, newest start first. */
  traceIds: string[];
  /** Key of the last trace listed, when more match after it. */
  next?: TraceKey;
}

/** What the store knows of one trace without reading its spans. */
export interface TraceInfo {
  traceId: string;
  /** Earliest span start. */
  startTimeUnixNano: string;
  /** Latest end of an ended span; absent while no span has ended. */
  endTimeUnixNano?: string;
  /** From the earliest start to the latest end, or to the latest start while no span has ended. */
  durationMs: number;
  spanCount: number;
  /** Spans announced as started that have not ended yet. */
  inFlightCount: number;
  /** Spans of this trace refused because it held `maxSpansPerTrace` (or alone filled `maxSpans`). */
  droppedSpans: number;
  services: string[];
  agents: string[];
  tools: string[];
  outcomes: string[];
  /** Increases at every change of the trace; equal versions mean equal contents. */
  version: number;
}

/** Spans of one trace added or replaced by one {@link TraceStore.add}. */
export interface TraceChange {
  traceId: string;
  /** Spans new to the trace. */
  added: SpanRecord[];
  /** Spans that replaced a stored span with the same id (an in-flight span ended, or a corrected copy). */
  updated: SpanRecord[];
}

/** What a change listener receives after each {@link TraceStore.add} that changed something. */
export interface TraceStoreChange {
  /** Traces that gained or changed spans (never an evicted one). */
  traces: TraceChange[];
  /** Ids of traces evicted to make room. */
  evicted: string[];
}

/** What one {@link TraceStore.add} did with the spans it was given. */
export interface TraceStoreAddResult {
  /** Spans new to the store. */
  added: number;
  /** Spans that replaced a stored copy. */
  updated: number;
  /** Spans identical to a stored copy, or an in-flight copy of a span that has already ended. */
  unchanged: number;
  /** Spans refused: their trace held `maxSpansPerTrace`, or alone filled `maxSpans`. */
  dropped: number;
  /** Of {@link TraceStoreAddResult.dropped}, those refused because their trace held `maxSpansPerTrace`. */
  droppedAtTraceLimit: number;
  /** Traces evicted to make room. */
  evictedTraces: number;
}

type Facet = 'service' | 'agent' | 'tool' | 'outcome';
const FACETS: readonly Facet[] = ['service', 'agent', 'tool', 'outcome'];

interface TraceEntry {
  traceId: string;
  /** Spans by span id (see `slotOf` for two different spans sharing an id). */
  spans: Map<string, SpanRecord>;
  minStart: string;
  maxStart: string;
  maxEnd: string | undefined;
  inFlight: number;
  /** Spans refused for this trace (see {@link TraceInfo.droppedSpans}). */
  dropped: number;
  /** Counts of `facet\0value` over the trace's spans, so a replaced span's values can be taken back. */
  facetCounts: Map<string, number>;
  /** The start the entry is filed under in `byStart`, or undefined before it is filed. */
  indexedStart: string | undefined;
  version: number;
}

/**
 * The dashboard's in-memory trace store. It merges spans of a trace however they arrive (split over
 * requests, late, out of order), keeps one version of each span by `compareSpanVersions` (an in-flight span, no end, is replaced by its
 * ended version; a version of a span has the same span id, parent and start time; two different spans
 * sharing an id are both kept, for `assembleTrace` to rename), indexes
 * traces by service, agent (`gen_ai.agent.name`), tool (`gen_ai.tool.name`), outcome (`spanOutcome`)
 * and start time, and stays within `maxSpans` and `maxTraces` by evicting the least
 * recently active whole traces. Each {@link TraceStore.add} that changes something is reported to the
 * {@link TraceStore.onChange} listeners, synchronously.
 *
 * Spans are stored as given and must be treated as read-only.
 *
 * @example
 * ```ts
 * const store = new TraceStore({ maxSpans: 50_000 });
 * const dispose = store.onChange(({ traces }) => console.log(traces.map((t) => t.traceId)));
 * store.add(otlpToSpans(request).spans);
 * store.findTraces({ tool: 'search' }, 20).traceIds;
 * dispose();
 * ```
 */
export class TraceStore {
  /** Traces by id, least recently active first (an active trace is moved to the end). */
  private readonly traces = new Map<string, TraceEntry>();
  /** Filed traces ordered by (start, id), oldest first. */
  private readonly byStart: TraceEntry[] = [];
  private readonly facetIndex = new Map<Facet, Map<string, Set<string>>>(FACETS.map((facet) => [facet, new Map()]));
  private readonly changes: EventChannel<TraceStoreChange>;
  private spanCount = 0;
  private inFlightCount = 0;
  private evictedTraceCount = 0;
  private evictedSpanCount = 0;
  private droppedSpanCount = 0;
  private versionCounter = 0;
  private evictedNow: string[] = [];

  /** Most spans kept. */
  readonly maxSpans: number;
  /** Most traces kept. */
  readonly maxTraces: number;
  /** Most spans kept in one trace. */
  readonly maxSpansPerTrace: number;

  constructor(options: TraceStoreOptions = {}) {
    this.maxSpans = validateOption.integer('TraceStore.maxSpans', options.maxSpans ?? DEFAULT_MAX_SPANS, 1);
    this.maxTraces = validateOption.integer('TraceStore.maxTraces', options.maxTraces ?? DEFAULT_MAX_TRACES, 1);
    this.maxSpansPerTrace = validateOption.integer('TraceStore.maxSpansPerTrace', options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE, 1);
    const onError =
      options.onError === undefined
        ? (error: unknown) => console.error('TraceStore: a change listener threw', error)
        : validateOption.func<(error: unknown) => void>('TraceStore.onError', options.onError);
    this.changes = new EventChannel({ onError });
  }

  /** Number of traces stored. */
  get traceCount(): number {
    return this.traces.size;
  }

  /** Counters of the store: sizes, limits, evictions. */
  stats(): TraceStoreStats {
    return {
      traces: this.traces.size,
      spans: this.spanCount,
      inFlightSpans: this.inFlightCount,
      maxTraces: this.maxTraces,
      maxSpans: this.maxSpans,
      maxSpansPerTrace: this.maxSpansPerTrace,
      evictedTraces: this.evictedTraceCount,
      evictedSpans: this.evictedSpanCount,
      droppedSpans: this.droppedSpanCount,
    };
  }

  /**
   * Adds spans, merging them into their traces. A new version of a stored span (same span id, parent
   * and start) replaces the stored one only when it wins by `compareSpanVersions`, the rule the trace
   * assembly and the page follow too (ended beats in flight, then the fuller version), so the store
   * holds the same version whatever order the versions arrive in. Makes room by evicting the least
   * recently active other traces.
   */
  add(spans: readonly SpanRecord[]): TraceStoreAddResult {
    const result: TraceStoreAddResult = { added: 0, updated: 0, unchanged: 0, dropped: 0, droppedAtTraceLimit: 0, evictedTraces: 0 };
    this.evictedNow = [];
    const changes = new Map<string, TraceChange>();
    for (const [traceId, group] of groupByTrace(spans)) {
      const change: TraceChange = { traceId, added: [], updated: [] };
      let entry = this.traces.get(traceId);
      if (entry === undefined) {
        while (this.traces.size >= this.maxTraces && this.evictOldest(undefined));
        entry = newEntry(traceId);
        this.traces.set(traceId, entry);
      } else {
        this.traces.delete(traceId);
        this.traces.set(traceId, entry);
      }
      let rescan = false;
      const droppedBefore = entry.dropped;
      for (const span of group) {
        const slot = slotOf(entry, span);
        const existing = entry.spans.get(slot);
        if (existing !== undefined) {
          if (compareSpanVersions(span, existing) <= 0) {
            result.unchanged++;
            continue;
          }
          this.removeSpanFacets(entry, existing);
          if (existing.endTimeUnixNano === undefined) this.adjustInFlight(entry, -1);
          entry.spans.set(slot, span);
          this.addSpanFacets(entry, span);
          if (span.endTimeUnixNano === undefined) this.adjustInFlight(entry, 1);
          rescan = true;
          change.updated.push(span);
          result.updated++;
          continue;
        }
        if (entry.spans.size >= this.maxSpansPerTrace) {
          result.dropped++;
          result.droppedAtTraceLimit++;
          this.droppedSpanCount++;
          entry.dropped++;
          continue;
        }
        while (this.spanCount >= this.maxSpans && this.evictOldest(entry));
        if (this.spanCount >= this.maxSpans) {
          result.dropped++;
          this.droppedSpanCount++;
          entry.dropped++;
          continue;
        }
        entry.spans.set(slot, span);
        this.spanCount++;
        this.addSpanFacets(entry, span);
        if (span.endTimeUnixNano === undefined) this.adjustInFlight(entry, 1);
        extendTimes(entry, span);
        change.added.push(span);
        result.added++;
      }
      if (entry.spans.size === 0) {
        // Every span of a new trace was dropped: keep no empty trace.
        this.traces.delete(traceId);
        continue;
      }
      // A drop changes what the trace reports (its droppedSpans), so it counts as a change too.
      if (change.added.length === 0 && change.updated.length === 0 && entry.dropped === droppedBefore) continue;
      if (rescan) rescanTimes(entry);
      this.fileByStart(entry);
      entry.version = ++this.versionCounter;
      changes.set(traceId, change);
    }
    const evicted = this.evictedNow;
    this.evictedNow = [];
    result.evictedTraces = evicted.length;
    const traces = [...changes.values()].filter((change) => this.traces.has(change.traceId));
    if (traces.length > 0 || evicted.length > 0) this.emit({ traces, evicted });
    return result;
  }

  /** Whether the store holds the trace. */
  has(traceId: string): boolean {
    return this.traces.has(traceId);
  }

  /** The trace's spans in arrival order (a new array), or `undefined` when the trace is not stored. */
  getSpans(traceId: string): SpanRecord[] | undefined {
    const entry = this.traces.get(traceId);
    return entry === undefined ? undefined : [...entry.spans.values()];
  }

  /** What the store knows of the trace, or `undefined` when it is not stored. */
  getInfo(traceId: string): TraceInfo | undefined {
    const entry = this.traces.get(traceId);
    return entry === undefined ? undefined : infoOf(entry);
  }

  /**
   * Lists the ids of traces matching `filter`, newest start first (ties by trace id), at most `limit`
   * of them, continuing strictly after `after` when given (a {@link TraceIdPage.next} of a former call).
   */
  findTraces(filter: TraceFilter, limit: number, after?: TraceKey): TraceIdPage {
    const candidates = this.facetCandidates(filter);
    const lowStart = filter.sinceMs === undefined ? undefined : msToNanos(Math.max(0, filter.sinceMs));
    const highStart = filter.untilMs === undefined ? undefined : msToNanos(Math.max(0, filter.untilMs));
    let index = this.byStart.length - 1;
    if (highStart !== undefined) index = Math.min(index, this.lastIndexAtOrBefore({ startTimeUnixNano: highStart, traceId: '\uffff' }));
    if (after !== undefined) index = Math.min(index, this.lastIndexAtOrBefore(after, true));
    const traceIds: string[] = [];
    let last: TraceEntry | undefined;
    for (; index >= 0; index--) {
      const entry = this.byStart[index] as TraceEntry;
      if (lowStart !== undefined && compareNanos(entry.minStart, lowStart) < 0) break;
      if (candidates !== undefined && !candidates.has(entry.traceId)) continue;
      if (!matchesDuration(entry, filter)) continue;
      if (traceIds.length === limit) {
        return { traceIds, next: { startTimeUnixNano: (last as TraceEntry).minStart, traceId: (last as TraceEntry).traceId } };
      }
      traceIds.push(entry.traceId);
      last = entry;
    }
    return { traceIds };
  }

  /** All stored trace ids, least recently active first. */
  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  /**
   * Calls `listener` after every {@link TraceStore.add} that changed something.
   *
   * @returns a function that removes the listener.
   */
  onChange(listener: (change: TraceStoreChange) => void): Disposer {
    return this.changes.on(listener);
  }

  private emit(change: TraceStoreChange): void {
    this.changes.emit(change);
  }

  /** Evicts the least recently active trace other than `keep`; false when there is none. */
  private evictOldest(keep: TraceEntry | undefined): boolean {
    for (const entry of this.traces.values()) {
      if (entry === keep) continue;
      this.evict(entry);
      return true;
    }
    return false;
  }

  private evict(entry: TraceEntry): void {
    this.traces.delete(entry.traceId);
    this.unfile(entry);
    for (const key of entry.facetCounts.keys()) this.unindexFacet(key, entry.traceId);
    this.spanCount -= entry.spans.size;
    this.inFlightCount -= entry.inFlight;
    this.evictedTraceCount++;
    this.evictedSpanCount += entry.spans.size;
    this.evictedNow.push(entry.traceId);
  }

  private adjustInFlight(entry: TraceEntry, delta: number): void {
    entry.inFlight += delta;
    this.inFlightCount += delta;
  }

  private addSpanFacets(entry: TraceEntry, span: SpanRecord): void {
    for (const key of facetKeys(span)) {
      const count = entry.facetCounts.get(key) ?? 0;
      entry.facetCounts.set(key, count + 1);
      if (count === 0) this.indexFacet(key, entry.traceId);
    }
  }

  private removeSpanFacets(entry: TraceEntry, span: SpanRecord): void {
    for (const key of facetKeys(span)) {
      const count = entry.facetCounts.get(key) ?? 0;
      if (count <= 1) {
        entry.facetCounts.delete(key);
        this.unindexFacet(key, entry.traceId);
      } else {
        entry.facetCounts.set(key, count - 1);
      }
    }
  }

  private indexFacet(key: string, traceId: string): void {
    const [facet, value] = splitFacetKey(key);
    const byValue = this.facetIndex.get(facet) as Map<string, Set<string>>;
    let ids = byValue.get(value);
    if (ids === undefined) {
      ids = new Set();
      byValue.set(value, ids);
    }
    ids.add(traceId);
  }

  private unindexFacet(key: string, traceId: string): void {
    const [facet, value] = splitFacetKey(key);
    const byValue = this.facetIndex.get(facet) as Map<string, Set<string>>;
    const ids = byValue.get(value);
    if (ids === undefined) return;
    ids.delete(traceId);
    if (ids.size === 0) byValue.delete(value);
  }

  /** The traces matching every facet filter given, or undefined when no facet is filtered. */
  private facetCandidates(filter: TraceFilter): Set<string> | undefined {
    let result: Set<string> | undefined;
    for (const facet of FACETS) {
      const value = filter[facet];
      if (value === undefined) continue;
      const ids = this.facetIndex.get(facet)?.get(value) ?? new Set<string>();
      result = result === undefined ? ids : new Set([...result].filter((id) => ids.has(id)));
    }
    return result;
  }

  /** Files the entry in `byStart` under its current start, moving it if its start changed. */
  private fileByStart(entry: TraceEntry): void {
    if (entry.indexedStart === entry.minStart) return;
    this.unfile(entry);
    const key = { startTimeUnixNano: entry.minStart, traceId: entry.traceId };
    this.byStart.splice(this.lastIndexAtOrBefore(key, true) + 1, 0, entry);
    entry.indexedStart = entry.minStart;
  }

  private unfile(entry: TraceEntry): void {
    if (entry.indexedStart === undefined) return;
    const index = this.lastIndexAtOrBefore({ startTimeUnixNano: entry.indexedStart, traceId: entry.traceId });
    if (this.byStart[index] === entry) this.byStart.splice(index, 1);
    entry.indexedStart = undefined;
  }

  /** Index of the last filed entry whose key is <= `key` (< when `strict`), or -1. */
  private lastIndexAtOrBefore(key: TraceKey, strict = false): number {
    let low = 0;
    let high = this.byStart.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = this.byStart[middle] as TraceEntry;
      const order = compareKeys({ startTimeUnixNano: entry.indexedStart as string, traceId: entry.traceId }, key);
      if (order < 0 || (!strict && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}

function newEntry(traceId: string): TraceEntry {
  return {
    traceId,
    spans: new Map(),
    minStart: '',
    maxStart: '',
    maxEnd: undefined,
    inFlight: 0,
    dropped: 0,
    facetCounts: new Map(),
    indexedStart: undefined,
    version: 0,
  };
}

/**
 * Where a span is kept in its trace's map: under its span id, unless a *different* span (another parent
 * or start time) already holds that id; then under a key of its own, so both are kept and
 * `assembleTrace` can tell them apart.
 */
function slotOf(entry: TraceEntry, span: SpanRecord): string {
  const primary = entry.spans.get(span.spanId);
  if (primary === undefined || (primary.parentSpanId === span.parentSpanId && primary.startTimeUnixNano === span.startTimeUnixNano)) {
    return span.spanId;
  }
  return `${span.spanId}\u0000${span.parentSpanId ?? ''}\u0000${span.startTimeUnixNano}`;
}

function extendTimes(entry: TraceEntry, span: SpanRecord): void {
  if (entry.minStart === '' || compareNanos(span.startTimeUnixNano, entry.minStart) < 0) entry.minStart = span.startTimeUnixNano;
  if (entry.maxStart === '' || compareNanos(span.startTimeUnixNano, entry.maxStart) > 0) entry.maxStart = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (end !== undefined && (entry.maxEnd === undefined || compareNanos(end, entry.maxEnd) > 0)) entry.maxEnd = end;
}

function rescanTimes(entry: TraceEntry): void {
  entry.minStart = '';
  entry.maxStart = '';
  entry.maxEnd = undefined;
  for (const span of entry.spans.values()) extendTimes(entry, span);
}

function durationMsOf(entry: TraceEntry): number {
  const end = entry.maxEnd !== undefined && compareNanos(entry.maxEnd, entry.maxStart) > 0 ? entry.maxEnd : entry.maxStart;
  return Math.max(0, nanosToMs(end) - nanosToMs(entry.minStart));
}

function matchesDuration(entry: TraceEntry, filter: TraceFilter): boolean {
  if (filter.minDurationMs === undefined && filter.maxDurationMs === undefined) return true;
  const durationMs = durationMsOf(entry);
  if (filter.minDurationMs !== undefined && durationMs < filter.minDurationMs) return false;
  if (filter.maxDurationMs !== undefined && durationMs > filter.maxDurationMs) return false;
  return true;
}

function infoOf(entry: TraceEntry): TraceInfo {
  const values: Record<Facet, string[]> = { service: [], agent: [], tool: [], outcome: [] };
  for (const key of entry.facetCounts.keys()) {
    const [facet, value] = splitFacetKey(key);
    values[facet].push(value);
  }
  const info: TraceInfo = {
    traceId: entry.traceId,
    startTimeUnixNano: entry.minStart,
    durationMs: durationMsOf(entry),
    spanCount: entry.spans.size,
    inFlightCount: entry.inFlight,
    droppedSpans: entry.dropped,
    services: values.service.sort(),
    agents: values.agent.sort(),
    tools: values.tool.sort(),
    outcomes: values.outcome.sort(),
    version: entry.version,
  };
  if (entry.maxEnd !== undefined) info.endTimeUnixNano = entry.maxEnd;
  return info;
}

function facetKeys(span: SpanRecord): string[] {
  const keys = [`service\u0000${span.resource.serviceName}`];
  const agent = span.attributes[GenAiAttributes.AGENT_NAME];
  if (typeof agent === 'string') keys.push(`agent\u0000${agent}`);
  const tool = span.attributes[GenAiAttributes.TOOL_NAME];
  if (typeof tool === 'string') keys.push(`tool\u0000${tool}`);
  // As the trace summary counts them: ended spans other than queue and abandoned phases.
  const outcome = spanPhase(span) === undefined ? spanOutcome(span) : undefined;
  if (outcome !== undefined) keys.push(`outcome\u0000${outcome}`);
  return keys;
}

function splitFacetKey(key: string): [Facet, string] {
  const separator = key.indexOf('\u0000');
  return [key.slice(0, separator) as Facet, key.slice(separator + 1)];
}

function compareKeys(a: TraceKey, b: TraceKey): number {
  const order = compareNanos(a.startTimeUnixNano, b.startTimeUnixNano);
  if (order !== 0) return order;
  return a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}

function groupByTrace(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const groups = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const group = groups.get(span.traceId);
    if (group === undefined) groups.set(span.traceId, [span]);
    else group.push(span);
  }
  return groups;
}
