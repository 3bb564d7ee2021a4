import { OverlapAttributes, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SpanStartsAck, SpansEvent, TraceResponse, TracesEvent, WatchAck } from '@overlap/shared';
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

  it('/runners span-starts - answers a store that cannot take the spans with an error, and the server stays up', async () => {
    const runner = open('runners');
    await connected(runner);
    const store = running.server.store;
    const add = store.add.bind(store);
    store.add = () => {
      throw new Error('database or disk is full');
    };
    try {
      const ack = await emitWithAck<SpanStartsAck>(runner, 'span-starts', spansToOtlp([inFlight(spanRecord({ traceId: newTraceId() }))]));
      expect(ack).toEqual({ error: { code: 'store_failed', message: 'database or disk is full' } });
    } finally {
      store.add = add;
    }
    const later = spanRecord({ traceId: newTraceId() });
    expect(await emitWithAck<SpanStartsAck>(runner, 'span-starts', spansToOtlp([inFlight(later)]))).toEqual({ accepted: 1, rejected: 0 });
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
