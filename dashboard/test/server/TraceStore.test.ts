// The one suite of store tests: every test below runs against both implementations of the TraceStore
// contract, the in-memory store and the SQLite file store (a fresh file per store, in a temporary
// directory), so the page and the API behave the same with either.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AiSdkAttributes, GenAiAttributes, OverlapAttributes, callFigures, summarizeTrace, assembleTrace, toolStats, toolStatsOfCalls } from '@overlap/shared';
import type { CallFigures, SpanRecord } from '@overlap/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, MemoryTraceStore, SqliteTraceStore } from '../../src/server/index.js';
import type { TraceStore, TraceStoreChange, TraceStoreLimits } from '../../src/server/index.js';
import { TraceSummaries } from '../../src/server/api/TraceSummaries.js';
import { msNanos, newSpanId, newTraceId, spanRecord } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'overlap-store-suite-'));
let files = 0;
const opened: TraceStore[] = [];

afterAll(() => {
  for (const store of opened) store.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Implementation {
  name: string;
  make(options?: TraceStoreLimits): TraceStore;
}

const implementations: Implementation[] = [
  { name: 'MemoryTraceStore', make: (options) => remember(new MemoryTraceStore(options)) },
  { name: 'SqliteTraceStore', make: (options) => remember(new SqliteTraceStore({ path: join(directory, `store-${++files}.db`), ...options })) },
];

function remember(store: TraceStore): TraceStore {
  opened.push(store);
  return store;
}

function inFlight(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...rest } = span;
  return rest;
}

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

function toolCall(traceId: string, tool: string, startMs: number, durationMs: number, extra: SpanRecord['attributes'] = {}): SpanRecord {
  return spanRecord({
    traceId,
    name: `execute_tool ${tool}`,
    startTimeUnixNano: msNanos(startMs),
    endTimeUnixNano: msNanos(startMs + durationMs),
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: tool, ...extra },
  });
}

describe.each(implementations)('$name (the TraceStore contract)', ({ name, make }) => {
  it('constructor - rejects limits that are not positive integers, naming the option', () => {
    expect(() => make({ maxSpans: 0 })).toThrow(InvalidOptionError);
    expect(() => make({ maxSpans: 0 })).toThrow(new RegExp(`${name}\\.maxSpans`));
    expect(() => make({ maxTraces: 1.5 })).toThrow(new RegExp(`${name}\\.maxTraces`));
    expect(() => make({ maxAgeMs: -1 })).toThrow(new RegExp(`${name}\\.maxAgeMs`));
  });

  it('.add() - merges a trace that arrives split, late and out of order', () => {
    const store = make();
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'root', startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(2000) });
    const a = spanRecord({ traceId, name: 'a', parentSpanId: root.spanId, startTimeUnixNano: msNanos(1100), endTimeUnixNano: msNanos(1500) });
    const b = spanRecord({ traceId, name: 'b', parentSpanId: a.spanId, startTimeUnixNano: msNanos(1200), endTimeUnixNano: msNanos(1300) });
    store.add([b]);
    store.add([spanRecord({ traceId: newTraceId() })]);
    store.add([root]);
    store.add([a]);
    expect(store.getSpans(traceId)?.map((s) => s.name)).toEqual(['b', 'root', 'a']);
    expect(store.getSpans(traceId)).toEqual([b, root, a]);
    expect(store.getInfo(traceId)).toMatchObject({ startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(2000), durationMs: 1000, spanCount: 3 });
    expect(store.has(traceId)).toBe(true);
    expect(store.has(newTraceId())).toBe(false);
    expect(store.getSpans(newTraceId())).toBeUndefined();
    expect(store.getInfo(newTraceId())).toBeUndefined();
  });

  it('.add() - replaces an in-flight span with its ended version and never the reverse', () => {
    const store = make();
    const traceId = newTraceId();
    const ended = spanRecord({ traceId, attributes: { [OverlapAttributes.OUTCOME]: 'timeout', [GenAiAttributes.TOOL_NAME]: 'search' } });
    const started = { ...inFlight(ended), attributes: { [GenAiAttributes.TOOL_NAME]: 'search' } };
    expect(store.add([started])).toMatchObject({ added: 1, updated: 0 });
    expect(store.stats().inFlightSpans).toBe(1);
    expect(store.getInfo(traceId)).toMatchObject({ outcomes: [], inFlightCount: 1 });
    expect(store.getInfo(traceId)?.endTimeUnixNano).toBeUndefined();
    expect(store.add([ended])).toMatchObject({ added: 0, updated: 1 });
    expect(store.getSpans(traceId)).toEqual([ended]);
    expect(store.stats()).toMatchObject({ spans: 1, inFlightSpans: 0 });
    expect(store.getInfo(traceId)).toMatchObject({ outcomes: ['timeout'], inFlightCount: 0, endTimeUnixNano: ended.endTimeUnixNano });
    expect(store.add([started])).toMatchObject({ added: 0, updated: 0, unchanged: 1 });
    expect(store.getSpans(traceId)).toEqual([ended]);
  });

  it('.add() - ignores an exact duplicate and keeps two different spans sharing an id', () => {
    const store = make();
    const traceId = newTraceId();
    const span = spanRecord({ traceId });
    const other = { ...span, parentSpanId: newSpanId(), startTimeUnixNano: msNanos(5), name: 'other' };
    store.add([span]);
    expect(store.add([{ ...span }])).toMatchObject({ unchanged: 1 });
    expect(store.add([other])).toMatchObject({ added: 1 });
    expect(store.getSpans(traceId)?.map((s) => s.name)).toEqual(['span', 'other']);
    // The other span moved the trace's start back.
    expect(store.getInfo(traceId)?.startTimeUnixNano).toBe(msNanos(5));
  });

  it('.add() - an ended copy with an earlier end replaces a fuller-looking one only by the version rule, and the trace end follows', () => {
    const store = make();
    const traceId = newTraceId();
    const long = spanRecord({ traceId, name: 'x', startTimeUnixNano: msNanos(100), endTimeUnixNano: msNanos(900) });
    const corrected = { ...long, endTimeUnixNano: msNanos(300), attributes: { fuller: true } };
    store.add([long]);
    expect(store.add([corrected])).toMatchObject({ updated: 1 });
    expect(store.getInfo(traceId)).toMatchObject({ endTimeUnixNano: msNanos(300), durationMs: 200 });
  });

  it('.add() - evicts the least recently active whole traces past maxTraces', () => {
    const store = make({ maxTraces: 3 });
    const ids = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
    for (const traceId of ids.slice(0, 3)) store.add([spanRecord({ traceId }), spanRecord({ traceId })]);
    store.add([spanRecord({ traceId: ids[0]! })]); // ids[0] becomes the most recently active
    const result = store.add([spanRecord({ traceId: ids[3]! })]);
    expect(result.evictedTraces).toBe(1);
    expect(store.has(ids[1]!)).toBe(false);
    expect(store.traceIds()).toEqual([ids[2], ids[0], ids[3]]);
    expect(store.stats()).toMatchObject({ traces: 3, spans: 6, evictedTraces: 1, evictedSpans: 2 });
  });

  it('.add() - evicts whole traces past maxSpans and drops spans of a trace that alone exceeds it', () => {
    const store = make({ maxSpans: 5 });
    const first = newTraceId();
    const second = newTraceId();
    store.add([spanRecord({ traceId: first }), spanRecord({ traceId: first }), spanRecord({ traceId: first })]);
    store.add([spanRecord({ traceId: second }), spanRecord({ traceId: second }), spanRecord({ traceId: second })]);
    expect(store.has(first)).toBe(false);
    expect(store.stats()).toMatchObject({ spans: 3, traces: 1, evictedTraces: 1, evictedSpans: 3 });
    const big = newTraceId();
    const result = store.add(Array.from({ length: 7 }, () => spanRecord({ traceId: big })));
    expect(result).toMatchObject({ added: 5, dropped: 2, evictedTraces: 1 });
    expect(store.stats()).toMatchObject({ spans: 5, traces: 1, droppedSpans: 2 });
  });

  it('.add() - evicts traces that last changed more than maxAgeMs ago, least recently active first, and counts them', () => {
    const clock = manualClock();
    const store = make({ maxAgeMs: 60_000, now: clock.now });
    const changes: TraceStoreChange[] = [];
    store.onChange((change) => changes.push(change));
    const old = newTraceId();
    const kept = newTraceId();
    store.add([spanRecord({ traceId: old }), spanRecord({ traceId: old })]);
    clock.advance(30_000);
    store.add([spanRecord({ traceId: kept })]);
    clock.advance(30_001);
    const fresh = newTraceId();
    expect(store.add([spanRecord({ traceId: fresh })])).toMatchObject({ added: 1, evictedTraces: 1 });
    expect(store.traceIds()).toEqual([kept, fresh]);
    expect(store.stats()).toMatchObject({ traces: 2, spans: 2, evictedTraces: 1, evictedSpans: 2, maxAgeMs: 60_000 });
    expect(changes.at(-1)).toMatchObject({ evicted: [old], traces: [{ traceId: fresh }] });
  });

  it('.evictExpired() - ages traces out without new spans, and a trace that changed is kept longer', () => {
    const clock = manualClock();
    const store = make({ maxAgeMs: 1_000, now: clock.now });
    const changes: TraceStoreChange[] = [];
    store.onChange((change) => changes.push(change));
    const a = newTraceId();
    const b = newTraceId();
    store.add([spanRecord({ traceId: a })]);
    store.add([spanRecord({ traceId: b })]);
    clock.advance(600);
    store.add([spanRecord({ traceId: a })]); // a changed at 600
    clock.advance(500);
    expect(store.evictExpired()).toBe(1);
    expect(store.traceIds()).toEqual([a]);
    expect(changes.at(-1)).toEqual({ traces: [], evicted: [b] });
    expect(store.evictExpired()).toBe(0);
    clock.advance(600);
    expect(store.evictExpired()).toBe(1);
    expect(store.stats()).toMatchObject({ traces: 0, spans: 0, evictedTraces: 2, evictedSpans: 3 });
    expect(store.findTraces({}, 10).traceIds).toEqual([]);
  });

  it('.add() - keeps at most maxSpansPerTrace spans of one trace, counts the rest per trace, and keeps other traces', () => {
    const store = make({ maxSpans: 100, maxSpansPerTrace: 10 });
    const other = newTraceId();
    store.add([spanRecord({ traceId: other })]);
    const big = newTraceId();
    const spans = Array.from({ length: 25 }, () => spanRecord({ traceId: big }));
    const changes: TraceStoreChange[] = [];
    store.onChange((change) => changes.push(change));
    expect(store.add(spans.slice(0, 15))).toMatchObject({ added: 10, dropped: 5, droppedAtTraceLimit: 5 });
    expect(store.getInfo(big)).toMatchObject({ spanCount: 10, droppedSpans: 5 });
    // A batch of nothing but drops still changes what the trace reports, so listeners hear of it.
    const version = store.getInfo(big)!.version;
    expect(store.add(spans.slice(15))).toMatchObject({ added: 0, dropped: 10, droppedAtTraceLimit: 10 });
    expect(store.getInfo(big)).toMatchObject({ spanCount: 10, droppedSpans: 15 });
    expect(store.getInfo(big)!.version).toBeGreaterThan(version);
    expect(changes.map((c) => c.traces.map((t) => t.traceId))).toEqual([[big], [big]]);
    // A new version of a kept span is still taken.
    const ended = { ...spans[0]!, name: 'renamed', endTimeUnixNano: msNanos(99_999_999_999) };
    expect(store.add([ended])).toMatchObject({ updated: 1, dropped: 0 });
    expect(store.has(other)).toBe(true);
    expect(store.stats()).toMatchObject({ spans: 11, traces: 2, droppedSpans: 15, maxSpansPerTrace: 10 });
    expect(() => make({ maxSpansPerTrace: 0 })).toThrow(new RegExp(`${name}\\.maxSpansPerTrace`));
  });

  it('TraceSummaries - a trace\'s summary says how many of its spans were dropped', () => {
    const store = make({ maxSpansPerTrace: 2 });
    const summaries = new TraceSummaries(store);
    const traceId = newTraceId();
    store.add([spanRecord({ traceId })]);
    expect(summaries.get(traceId)?.droppedSpans).toBeUndefined();
    store.add([spanRecord({ traceId }), spanRecord({ traceId }), spanRecord({ traceId })]);
    expect(summaries.get(traceId)).toMatchObject({ spanCount: 2, droppedSpans: 2 });
    summaries.dispose();
  });

  it('.add() - never exceeds its limits and keeps its counters consistent, whatever arrives', () => {
    const traceIds = Array.from({ length: 8 }, () => newTraceId());
    const spanIds = Array.from({ length: 12 }, () => newSpanId());
    const span = fc.record({ trace: fc.integer({ min: 0, max: 7 }), id: fc.integer({ min: 0, max: 11 }), ended: fc.boolean(), name: fc.constantFrom('a', 'b') });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.array(span, { maxLength: 10 }), { maxLength: 15 }), (maxTraces, maxSpans, batches) => {
        const store = make({ maxTraces, maxSpans });
        try {
          let evictedSeen = 0;
          store.onChange((change) => {
            evictedSeen += change.evicted.length;
            for (const { traceId } of change.traces) expect(store.has(traceId)).toBe(true);
          });
          for (const batch of batches) {
            store.add(
              batch.map(({ trace, id, ended, name }) => {
                const record = spanRecord({ traceId: traceIds[trace]!, spanId: spanIds[id]!, name, startTimeUnixNano: msNanos(1000 + id) });
                return ended ? record : inFlight(record);
              }),
            );
            const stats = store.stats();
            expect(stats.traces).toBeLessThanOrEqual(maxTraces);
            expect(stats.spans).toBeLessThanOrEqual(maxSpans);
            const all = store.traceIds().flatMap((traceId) => store.getSpans(traceId) ?? []);
            expect(all).toHaveLength(stats.spans);
            expect(all.filter((s) => s.endTimeUnixNano === undefined)).toHaveLength(stats.inFlightSpans);
            expect(stats.evictedTraces).toBe(evictedSeen);
            expect(store.traceCount).toBe(stats.traces);
            expect(store.findTraces({}, 1000).traceIds.sort()).toEqual(store.traceIds().sort());
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: name === 'SqliteTraceStore' ? 60 : 200 },
    );
  });

  it('.onChange() - reports added and updated spans per trace, and evictions', () => {
    const store = make({ maxTraces: 1 });
    const changes: TraceStoreChange[] = [];
    const dispose = store.onChange((change) => changes.push(change));
    const traceId = newTraceId();
    const ended = spanRecord({ traceId });
    store.add([inFlight(ended)]);
    store.add([ended, spanRecord({ traceId, name: 'new' })]);
    store.add([ended]);
    const other = newTraceId();
    store.add([spanRecord({ traceId: other })]);
    dispose();
    store.add([spanRecord({ traceId: other })]);
    expect(changes).toHaveLength(3);
    expect(changes[0]?.traces[0]).toMatchObject({ traceId, added: [inFlight(ended)], updated: [] });
    expect(changes[1]?.traces[0]?.updated).toEqual([ended]);
    expect(changes[1]?.traces[0]?.added.map((s) => s.name)).toEqual(['new']);
    expect(changes[2]).toMatchObject({ evicted: [traceId], traces: [{ traceId: other }] });
  });

  it('.onChange() - a listener that throws does not stop the store or other listeners', () => {
    const errors: unknown[] = [];
    const store = make({ onError: (error) => errors.push(error) });
    let calls = 0;
    store.onChange(() => {
      throw new Error('listener bug');
    });
    store.onChange(() => {
      calls += 1;
    });
    const traceId = newTraceId();
    store.add([spanRecord({ traceId })]);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect(store.has(traceId)).toBe(true);
  });

  it('.getInfo() - gives facets sorted, and a version that moves at every change and only then', () => {
    const store = make();
    const traceId = newTraceId();
    const span = spanRecord({ traceId, attributes: { [GenAiAttributes.TOOL_NAME]: 'zeta', [GenAiAttributes.AGENT_NAME]: 'bot' } });
    store.add([span, spanRecord({ traceId, attributes: { [GenAiAttributes.TOOL_NAME]: 'alpha' }, resource: { serviceName: 'api', attributes: {} } })]);
    const first = store.getInfo(traceId)!;
    expect(first).toMatchObject({ services: ['api', 'svc'], agents: ['bot'], tools: ['alpha', 'zeta'], outcomes: ['ok'] });
    store.add([span]);
    expect(store.getInfo(traceId)!.version).toBe(first.version);
    store.add([spanRecord({ traceId })]);
    expect(store.getInfo(traceId)!.version).toBeGreaterThan(first.version);
  });

  it('.findTraces() - filters by service, agent, tool, outcome, time and duration, newest first', () => {
    const store = make();
    const make1 = (start: number, durationMs: number, attributes: SpanRecord['attributes'], service = 'svc', status: SpanRecord['status'] = { code: 'unset' }): string => {
      const traceId = newTraceId();
      store.add([
        spanRecord({
          traceId,
          startTimeUnixNano: msNanos(start),
          endTimeUnixNano: msNanos(start + durationMs),
          attributes,
          status,
          resource: { serviceName: service, attributes: { 'service.name': service } },
        }),
      ]);
      return traceId;
    };
    const t1 = make1(1000, 50, { [GenAiAttributes.AGENT_NAME]: 'researcher', [GenAiAttributes.TOOL_NAME]: 'search', [OverlapAttributes.OUTCOME]: 'ok' });
    const t2 = make1(2000, 500, { [GenAiAttributes.TOOL_NAME]: 'fetch', [OverlapAttributes.OUTCOME]: 'timeout' }, 'billing');
    const t3 = make1(3000, 5, {}, 'svc', { code: 'error' });
    expect(store.findTraces({}, 10).traceIds).toEqual([t3, t2, t1]);
    expect(store.findTraces({}, Number.POSITIVE_INFINITY).traceIds).toEqual([t3, t2, t1]);
    expect(store.findTraces({ service: 'billing' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ agent: 'researcher' }, 10).traceIds).toEqual([t1]);
    expect(store.findTraces({ tool: 'fetch' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ outcome: 'timeout' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ outcome: 'error' }, 10).traceIds).toEqual([t3]);
    expect(store.findTraces({ sinceMs: 1500 }, 10).traceIds).toEqual([t3, t2]);
    expect(store.findTraces({ untilMs: 2000 }, 10).traceIds).toEqual([t2, t1]);
    expect(store.findTraces({ sinceMs: 2000, untilMs: 2000 }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ minDurationMs: 10, maxDurationMs: 100 }, 10).traceIds).toEqual([t1]);
    expect(store.findTraces({ minDurationMs: 50 }, 10).traceIds).toEqual([t2, t1]);
    expect(store.findTraces({ service: 'svc', tool: 'fetch' }, 10).traceIds).toEqual([]);
    expect(store.findTraces({ service: 'nobody' }, 10).traceIds).toEqual([]);
  });

  it('.findTraces() - matches facet values with any characters, a NUL included', () => {
    const store = make();
    const odd = ['a\u0000b', 'ä ü/"\'%_*', '\u0001\u001f|'];
    const ids = odd.map((service) => {
      const traceId = newTraceId();
      store.add([spanRecord({ traceId, resource: { serviceName: service, attributes: {} }, attributes: { [GenAiAttributes.TOOL_NAME]: `${service}-tool` } })]);
      return traceId;
    });
    odd.forEach((service, i) => {
      expect(store.findTraces({ service }, 10).traceIds).toEqual([ids[i]]);
      expect(store.findTraces({ tool: `${service}-tool` }, 10).traceIds).toEqual([ids[i]]);
      expect(store.getInfo(ids[i]!)).toMatchObject({ services: [service], tools: [`${service}-tool`] });
    });
    expect(store.findTraces({ service: 'a' }, 10).traceIds).toEqual([]);
  });

  it('.findTraces() - pages through every trace exactly once, even as earlier spans move a trace', () => {
    const store = make();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const traceId = newTraceId();
      ids.push(traceId);
      store.add([spanRecord({ traceId, startTimeUnixNano: msNanos(10_000 + (i % 5) * 10), endTimeUnixNano: msNanos(20_000) })]);
    }
    // A late span makes one trace start earlier: it moves in the order.
    store.add([spanRecord({ traceId: ids[3]!, startTimeUnixNano: msNanos(1), endTimeUnixNano: msNanos(2) })]);
    const seen: string[] = [];
    let page = store.findTraces({}, 7);
    seen.push(...page.traceIds);
    while (page.next !== undefined) {
      page = store.findTraces({}, 7, page.next);
      seen.push(...page.traceIds);
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen.at(-1)).toBe(ids[3]);
    expect(store.findTraces({}, 25).next).toBeUndefined();
  });

  it('.findCalls() - gives the call figures of the matching traces, so toolStatsOfCalls equals toolStats over their spans', () => {
    const store = make();
    const early = newTraceId();
    const late = newTraceId();
    const earlySpans = [
      toolCall(early, 'search', 1000, 120, { [OverlapAttributes.QUEUE_WAIT_MS]: 15, [OverlapAttributes.OUTCOME]: 'ok' }),
      toolCall(early, 'search', 1010, 80, { [OverlapAttributes.OUTCOME]: 'timeout' }),
      inFlight(toolCall(early, 'fetch', 1020, 10)),
    ];
    const lateSpans = [toolCall(late, 'fetch', 5000, 40), spanRecord({ traceId: late, startTimeUnixNano: msNanos(5000), endTimeUnixNano: msNanos(5100) })];
    store.add([...earlySpans, ...lateSpans]);
    const sorted = (calls: CallFigures[]): CallFigures[] => [...calls].sort((a, b) => a.durationMs - b.durationMs);
    const expected = [...earlySpans, ...lateSpans].map(callFigures).filter((call) => call !== undefined);
    expect(sorted(store.findCalls({}))).toEqual(sorted(expected));
    expect(toolStatsOfCalls(store.findCalls({}))).toEqual(toolStats([...earlySpans, ...lateSpans]));
    expect(toolStatsOfCalls(store.findCalls({ sinceMs: 4000 }))).toEqual(toolStats(lateSpans));
    expect(store.findCalls({ tool: 'nobody' })).toEqual([]);
    // The in-flight call counts once it ends.
    store.add([toolCall(early, 'fetch', 1020, 10)]);
    expect(store.findCalls({ untilMs: 2000 }).filter((call) => call.tool === 'fetch')).toHaveLength(1);
  });

  it('.findCalls() - counts a call recorded twice, by a framework\'s span around the runner\'s, once, with its tokens', () => {
    const store = make();
    const traceId = newTraceId();
    // The AI SDK's tool span, and inside it the runner's span of the same call, which carries the queue wait.
    const wrapper = spanRecord({
      traceId,
      name: 'ai.toolCall',
      startTimeUnixNano: msNanos(1000),
      endTimeUnixNano: msNanos(1200),
      attributes: { [AiSdkAttributes.OPERATION_ID]: 'ai.toolCall', [AiSdkAttributes.TOOL_CALL_NAME]: 'search' },
    });
    const inner = { ...toolCall(traceId, 'search', 1010, 180, { [OverlapAttributes.QUEUE_WAIT_MS]: 30 }), parentSpanId: wrapper.spanId };
    const model = toolCall(traceId, 'unused', 1300, 50, {
      [GenAiAttributes.OPERATION_NAME]: 'chat',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-test',
      [GenAiAttributes.USAGE_INPUT_TOKENS]: 120,
      [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 8,
    });
    // The inner span arrives first, its wrapper later: the count must not depend on the order.
    store.add([inner, model]);
    store.add([wrapper]);
    const calls = store.findCalls({});
    expect(calls.filter((call) => call.tool === 'search')).toEqual([callFigures(inner)]);
    expect(toolStatsOfCalls(calls)).toEqual(toolStats([wrapper, inner, model]));
    expect(toolStatsOfCalls(calls).find((stats) => stats.operation === 'chat')?.tokens).toEqual({ input: 120, output: 8 });
  });

  it('.keepSummary() - keeps a summary beside its trace until the trace is evicted', () => {
    const store = make({ maxTraces: 1 });
    const traceId = newTraceId();
    const spans = [spanRecord({ traceId, attributes: { [GenAiAttributes.AGENT_NAME]: 'bot' } })];
    store.add(spans);
    expect(store.cachedSummary(traceId)).toBeUndefined();
    const summary = summarizeTrace(assembleTrace(spans));
    store.keepSummary(traceId, { version: 7, summary });
    expect(store.cachedSummary(traceId)).toEqual({ version: 7, summary });
    store.keepSummary(newTraceId(), { version: 1, summary });
    store.add([spanRecord({ traceId: newTraceId() })]);
    expect(store.cachedSummary(traceId)).toBeUndefined();
  });

  it('.stats() - says where traces are kept and reports unbounded limits as null', () => {
    const store = make({ maxTraces: Number.POSITIVE_INFINITY, maxSpans: 10 });
    expect(store.stats()).toMatchObject({ storage: name === 'MemoryTraceStore' ? 'memory' : 'sqlite', maxTraces: null, maxSpans: 10, maxAgeMs: null });
  });
});

describe('TraceSummaries', () => {
  it.each(implementations)('.forLive() - a big trace that keeps changing is answered stale until it is worth summarising again; .get() is always current ($name)', ({ make }) => {
    const store = make({ maxSpans: 100_000, maxTraces: 10 });
    const traceId = newTraceId();
    store.add(Array.from({ length: 20_000 }, (_, i) => spanRecord({ traceId, name: `s${i}` })));
    const summaries = new TraceSummaries(store);
    expect(summaries.forLive(traceId)).toMatchObject({ stale: false, summary: { spanCount: 20_000 } });
    store.add([spanRecord({ traceId, name: 'one more' })]);
    // Summarising 20,000 spans takes milliseconds; asking again at once gets the last summary, marked
    // stale, with the counts the store keeps brought up to date.
    expect(summaries.forLive(traceId)).toMatchObject({ stale: true, summary: { spanCount: 20_001, inFlightCount: 0 } });
    expect(summaries.get(traceId)?.spanCount).toBe(20_001);
    expect(summaries.forLive(traceId)).toMatchObject({ stale: false, summary: { spanCount: 20_001 } });
    summaries.dispose();
  });
});
