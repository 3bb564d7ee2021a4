import { otlpToSpans, spanVersionKey } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import type { Namespace, Server, Socket } from 'socket.io';
import type { Disposer, TraceStore, TraceStoreChange } from '../store/TraceStore.js';

/** The namespace runner processes connect to. */
export const RUNNERS_NAMESPACE = '/runners';

/** What the server emits as `traces` to page clients. */
export interface TracesEvent<Summary> {
  /** Summaries of traces that changed since the last `traces` event. */
  traces: Summary[];
  /** Ids of traces evicted from the store since the last `traces` event. */
  evicted: string[];
}

/** What the server emits as `spans` to clients watching a trace. */
export interface SpansEvent {
  traceId: string;
  /** New or updated spans of the trace since the last `spans` event (merge them by span id). */
  spans: SpanRecord[];
}

/** The acknowledgement of a `watch`. */
export type WatchAck = { traceId: string; found: boolean; spans: SpanRecord[] } | { error: { code: string; message: string } };

/** The acknowledgement of a runner's `span-starts`. */
export type SpanStartsAck = { accepted: number; rejected: number } | { error: { code: string; message: string } };

/** Options of {@link attachLiveChannel}. */
export interface LiveChannelOptions<Summary> {
  /** Summary of a stored trace, sent in `traces` events. */
  summarize: (traceId: string) => { summary: Summary; stale: boolean } | undefined;
  /** Most frequent `traces` emission, in milliseconds. */
  tracesIntervalMs: number;
  /** Most frequent `spans` emission per trace, in milliseconds. */
  spansIntervalMs: number;
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/**
 * Wires the store to socket.io.
 *
 * Page clients (default namespace):
 * - receive `traces` ({@link TracesEvent}): summaries of the traces that changed, at most one event every
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
export function attachLiveChannel<Summary>(io: Server, store: TraceStore, options: LiveChannelOptions<Summary>): Disposer {
  const pages = io.of('/');
  const runners = io.of(RUNNERS_NAMESPACE);
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
    const traces: Summary[] = [];
    const refresh = new Set<string>();
    for (const traceId of changedTraces) {
      const answer = options.summarize(traceId);
      if (answer === undefined) continue;
      // A stale summary is sent once and asked for again at later flushes, until it is current.
      if (!(answer.stale && awaitingRefresh.has(traceId))) traces.push(answer.summary);
      if (answer.stale) refresh.add(traceId);
    }
    awaitingRefresh = refresh;
    const event: TracesEvent<Summary> = { traces, evicted: [...evictedTraces] };
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

  const onPageConnection = (socket: Socket): void => {
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

  const onRunnerConnection = (socket: Socket): void => {
    socket.on('span-starts', (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: SpanStartsAck) => void) : () => {};
      let result: ReturnType<typeof otlpToSpans>;
      try {
        result = otlpToSpans(payload);
      } catch (error) {
        reply({ error: { code: 'invalid_request', message: error instanceof Error ? error.message : String(error) } });
        return;
      }
      const added = store.add(result.spans);
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

function hasWatchers(pages: Namespace, traceId: string): boolean {
  return (pages.adapter.rooms.get(roomOf(traceId))?.size ?? 0) > 0;
}

function traceIdOf(payload: unknown): string | undefined {
  const traceId = typeof payload === 'object' && payload !== null ? (payload as { traceId?: unknown }).traceId : undefined;
  return typeof traceId === 'string' && TRACE_ID.test(traceId) ? traceId.toLowerCase() : undefined;
}
