import { encodeSpanColumns, layoutFirstRows, otlpToSpans, readDequeuedCalls, readQueuedCalls, readTraceId, spanVersionKey } from '@overlap/shared';
import type { ApiErrorBody, Disposer, LiveBatchAck, QueuedCall, SpanRecord, SpanStartsAck, SpansEvent, TraceSummary, TracesEvent, WatchAck, WatchedTrace } from '@overlap/shared';
import type { TraceStore, TraceStoreChange } from '../store/TraceStore.js';
import { QueuedCallRegistry } from './QueuedCallRegistry.js';
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
  /**
   * Where the calls runners announce as queued are held.
   * @defaultValue a new {@link QueuedCallRegistry} with its default bound
   */
  queuedCalls?: QueuedCallRegistry;
}

/** What a watched trace's next `spans` event will carry. */
interface PendingUpdate {
  readonly spans: Map<string, SpanRecord>;
  readonly queued: Map<string, QueuedCall>;
  readonly dequeued: Set<string>;
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
 * Runner processes (namespace `/runners`) emit `live-batch` ({@link RunnerLiveBatch}): spans that started
 * or ended (stored like any span: an in-flight one until its ended version arrives, over this channel or
 * OTLP, whichever is first; `compareSpanVersions` keeps one version whatever the order), and calls that
 * joined or left a gate's queue (held in a {@link QueuedCallRegistry} until they leave or their runner
 * disconnects, and passed on in the watchers' `spans` events and `watch` acknowledgements). A batch is
 * passed on to pages whole, in one `spans` event. The older `span-starts` (spans that started, as an
 * OTLP/JSON request) is still accepted.
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
  const pending = new Map<string, PendingUpdate>();
  const queuedCalls = options.queuedCalls ?? new QueuedCallRegistry();
  let tracesTimer: NodeJS.Timeout | undefined;
  let spansTimer: NodeJS.Timeout | undefined;
  let lastTracesEmit = Number.NEGATIVE_INFINITY;
  let lastSpansEmit = Number.NEGATIVE_INFINITY;
  let awaitingRefresh = new Set<string>();
  /** Set when the channel is detached: sockets closing afterwards start no timer. */
  let detached = false;

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
    for (const [traceId, update] of pending) {
      const event: { -readonly [K in keyof SpansEvent]: SpansEvent[K] } = { traceId, spans: [...update.spans.values()] };
      if (update.queued.size > 0) event.queued = [...update.queued.values()];
      if (update.dequeued.size > 0) event.dequeued = [...update.dequeued];
      if (event.spans.length > 0 || event.queued !== undefined || event.dequeued !== undefined) pages.to(roomOf(traceId)).emit('spans', event);
    }
    pending.clear();
  };

  const pendingOf = (traceId: string): PendingUpdate => {
    let update = pending.get(traceId);
    if (update === undefined) {
      update = { spans: new Map(), queued: new Map(), dequeued: new Set() };
      pending.set(traceId, update);
    }
    return update;
  };

  const scheduleSpans = (): void => {
    if (!detached && spansTimer === undefined && pending.size > 0) {
      spansTimer = setTimeout(flushSpans, Math.max(0, lastSpansEmit + options.spansIntervalMs - Date.now()));
    }
  };

  const noteQueued = (call: QueuedCall): void => {
    if (!detached && hasWatchers(pages, call.traceId)) pendingOf(call.traceId).queued.set(call.queueId, call);
  };

  const noteDequeued = (traceId: string, queueId: string): void => {
    if (detached || !hasWatchers(pages, traceId)) return;
    const update = pendingOf(traceId);
    // Announced and withdrawn between two events: the announcement is not sent, but the withdrawal is,
    // since a page that started watching meanwhile got the call in its watch answer.
    update.queued.delete(queueId);
    update.dequeued.add(queueId);
  };

  const onChange = (change: TraceStoreChange): void => {
    for (const traceId of change.evicted) {
      changedTraces.delete(traceId);
      evictedTraces.add(traceId);
      pending.delete(traceId);
    }
    for (const { traceId, added, updated } of change.traces) {
      changedTraces.add(traceId);
      evictedTraces.delete(traceId);
      if (!hasWatchers(pages, traceId)) continue;
      const spans = pendingOf(traceId).spans;
      for (const span of added) spans.set(spanVersionKey(span), span);
      for (const span of updated) spans.set(spanVersionKey(span), span);
    }
    if (tracesTimer === undefined && (changedTraces.size > 0 || evictedTraces.size > 0)) {
      tracesTimer = setTimeout(flushTraces, Math.max(0, lastTracesEmit + options.tracesIntervalMs - Date.now()));
    }
    scheduleSpans();
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
      const queued = queuedCalls.forTrace(traceId);
      const answer: { -readonly [K in keyof WatchedTrace]: WatchedTrace[K] } = { traceId, found: spans !== undefined, spans: spans ?? [] };
      if (queued.length > 0) answer.queued = queued;
      const { firstRows, watchId } = firstRowsOf(payload);
      if (spans === undefined || firstRows === undefined || spans.length <= firstRows) {
        reply(answer);
        return;
      }
      // A large trace: its first screen now, its spans right after, in compact form (see WatchRequest.firstRows).
      const firstScreen = layoutFirstRows(spans, firstRows, { nowMs: Date.now() });
      answer.spans = [];
      answer.spansFollow = firstScreen === undefined ? { spanCount: spans.length } : { spanCount: spans.length, firstScreen };
      reply(answer);
      setImmediate(() => {
        if (!socket.connected || !socket.rooms.has(roomOf(traceId))) return;
        socket.emit('trace-spans', { traceId, watchId, spanCount: spans.length, columns: Buffer.from(JSON.stringify(encodeSpanColumns(spans))) });
      });
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
    socket.on('live-batch', (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: LiveBatchAck) => void) : () => {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        reply({ error: { code: 'invalid_request', message: 'live-batch: expected an object { spans?, queued?, dequeued? }' } });
        return;
      }
      const batch = payload as { spans?: unknown; queued?: unknown; dequeued?: unknown };
      // Waits are applied even when the spans are refused: the runner never sends them again, so a
      // withdrawal dropped here would leave its call drawn as queued until the runner left.
      let failure: ApiErrorBody | undefined;
      let spans: ReturnType<typeof otlpToSpans> | undefined;
      try {
        if (batch.spans !== undefined) spans = otlpToSpans(batch.spans);
      } catch (error) {
        failure = { error: { code: 'invalid_request', message: error instanceof Error ? error.message : String(error) } };
      }
      const dequeued = readDequeuedCalls(batch.dequeued);
      const queued = readQueuedCalls(batch.queued);
      let added: ReturnType<TraceStore['add']> | undefined;
      try {
        if (spans !== undefined) added = store.add(spans.spans);
      } catch (error) {
        // As for span-starts: the store could not take them (a full disk, say); the server stays up.
        failure = { error: { code: 'store_failed', message: error instanceof Error ? error.message : String(error) } };
      }
      let dequeuedCount = 0;
      for (const { traceId, queueId } of dequeued.records) {
        if (!queuedCalls.remove(traceId, queueId, socket.id)) continue;
        dequeuedCount += 1;
        noteDequeued(traceId, queueId);
      }
      let queuedCount = 0;
      for (const call of queued.records) {
        if (!queuedCalls.add(socket.id, call)) continue;
        queuedCount += 1;
        noteQueued(call);
      }
      scheduleSpans();
      if (failure !== undefined) {
        reply(failure);
        return;
      }
      reply({
        accepted: added === undefined ? 0 : added.added + added.updated + added.unchanged,
        rejected: (spans?.rejected.length ?? 0) + (added?.dropped ?? 0) + queued.rejected + dequeued.rejected + (queued.records.length - queuedCount),
        queued: queuedCount,
        dequeued: dequeuedCount,
      });
    });
    socket.on('disconnect', () => {
      for (const { traceId, queueId } of queuedCalls.removeOwner(socket.id)) noteDequeued(traceId, queueId);
      scheduleSpans();
    });
  };
  runners.on('connection', onRunnerConnection);

  return () => {
    detached = true;
    pending.clear();
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

/** Most rows a page may ask to be drawn first. */
const MAX_FIRST_ROWS = 1_000;

/** The `firstRows` and `watchId` of a watch request, when valid (invalid ones are ignored: the whole trace is sent). */
function firstRowsOf(payload: unknown): { firstRows: number | undefined; watchId: number } {
  const request = (typeof payload === 'object' && payload !== null ? payload : {}) as { firstRows?: unknown; watchId?: unknown };
  const firstRows = Number.isInteger(request.firstRows) && (request.firstRows as number) >= 1 && (request.firstRows as number) <= MAX_FIRST_ROWS ? (request.firstRows as number) : undefined;
  const watchId = Number.isSafeInteger(request.watchId) ? (request.watchId as number) : 0;
  return { firstRows, watchId };
}

function traceIdOf(payload: unknown): string | undefined {
  return readTraceId(typeof payload === 'object' && payload !== null ? (payload as { traceId?: unknown }).traceId : undefined);
}
