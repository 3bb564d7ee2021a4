import type { CallFigures, Disposer, SpanRecord, TraceStoreStats, TraceSummary } from '@overlap/shared';

/** Filters of {@link TraceStore.findTraces}; every filter given must match. */
export interface TraceFilter {
  /** A span of the trace has this resource `service.name`. */
  service?: string;
  /** A span of the trace has this `gen_ai.agent.name`. */
  agent?: string;
  /** A span of the trace calls this tool (`gen_ai.tool.name`, or the AI SDK's `ai.toolCall.name`: see `spanCall`). */
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
  /** Increases at every change of the trace; equal versions mean equal contents (also across restarts of a file-backed store). */
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

/** What a change listener receives after each {@link TraceStore.add} (or eviction) that changed something. */
export interface TraceStoreChange {
  /** Traces that gained or changed spans (never an evicted one). */
  traces: TraceChange[];
  /** Ids of traces evicted to make room, or past their age. */
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

/** A summary kept beside a trace, with the {@link TraceInfo.version} it was computed at. */
export interface CachedSummary {
  readonly version: number;
  readonly summary: TraceSummary;
}

/** The bounds every store keeps to, whatever holds the spans. */
export interface TraceStoreLimits {
  /**
   * Most spans kept, over all traces. Past it the least recently active whole traces are evicted; a
   * single trace larger than this keeps its first `maxSpans` spans and the rest are dropped (counted).
   * @defaultValue 200000 in memory; `Infinity` in a file
   */
  maxSpans?: number;
  /**
   * Most traces kept. Past it the least recently active whole traces are evicted.
   * @defaultValue 2000 in memory; `Infinity` in a file
   */
  maxTraces?: number;
  /**
   * Longest a trace is kept after it last changed, in milliseconds: older traces are evicted, least
   * recently active first, at the next {@link TraceStore.add} or {@link TraceStore.evictExpired}.
   * @defaultValue `Infinity` (no age limit)
   */
  maxAgeMs?: number;
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
  /**
   * The clock that ages traces, in milliseconds since the epoch (tests pass their own).
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

/**
 * The dashboard's trace store: what ingest writes to and the REST API, the live channel and the page
 * read from. Two implementations keep the same contract, checked by one suite of tests run against
 * both: `MemoryTraceStore` (the default: fast, forgets on restart) and `SqliteTraceStore` (one SQLite
 * file through `node:sqlite`, in WAL mode: every span of a returned {@link TraceStore.add} is on disk
 * and survives a crash of the process).
 *
 * The contract:
 * - Spans of a trace are merged however they arrive (split over requests, late, out of order). One
 *   version of each span is kept by `compareSpanVersions` (an in-flight span, without an end, is replaced
 *   by its ended version; a version of a span has the same span id, parent and start time); two different
 *   spans sharing an id are both kept, for `assembleTrace` to rename.
 * - Traces are indexed by service, agent (`gen_ai.agent.name`), tool (`spanCall`), outcome
 *   (`spanOutcome`), start time and duration.
 * - The store stays within its {@link TraceStoreLimits} by evicting the least recently active whole
 *   traces, keeps at most `maxSpansPerTrace` spans of one trace, and counts what it evicted and dropped
 *   in {@link TraceStore.stats} (a trace's own drops in its {@link TraceInfo.droppedSpans}).
 * - Each change is reported to the {@link TraceStore.onChange} listeners, synchronously, after it is stored.
 * - Spans handed out must be treated as read-only.
 *
 * @example
 * ```ts
 * const store: TraceStore = new MemoryTraceStore({ maxSpans: 50_000 });
 * const dispose = store.onChange(({ traces }) => console.log(traces.map((t) => t.traceId)));
 * store.add(otlpToSpans(request).spans);
 * store.findTraces({ tool: 'search' }, 20).traceIds;
 * dispose();
 * store.close();
 * ```
 */
export interface TraceStore {
  /** Where the spans are kept: `'memory'`, or the path of the SQLite file. */
  readonly location: string;
  /** Most spans kept (`Infinity` when unbounded). */
  readonly maxSpans: number;
  /** Most traces kept (`Infinity` when unbounded). */
  readonly maxTraces: number;
  /** Longest a trace is kept after it last changed, in ms (`Infinity` when unbounded). */
  readonly maxAgeMs: number;
  /** Most spans kept in one trace (`Infinity` when unbounded). */
  readonly maxSpansPerTrace: number;
  /** Number of traces stored. */
  readonly traceCount: number;

  /** Counters of the store: sizes, limits, evictions. */
  stats(): TraceStoreStats;

  /**
   * Adds spans, merging them into their traces. A new version of a stored span replaces the stored one
   * only when it wins by `compareSpanVersions`, so the store holds the same version whatever order the
   * versions arrive in. Makes room by evicting the least recently active other traces, and evicts
   * traces past `maxAgeMs`. All of it is one change: when it returns, it is stored.
   */
  add(spans: readonly SpanRecord[]): TraceStoreAddResult;

  /** Whether the store holds the trace. */
  has(traceId: string): boolean;

  /** The trace's spans in arrival order (a new array), or `undefined` when the trace is not stored. */
  getSpans(traceId: string): SpanRecord[] | undefined;

  /** What the store knows of the trace, or `undefined` when it is not stored. */
  getInfo(traceId: string): TraceInfo | undefined;

  /**
   * Lists the ids of traces matching `filter`, newest start first (ties by trace id), at most `limit`
   * of them (`Infinity` for all), continuing strictly after `after` when given (a
   * {@link TraceIdPage.next} of a former call).
   */
  findTraces(filter: TraceFilter, limit: number, after?: TraceKey): TraceIdPage;

  /**
   * The {@link CallFigures} of every ended call of the traces matching `filter` (in no particular
   * order): what `toolStatsOfCalls` needs for per-tool percentiles, without reading the spans.
   */
  findCalls(filter: TraceFilter): CallFigures[];

  /** All stored trace ids, least recently active first. */
  traceIds(): string[];

  /** The summary last kept with {@link TraceStore.keepSummary} for the trace, if any (check its version). */
  cachedSummary(traceId: string): CachedSummary | undefined;

  /**
   * Keeps a summary beside the trace, so it need not be computed again while the trace is unchanged (in
   * a file, also after a restart). Ignored when the trace is not stored.
   */
  keepSummary(traceId: string, cached: CachedSummary): void;

  /**
   * Evicts the traces that last changed more than `maxAgeMs` ago, least recently active first, and
   * reports them to the listeners. The server calls it on a timer, so traces age out without new spans.
   *
   * @returns how many traces were evicted.
   */
  evictExpired(): number;

  /**
   * Calls `listener` after every change: spans added or replaced, traces evicted.
   *
   * @returns a function that removes the listener.
   */
  onChange(listener: (change: TraceStoreChange) => void): Disposer;

  /** Releases what the store holds open (the file). Safe to call twice; the store must not be used after. */
  close(): void;
}
