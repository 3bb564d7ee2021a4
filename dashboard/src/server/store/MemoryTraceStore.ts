import { EventChannel, callFiguresOfSpans, compareNanos, compareSpanVersions, msToNanos, spanVersionKey } from '@overlap/shared';
import type { CallFigures, Disposer, SpanRecord, TraceStoreStats } from '@overlap/shared';
import { FACETS, spanFacets } from './spanFacets.js';
import type { Facet } from './spanFacets.js';
import { groupByTrace } from './groupByTrace.js';
import { spanSlot } from './spanSlot.js';
import { traceDurationMs } from './traceDurationMs.js';
import type {
  CachedSummary,
  TraceChange,
  TraceFilter,
  TraceIdPage,
  TraceInfo,
  TraceKey,
  TraceStore,
  TraceStoreAddResult,
  TraceStoreChange,
  TraceStoreLimits,
} from './TraceStore.js';
import { DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES, boundOrNull, resolveTraceStoreLimits } from './traceStoreLimits.js';

/** Options of {@link MemoryTraceStore}. */
export type MemoryTraceStoreOptions = TraceStoreLimits;

interface TraceEntry {
  traceId: string;
  /** Spans by slot (see `spanSlot`), in arrival order. */
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
  /** When the trace last changed, by the store's clock. */
  lastActiveMs: number;
  summary: CachedSummary | undefined;
}

/**
 * The in-memory {@link TraceStore}: the dashboard's default, and the demo's. Traces by id in order of
 * activity (so eviction takes the least recently active first), a sorted index by start time, and an
 * index per facet; nothing survives a restart. See {@link TraceStore} for the contract it shares with
 * `SqliteTraceStore`.
 *
 * @example
 * ```ts
 * const store = new MemoryTraceStore({ maxSpans: 50_000 });
 * store.add(otlpToSpans(request).spans);
 * store.findTraces({ tool: 'search' }, 20).traceIds;
 * ```
 */
export class MemoryTraceStore implements TraceStore {
  /** Traces by id, least recently active first (an active trace is moved to the end). */
  private readonly traces = new Map<string, TraceEntry>();
  /** Filed traces ordered by (start, id), oldest first. */
  private readonly byStart: TraceEntry[] = [];
  private readonly facetIndex = new Map<Facet, Map<string, Set<string>>>(FACETS.map((facet) => [facet, new Map()]));
  private readonly changes: EventChannel<TraceStoreChange>;
  private readonly now: () => number;
  private spanCount = 0;
  private inFlightCount = 0;
  private evictedTraceCount = 0;
  private evictedSpanCount = 0;
  private droppedSpanCount = 0;
  private versionCounter = 0;
  private evictedNow: string[] = [];

  readonly location = 'memory';
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxAgeMs: number;
  readonly maxSpansPerTrace: number;

  constructor(options: MemoryTraceStoreOptions = {}) {
    const limits = resolveTraceStoreLimits('MemoryTraceStore', options, { maxSpans: DEFAULT_MAX_SPANS, maxTraces: DEFAULT_MAX_TRACES });
    this.maxSpans = limits.maxSpans;
    this.maxTraces = limits.maxTraces;
    this.maxAgeMs = limits.maxAgeMs;
    this.maxSpansPerTrace = limits.maxSpansPerTrace;
    this.now = limits.now;
    this.changes = new EventChannel({ onError: limits.onError });
  }

  get traceCount(): number {
    return this.traces.size;
  }

  stats(): TraceStoreStats {
    return {
      traces: this.traces.size,
      spans: this.spanCount,
      inFlightSpans: this.inFlightCount,
      storage: 'memory',
      maxTraces: boundOrNull(this.maxTraces),
      maxSpans: boundOrNull(this.maxSpans),
      maxAgeMs: boundOrNull(this.maxAgeMs),
      maxSpansPerTrace: boundOrNull(this.maxSpansPerTrace),
      evictedTraces: this.evictedTraceCount,
      evictedSpans: this.evictedSpanCount,
      droppedSpans: this.droppedSpanCount,
    };
  }

  add(spans: readonly SpanRecord[]): TraceStoreAddResult {
    const result: TraceStoreAddResult = { added: 0, updated: 0, unchanged: 0, dropped: 0, droppedAtTraceLimit: 0, evictedTraces: 0 };
    const nowMs = this.now();
    this.evictedNow = [];
    this.evictOlderThan(nowMs);
    const changes = new Map<string, TraceChange>();
    for (const [traceId, group] of groupByTrace(spans)) {
      const change: TraceChange = { traceId, added: [], updated: [] };
      let entry = this.traces.get(traceId);
      if (entry === undefined) {
        while (this.traces.size >= this.maxTraces && this.evictOldest(undefined));
        entry = newEntry(traceId, nowMs);
        this.traces.set(traceId, entry);
      } else {
        this.traces.delete(traceId);
        this.traces.set(traceId, entry);
        entry.lastActiveMs = nowMs;
      }
      let rescan = false;
      const droppedBefore = entry.dropped;
      for (const span of group) {
        const held = entry.spans.get(span.spanId);
        const slot = spanSlot(held === undefined ? undefined : spanVersionKey(held), span);
        const existing = slot === span.spanId ? held : entry.spans.get(slot);
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
    if (traces.length > 0 || evicted.length > 0) this.changes.emit({ traces, evicted });
    return result;
  }

  has(traceId: string): boolean {
    return this.traces.has(traceId);
  }

  getSpans(traceId: string): SpanRecord[] | undefined {
    const entry = this.traces.get(traceId);
    return entry === undefined ? undefined : [...entry.spans.values()];
  }

  getInfo(traceId: string): TraceInfo | undefined {
    const entry = this.traces.get(traceId);
    return entry === undefined ? undefined : infoOf(entry);
  }

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

  findCalls(filter: TraceFilter): CallFigures[] {
    const calls: CallFigures[] = [];
    for (const traceId of this.findTraces(filter, Number.POSITIVE_INFINITY).traceIds) {
      for (const call of callFiguresOfSpans((this.traces.get(traceId) as TraceEntry).spans.values())) calls.push(call);
    }
    return calls;
  }

  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  cachedSummary(traceId: string): CachedSummary | undefined {
    return this.traces.get(traceId)?.summary;
  }

  keepSummary(traceId: string, cached: CachedSummary): void {
    const entry = this.traces.get(traceId);
    if (entry !== undefined) entry.summary = cached;
  }

  evictExpired(): number {
    this.evictedNow = [];
    this.evictOlderThan(this.now());
    const evicted = this.evictedNow;
    this.evictedNow = [];
    if (evicted.length > 0) this.changes.emit({ traces: [], evicted });
    return evicted.length;
  }

  onChange(listener: (change: TraceStoreChange) => void): Disposer {
    return this.changes.on(listener);
  }

  close(): void {
    // Nothing is held open: the traces go with the object.
  }

  /** Evicts, least recently active first, the traces that last changed before `nowMs - maxAgeMs`. */
  private evictOlderThan(nowMs: number): void {
    if (this.maxAgeMs === Number.POSITIVE_INFINITY) return;
    const oldestKeptMs = nowMs - this.maxAgeMs;
    for (const entry of this.traces.values()) {
      if (entry.lastActiveMs >= oldestKeptMs) break;
      this.evict(entry);
    }
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

function newEntry(traceId: string, nowMs: number): TraceEntry {
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
    lastActiveMs: nowMs,
    summary: undefined,
  };
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

function matchesDuration(entry: TraceEntry, filter: TraceFilter): boolean {
  if (filter.minDurationMs === undefined && filter.maxDurationMs === undefined) return true;
  const durationMs = traceDurationMs(entry.minStart, entry.maxStart, entry.maxEnd);
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
    durationMs: traceDurationMs(entry.minStart, entry.maxStart, entry.maxEnd),
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

/** `facet\0value` keys by facet and value, so the keys of a span are looked up, not built, for every span. */
const FACET_KEYS = new Map<Facet, Map<string, string>>(FACETS.map((facet) => [facet, new Map()]));
/** The facet and value of each key in FACET_KEYS (read-only pairs), so indexing a trace splits no string. */
const FACET_PARTS = new Map<string, [Facet, string]>();
/** Values remembered per facet at most; past it the facet's table starts again. */
const MAX_FACET_KEYS = 10_000;

function facetKeys(span: SpanRecord): string[] {
  const facets = spanFacets(span);
  const keys = new Array<string>(facets.length);
  for (let i = 0; i < facets.length; i++) {
    const { facet, value } = facets[i]!;
    let byValue = FACET_KEYS.get(facet)!;
    let key = byValue.get(value);
    if (key === undefined) {
      if (byValue.size >= MAX_FACET_KEYS) {
        byValue = new Map();
        FACET_KEYS.set(facet, byValue);
      }
      key = `${facet}\u0000${value}`;
      byValue.set(value, key);
      if (FACET_PARTS.size >= MAX_FACET_KEYS * FACETS.length) FACET_PARTS.clear();
      FACET_PARTS.set(key, [facet, value]);
    }
    keys[i] = key;
  }
  return keys;
}

function splitFacetKey(key: string): [Facet, string] {
  const parts = FACET_PARTS.get(key);
  if (parts !== undefined) return parts;
  const separator = key.indexOf('\u0000');
  return [key.slice(0, separator) as Facet, key.slice(separator + 1)];
}

function compareKeys(a: TraceKey, b: TraceKey): number {
  const order = compareNanos(a.startTimeUnixNano, b.startTimeUnixNano);
  if (order !== 0) return order;
  return a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}
