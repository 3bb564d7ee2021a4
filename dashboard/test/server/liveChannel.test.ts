import { OverlapAttributes, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveBatchAck, QueuedCall, SpanStartsAck, SpansEvent, TraceResponse, TraceSpansEvent, TracesEvent, WatchAck, WatchedTrace } from '@overlap/shared';
import { GenAiAttributes, assembleTrace, decodeSpanColumns, layoutWaterfall } from '@overlap/shared';
import { deferred, getJson, msNanos, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';

let running: RunningServer;
const sockets: Socket[] = [];

function open(namespace = '', options: { auth?: Record<string, unknown> } = {}): Socket {
  const socket = connect(`${running.url}${namespace}`, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
  sockets.push(socket);
  return socket;
}

async function connected(socket: Socket): Promise<void> {
  if (socket.connected) return;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function emitWithAck<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise<T>((resolve) => socket.emit(event, payload, resolve));
}

/** Resolves with the first event matching `predicate`. */
function nextEvent<T>(socket: Socket, event: string, predicate: (payload: T) => boolean): Promise<T> {
  const result = deferred<T>();
  const listener = (payload: T): void => {
    if (!predicate(payload)) return;
    socket.off(event, listener);
    result.resolve(payload);
  };
  socket.on(event, listener);
  return result.promise;
}

function inFlight(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...rest } = span;
  return rest;
}

beforeAll(async () => {
  running = await startServer();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});
afterAll(async () => {
  await running.close();
});

describe('live channel', () => {
  it('/runners span-starts - stores a started span in flight until its ended version arrives over OTLP', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent a', startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(3000) });
    const call = spanRecord({ traceId, name: 'execute_tool search', parentSpanId: root.spanId, startTimeUnixNano: msNanos(1100), endTimeUnixNano: msNanos(2000) });
    const runner = open('runners');
    await connected(runner);
    const ack = await emitWithAck<SpanStartsAck>(runner, 'span-starts', spansToOtlp([inFlight(root), inFlight(call)]));
    expect(ack).toEqual({ accepted: 2, rejected: 0 });

    let trace = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(trace.body.spans.map((s) => s.endTimeUnixNano)).toEqual([undefined, undefined]);
    expect(trace.body.summary.inFlightCount).toBe(2);

    expect((await postSpans(running.url, [call])).status).toBe(200);
    trace = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(trace.body.spans).toHaveLength(2);
    expect(trace.body.spans.find((s) => s.spanId === call.spanId)).toEqual(call);
    expect(trace.body.summary.inFlightCount).toBe(1);

    expect((await postSpans(running.url, [root])).status).toBe(200);
    trace = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(trace.body.spans.find((s) => s.spanId === root.spanId)).toEqual(root);
    expect(trace.body.summary.inFlightCount).toBe(0);
  });

  it('/runners span-starts - answers an unreadable request with an error and stores nothing', async () => {
    const runner = open('runners');
    await connected(runner);
    const ack = await emitWithAck<SpanStartsAck>(runner, 'span-starts', { resourceSpans: 'nope' });
    expect(ack).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it.each([
    { event: 'span-starts', send: (spans: SpanRecord[]) => spansToOtlp(spans), ok: { accepted: 1, rejected: 0 } },
    { event: 'live-batch', send: (spans: SpanRecord[]) => ({ spans: spansToOtlp(spans) }), ok: { accepted: 1, rejected: 0, queued: 0, dequeued: 0 } },
  ] as const)('/runners $event - answers a store that cannot take the spans with an error, and the server stays up', async ({ event, send, ok }) => {
    const runner = open('runners');
    await connected(runner);
    const store = running.server.store;
    const add = store.add.bind(store);
    store.add = () => {
      throw new Error('database or disk is full');
    };
    try {
      const ack = await emitWithAck(runner, event, send([inFlight(spanRecord({ traceId: newTraceId() }))]));
      expect(ack).toEqual({ error: { code: 'store_failed', message: 'database or disk is full' } });
    } finally {
      store.add = add;
    }
    expect(await emitWithAck(runner, event, send([inFlight(spanRecord({ traceId: newTraceId() }))]))).toEqual(ok);
  });

  it('/runners live-batch - stores span starts and ends; an OTLP copy of an ended span changes nothing', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent a', startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(3000) });
    const runner = open('runners');
    await connected(runner);
    expect(await emitWithAck<LiveBatchAck>(runner, 'live-batch', { spans: spansToOtlp([inFlight(root)]) })).toEqual({ accepted: 1, rejected: 0, queued: 0, dequeued: 0 });
    expect(running.server.store.getSpans(traceId)).toEqual([inFlight(root)]);
    expect(await emitWithAck<LiveBatchAck>(runner, 'live-batch', { spans: spansToOtlp([root]) })).toMatchObject({ accepted: 1 });
    expect(running.server.store.getSpans(traceId)).toEqual([root]);
    const versionBefore = running.server.store.getInfo(traceId)!.version;
    expect((await postSpans(running.url, [root])).status).toBe(200);
    expect(running.server.store.getInfo(traceId)!.version).toBe(versionBefore);
  });

  it('/runners live-batch - holds queued calls for watchers until they leave the queue, in the same event as the spans that replace them', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent burst', startTimeUnixNano: msNanos(1000), endTimeUnixNano: undefined });
    const runner = open('runners');
    await connected(runner);
    await emitWithAck(runner, 'live-batch', { spans: spansToOtlp([inFlight(root)]) });
    const waits = [1, 2, 3].map((n) => queuedCall(traceId, root.spanId, `r1-${n}`));
    expect(await emitWithAck<LiveBatchAck>(runner, 'live-batch', { queued: waits })).toEqual({ accepted: 0, rejected: 0, queued: 3, dequeued: 0 });
    const page = open();
    await connected(page);
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId })).toEqual({ traceId, found: true, spans: [inFlight(root)], queued: waits });

    const call = spanRecord({ traceId, name: 'execute_tool search', parentSpanId: root.spanId, startTimeUnixNano: msNanos(1001), endTimeUnixNano: undefined });
    const update = nextEvent<SpansEvent>(page, 'spans', (event) => event.traceId === traceId);
    const ack = await emitWithAck<LiveBatchAck>(runner, 'live-batch', { spans: spansToOtlp([call]), dequeued: [{ traceId, queueId: 'r1-1' }], queued: [queuedCall(traceId, root.spanId, 'r1-4')] });
    expect(ack).toEqual({ accepted: 1, rejected: 0, queued: 1, dequeued: 1 });
    const event = await update;
    expect(event).toEqual({ traceId, spans: [call], dequeued: ['r1-1'], queued: [queuedCall(traceId, root.spanId, 'r1-4')] });
    expect(running.server.queuedCalls.forTrace(traceId).map((c) => c.queueId)).toEqual(['r1-2', 'r1-3', 'r1-4']);
  });

  it('/runners live-batch - a runner that disconnects withdraws its queued calls; another runner cannot withdraw them', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent burst', startTimeUnixNano: msNanos(1000), endTimeUnixNano: undefined });
    const runner = open('runners');
    await connected(runner);
    await emitWithAck(runner, 'live-batch', { spans: spansToOtlp([inFlight(root)]), queued: [queuedCall(traceId, root.spanId, 'r2-1'), queuedCall(traceId, root.spanId, 'r2-2')] });
    const other = open('runners');
    await connected(other);
    expect(await emitWithAck<LiveBatchAck>(other, 'live-batch', { dequeued: [{ traceId, queueId: 'r2-1' }] })).toMatchObject({ dequeued: 0 });
    const page = open();
    await connected(page);
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId })).toMatchObject({ queued: [{ queueId: 'r2-1' }, { queueId: 'r2-2' }] });

    const update = nextEvent<SpansEvent>(page, 'spans', (event) => event.traceId === traceId);
    runner.disconnect();
    expect((await update).dequeued?.sort()).toEqual(['r2-1', 'r2-2']);
    expect(running.server.queuedCalls.forTrace(traceId)).toEqual([]);
  });

  it('/runners live-batch - a call queued and dequeued between two events is never announced to the pages, only withdrawn', async () => {
    const slow = await startServer({ spansIntervalMs: 1000 });
    try {
      const traceId = newTraceId();
      const root = spanRecord({ traceId, name: 'invoke_agent burst', startTimeUnixNano: msNanos(1000), endTimeUnixNano: undefined });
      const runner = connect(`${slow.url}runners`, { transports: ['websocket'], forceNew: true, reconnection: false });
      const page = connect(slow.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(runner, page);
      await Promise.all([connected(runner), connected(page)]);
      await emitWithAck(page, 'watch', { traceId });
      const events: SpansEvent[] = [];
      page.on('spans', (event: SpansEvent) => events.push(event));
      const first = nextEvent<SpansEvent>(page, 'spans', () => true);
      await emitWithAck(runner, 'live-batch', { spans: spansToOtlp([inFlight(root)]) });
      await first;
      // Within the next second: announced, withdrawn, and a span to make an event.
      await emitWithAck(runner, 'live-batch', { queued: [queuedCall(traceId, root.spanId, 'r4-1')] });
      await emitWithAck(runner, 'live-batch', { dequeued: [{ traceId, queueId: 'r4-1' }] });
      const second = nextEvent<SpansEvent>(page, 'spans', (event) => event.spans.some((s) => s.spanId === root.spanId && s.endTimeUnixNano !== undefined));
      await emitWithAck(runner, 'live-batch', { spans: spansToOtlp([{ ...root, endTimeUnixNano: msNanos(2000) }]) });
      expect(await second).toEqual({ traceId, spans: [{ ...root, endTimeUnixNano: msNanos(2000) }], dequeued: ['r4-1'] });
      expect(events.every((event) => event.queued === undefined)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('/runners live-batch - a page that starts watching between a call\'s announcement and its withdrawal hears of both', async () => {
    const slow = await startServer({ spansIntervalMs: 1000 });
    try {
      const traceId = newTraceId();
      const root = spanRecord({ traceId, name: 'invoke_agent burst', startTimeUnixNano: msNanos(1000), endTimeUnixNano: undefined });
      const runner = connect(`${slow.url}runners`, { transports: ['websocket'], forceNew: true, reconnection: false });
      const first = connect(slow.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      const late = connect(slow.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(runner, first, late);
      await Promise.all([connected(runner), connected(first), connected(late)]);
      await emitWithAck(first, 'watch', { traceId });
      const started = nextEvent<SpansEvent>(first, 'spans', () => true);
      await emitWithAck(runner, 'live-batch', { spans: spansToOtlp([inFlight(root)]) });
      await started;
      // Within the next second: announced, then a second page watches (and is told of it), then withdrawn.
      await emitWithAck(runner, 'live-batch', { queued: [queuedCall(traceId, root.spanId, 'r5-1')] });
      expect(await emitWithAck<WatchAck>(late, 'watch', { traceId })).toMatchObject({ queued: [{ queueId: 'r5-1' }] });
      const withdrawn = nextEvent<SpansEvent>(late, 'spans', (event) => event.dequeued !== undefined);
      await emitWithAck(runner, 'live-batch', { dequeued: [{ traceId, queueId: 'r5-1' }] });
      expect(await withdrawn).toMatchObject({ traceId, dequeued: ['r5-1'] });
    } finally {
      await slow.close();
    }
  });

  it('/runners live-batch - refuses bad records one by one, and a bad OTLP request as a whole (its waits still apply)', async () => {
    const traceId = newTraceId();
    const runner = open('runners');
    await connected(runner);
    const ack = await emitWithAck<LiveBatchAck>(runner, 'live-batch', { queued: [queuedCall(traceId, 'not-a-span-id', 'r3-1'), queuedCall(traceId, 'a000000000000001', 'r3-2')] });
    expect(ack).toEqual({ accepted: 0, rejected: 1, queued: 1, dequeued: 0 });
    expect(await emitWithAck<LiveBatchAck>(runner, 'live-batch', { spans: { resourceSpans: 'nope' }, dequeued: [{ traceId, queueId: 'r3-2' }] })).toMatchObject({ error: { code: 'invalid_request' } });
    // The runner never sends a withdrawal twice: it is applied though the spans beside it were refused.
    expect(running.server.queuedCalls.forTrace(traceId)).toEqual([]);
    expect(await emitWithAck<LiveBatchAck>(runner, 'live-batch', 'nope')).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('watch - answers with the whole trace, then streams its new and updated spans', async () => {
    const traceId = newTraceId();
    const first = spanRecord({ traceId, name: 'first' });
    await postSpans(running.url, [first]);
    const page = open();
    await connected(page);
    const ack = await emitWithAck<WatchAck>(page, 'watch', { traceId });
    expect(ack).toEqual({ traceId, found: true, spans: [first] });

    const second = spanRecord({ traceId, name: 'second' });
    const third = spanRecord({ traceId, name: 'third' });
    const received = nextEvent<SpansEvent>(page, 'spans', (event) => event.traceId === traceId && event.spans.some((s) => s.name === 'third'));
    await postSpans(running.url, [second]);
    await postSpans(running.url, [third]);
    const collected = new Map<string, SpanRecord>();
    page.on('spans', (event: SpansEvent) => event.spans.forEach((s) => collected.set(s.spanId, s)));
    const last = await received;
    for (const span of last.spans) collected.set(span.spanId, span);
    expect(collected.get(third.spanId)).toEqual(third);
    expect(last.spans.every((s) => s.traceId === traceId)).toBe(true);
  });

  it('watch - sends the ended version of a watched in-flight span', async () => {
    const traceId = newTraceId();
    const span = spanRecord({ traceId });
    const runner = open('runners');
    await connected(runner);
    await emitWithAck(runner, 'span-starts', spansToOtlp([inFlight(span)]));
    const page = open();
    await connected(page);
    const ack = await emitWithAck<WatchAck>(page, 'watch', { traceId });
    expect(ack).toMatchObject({ found: true, spans: [inFlight(span)] });
    const update = nextEvent<SpansEvent>(page, 'spans', (event) => event.traceId === traceId);
    await postSpans(running.url, [span]);
    expect((await update).spans).toEqual([span]);
  });

  it('watch({ firstRows }) - answers a large trace with its first rows, then sends its spans in compact form', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent big', startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(9000) });
    const calls = Array.from({ length: 40 }, (_, i) => spanRecord({ traceId, name: `execute_tool t${i}`, parentSpanId: root.spanId, startTimeUnixNano: msNanos(1010 + i), endTimeUnixNano: msNanos(1500 + i) }));
    await postSpans(running.url, [...calls, root]);
    const page = open();
    await connected(page);
    const spansEvent = nextEvent<TraceSpansEvent>(page, 'trace-spans', (event) => event.traceId === traceId);
    const ack = (await emitWithAck<WatchAck>(page, 'watch', { traceId, firstRows: 10, watchId: 7 })) as WatchedTrace;

    const full = layoutWaterfall(assembleTrace(running.server.store.getSpans(traceId)!), { nowMs: ack.spansFollow!.firstScreen!.nowMs });
    expect(ack.spans).toEqual([]);
    expect(ack.spansFollow).toEqual({ spanCount: 41, firstScreen: { rows: full.rows.slice(0, 10), rowCount: 41, startMs: full.startMs, endMs: full.endMs, nowMs: full.nowMs } });
    const event = await spansEvent;
    expect(event.watchId).toBe(7);
    expect(event.spanCount).toBe(41);
    expect(event.columns).toBeInstanceOf(Uint8Array);
    expect(decodeSpanColumns(JSON.parse(Buffer.from(event.columns as Uint8Array).toString('utf8')))).toEqual(running.server.store.getSpans(traceId));
  });

  it('watch({ firstRows }) - answers a trace no larger than that with its spans, as without', async () => {
    const traceId = newTraceId();
    const only = spanRecord({ traceId, name: 'only' });
    await postSpans(running.url, [only]);
    const page = open();
    await connected(page);
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId, firstRows: 10, watchId: 1 })).toEqual({ traceId, found: true, spans: [only] });
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId, firstRows: 'ten' })).toEqual({ traceId, found: true, spans: [only] });
  });

  it('watch - answers an unknown trace with found false and an invalid id with an error', async () => {
    const page = open();
    await connected(page);
    const traceId = newTraceId();
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId })).toEqual({ traceId, found: false, spans: [] });
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId: 'nope' })).toMatchObject({ error: { code: 'invalid_parameter' } });
  });

  it('unwatch - stops the spans of that trace', async () => {
    const left = newTraceId();
    const kept = newTraceId();
    const page = open();
    await connected(page);
    await emitWithAck(page, 'watch', { traceId: left });
    await emitWithAck(page, 'watch', { traceId: kept });
    page.emit('unwatch', { traceId: left });
    // A round trip after unwatch makes sure the server has handled it.
    await emitWithAck(page, 'watch', { traceId: kept });
    const seen: string[] = [];
    page.on('spans', (event: SpansEvent) => seen.push(event.traceId));
    const keptEvent = nextEvent<SpansEvent>(page, 'spans', (event) => event.traceId === kept);
    await postSpans(running.url, [spanRecord({ traceId: left }), spanRecord({ traceId: kept })]);
    await keptEvent;
    expect(seen).toEqual([kept]);
  });

  it('traces - sends summaries of changed traces to every page client', async () => {
    const page = open();
    await connected(page);
    const traceId = newTraceId();
    const event = nextEvent<TracesEvent>(page, 'traces', (e) => e.traces.some((t) => t.traceId === traceId));
    await postSpans(running.url, [spanRecord({ traceId, name: 'run', attributes: { [OverlapAttributes.OUTCOME]: 'ok' } })]);
    const summary = (await event).traces.find((t) => t.traceId === traceId);
    expect(summary).toMatchObject({ traceId, rootName: 'run', spanCount: 1, outcome: 'ok' });
  });
});

function queuedCall(traceId: string, parentSpanId: string, queueId: string): QueuedCall {
  return {
    queueId,
    traceId,
    parentSpanId,
    spanName: 'execute_tool search',
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'search' },
    gate: 'search.concurrency',
    gateKind: 'semaphore',
    issuedAtUnixNano: msNanos(1001),
    queuedAtUnixNano: msNanos(1001),
    ahead: 0,
    serviceName: 'svc',
  };
}

describe('live channel with a token', () => {
  let secured: RunningServer;
  beforeAll(async () => {
    secured = await startServer({ token: 's3cret' });
  });
  afterAll(async () => {
    await secured.close();
  });

  function openSecured(namespace: string, auth?: Record<string, unknown>): Socket {
    const socket = connect(`${secured.url}${namespace}`, { transports: ['websocket'], forceNew: true, reconnection: false, ...(auth === undefined ? {} : { auth }) });
    sockets.push(socket);
    return socket;
  }

  it('connection - refuses sockets without the token on both namespaces', async () => {
    for (const namespace of ['', 'runners']) {
      const refused = openSecured(namespace);
      await expect(connected(refused)).rejects.toThrow(/unauthorized/);
      const wrong = openSecured(namespace, { token: 'guess' });
      await expect(connected(wrong)).rejects.toThrow(/unauthorized/);
    }
  });

  it('connection - admits sockets with the token', async () => {
    const page = openSecured('', { token: 's3cret' });
    await connected(page);
    const runner = openSecured('runners', { token: 's3cret' });
    await connected(runner);
    const traceId = newTraceId();
    expect(await emitWithAck<SpanStartsAck>(runner, 'span-starts', spansToOtlp([inFlight(spanRecord({ traceId }))]))).toEqual({ accepted: 1, rejected: 0 });
    expect(await emitWithAck<WatchAck>(page, 'watch', { traceId })).toMatchObject({ found: true });
  });
});
