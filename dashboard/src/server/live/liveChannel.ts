import { otlpToSpans, readTraceId, spanVersionKey } from '@overlap/shared';
import type { Disposer, SpanRecord, SpanStartsAck, SpansEvent, TraceSummary, TracesEvent, WatchAck } from '@overlap/shared';
import type { TraceStore, TraceStoreChange } from '../store/TraceStore.js';
import { runnersNamespace } from './DashboardIo.js';
import type { DashboardIo, PageSocket, PagesNamespace, RunnerSocket } from './DashboardIo.js';

/** Options of {@link attachLiveChannel}. */
export interface LiveChannelOptions {
  /** Summary of a stored trace, sent in `traces` events. */
  summarize: (traceId: string) => { summary: TraceSummary; stale: boolean } | undefined;
  /** Most frequent `traces` emission, in milliseconds. */
  tracesIntervalMs: number;
  /** Most frequent `spans` emission per trace, in milliseconds. */
  spansIntervalMs: number;
}

/**
 * Wires the store to socket.io.
 *
 * Page clients (default namespace):
 * - receive `traces` (`TracesEvent`): summaries of the traces that changed, at most one event every
 *   `tracesIntervalMs`;
 * - emit `watch` `{ traceId }` with an acknowledgement callback, which answers {@link WatchAck} with the
 *   whole trace, and then receive `spans` ({@link SpansEvent}) with that trace's new and updated spans,
 *   at most every `spansIntervalMs` (a batch may repeat spans already in the acknowledgement);
 * - emit `unwatch` `{ traceId }` to stop.
 *
 * Runner processes (namespace `/runners`) emit `span-starts` with an OTLP/JSON
 * `ExportTraceServiceRequest` of spans that have started (no end, or `endTimeUnixNano` 0); they are stored
 * in flight until the ended version arrives over OTLP. The optional acknowledgement answers
 * {@link SpanStartsAck}.
 *
 * @returns a function that detaches the channel and clears its timers.
 *
 * @example
 * ```ts
 * const detach = attachLiveChannel(io, store, { summarize: (id) => summaries.forLive(id), tracesIntervalMs: 100, spansIntervalMs: 50 });
 * ```
 */
export function attachLiveChannel(io: DashboardIo, store: TraceStore, options: LiveChannelOptions): Disposer {
  const pages = io.of('/');
  const runners = runnersNamespace(io);
  const changedTraces = new Set<string>();
  const evictedTraces = new Set<string>();
  const pendingSpans = new Map<string, Map<string, SpanRecord>>();
  let tracesTimer: NodeJS.Timeout | undefined;
  let spansTimer: NodeJS.Timeout | undefined;
  let lastTracesEmit = Number.NEGATIVE_INFINITY;
  let lastSpansEmit = Number.NEGATIVE_INFINITY;
  let awaitingRefresh = new Set<string>();

  const flushTraces = (): void => {
    tracesTimer = undefined;
    lastTracesEmit = Date.now();
    if (pages.sockets.size === 0) {
      // Nobody to tell: skip the summaries (a client that connects later asks the REST API).
      changedTraces.clear();
      evictedTraces.clear();
      return;
    }
    const traces: TraceSummary[] = [];
    const refresh = new Set<string>();
    for (const traceId of changedTraces) {
      const answer = options.summarize(traceId);
      if (answer === undefined) continue;
      // A stale summary is sent once and asked for again at later flushes, until it is current.
      if (!(answer.stale && awaitingRefresh.has(traceId))) traces.push(answer.summary);
      if (answer.stale) refresh.add(traceId);
    }
    awaitingRefresh = refresh;
    const event: TracesEvent = { traces, evicted: [...evictedTraces] };
    changedTraces.clear();
    evictedTraces.clear();
    if (event.traces.length > 0 || event.evicted.length > 0) pages.emit('traces', event);
    if (refresh.size > 0) {
      for (const traceId of refresh) changedTraces.add(traceId);
      tracesTimer = setTimeout(flushTraces, options.tracesIntervalMs);
    }
  };

  const flushSpans = (): void => {
    spansTimer = undefined;
    lastSpansEmit = Date.now();
    for (const [traceId, spans] of pendingSpans) {
      const event: SpansEvent = { traceId, spans: [...spans.values()] };
      pages.to(roomOf(traceId)).emit('spans', event);
    }
    pendingSpans.clear();
  };

  const onChange = (change: TraceStoreChange): void => {
    for (const traceId of change.evicted) {
      changedTraces.delete(traceId);
      evictedTraces.add(traceId);
      pendingSpans.delete(traceId);
    }
    for (const { traceId, added, updated } of change.traces) {
      changedTraces.add(traceId);
      evictedTraces.delete(traceId);
      if (!hasWatchers(pages, traceId)) continue;
      let spans = pendingSpans.get(traceId);
      if (spans === undefined) {
        spans = new Map();
        pendingSpans.set(traceId, spans);
      }
      for (const span of added) spans.set(spanVersionKey(span), span);
      for (const span of updated) spans.set(spanVersionKey(span), span);
    }
    if (tracesTimer === undefined && (changedTraces.size > 0 || evictedTraces.size > 0)) {
      tracesTimer = setTimeout(flushTraces, Math.max(0, lastTracesEmit + options.tracesIntervalMs - Date.now()));
    }
    if (spansTimer === undefined && pendingSpans.size > 0) {
      spansTimer = setTimeout(flushSpans, Math.max(0, lastSpansEmit + options.spansIntervalMs - Date.now()));
    }
  };
  const stopListening = store.onChange(onChange);

  const onPageConnection = (socket: PageSocket): void => {
    // Payloads come off the network: typed by the contract, read as unknown until checked.
    socket.on('watch', (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: WatchAck) => void) : () => {};
      const traceId = traceIdOf(payload);
      if (traceId === undefined) {
        reply({ error: { code: 'invalid_parameter', message: 'watch: traceId must be 32 lowercase hex characters' } });
        return;
      }
      void socket.join(roomOf(traceId));
      const spans = store.getSpans(traceId);
      reply({ traceId, found: spans !== undefined, spans: spans ?? [] });
    });
    socket.on('unwatch', (payload: unknown) => {
      const traceId = traceIdOf(payload);
      if (traceId !== undefined) void socket.leave(roomOf(traceId));
    });
  };
  pages.on('connection', onPageConnection);

  const onRunnerConnection = (socket: RunnerSocket): void => {
    socket.on('span-starts', (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: SpanStartsAck) => void) : () => {};
      let result: ReturnType<typeof otlpToSpans>;
      try {
        result = otlpToSpans(payload);
      } catch (error) {
        reply({ error: { code: 'invalid_request', message: error instanceof Error ? error.message : String(error) } });
        return;
      }
      let added: ReturnType<TraceStore['add']>;
      try {
        added = store.add(result.spans);
      } catch (error) {
        // The store could not take them (a file store whose disk is full, say): say so, and stay up.
        reply({ error: { code: 'store_failed', message: error instanceof Error ? error.message : String(error) } });
        return;
      }
      reply({ accepted: added.added + added.updated + added.unchanged, rejected: result.rejected.length + added.dropped });
    });
  };
  runners.on('connection', onRunnerConnection);

  return () => {
    stopListening();
    pages.off('connection', onPageConnection);
    runners.off('connection', onRunnerConnection);
    if (tracesTimer !== undefined) clearTimeout(tracesTimer);
    if (spansTimer !== undefined) clearTimeout(spansTimer);
    tracesTimer = undefined;
    spansTimer = undefined;
  };
}

function roomOf(traceId: string): string {
  return `trace:${traceId}`;
}

function hasWatchers(pages: PagesNamespace, traceId: string): boolean {
  return (pages.adapter.rooms.get(roomOf(traceId))?.size ?? 0) > 0;
}

function traceIdOf(payload: unknown): string | undefined {
  return readTraceId(typeof payload === 'object' && payload !== null ? (payload as { traceId?: unknown }).traceId : undefined);
}
