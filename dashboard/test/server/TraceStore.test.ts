import fc from 'fast-check';
import type { SpanRecord } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, TraceStore } from '../../src/server/index.js';
import type { TraceStoreChange } from '../../src/server/index.js';
import { TraceSummaries } from '../../src/server/api/TraceSummaries.js';
import { msNanos, newSpanId, newTraceId, spanRecord } from './helpers.js';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';

function inFlight(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...rest } = span;
  return rest;
}

describe('TraceStore', () => {
  it('constructor - rejects limits that are not positive integers, naming the option', () => {
    expect(() => new TraceStore({ maxSpans: 0 })).toThrow(InvalidOptionError);
    expect(() => new TraceStore({ maxSpans: 0 })).toThrow(/TraceStore\.maxSpans/);
    expect(() => new TraceStore({ maxTraces: 1.5 })).toThrow(/TraceStore\.maxTraces/);
  });

  it('.add() - merges a trace that arrives split, late and out of order', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'root', startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(2000) });
    const a = spanRecord({ traceId, name: 'a', parentSpanId: root.spanId, startTimeUnixNano: msNanos(1100), endTimeUnixNano: msNanos(1500) });
    const b = spanRecord({ traceId, name: 'b', parentSpanId: a.spanId, startTimeUnixNano: msNanos(1200), endTimeUnixNano: msNanos(1300) });
    store.add([b]);
    store.add([spanRecord({ traceId: newTraceId() })]);
    store.add([root]);
    store.add([a]);
    expect(store.getSpans(traceId)?.map((s) => s.name)).toEqual(['b', 'root', 'a']);
    expect(store.getInfo(traceId)).toMatchObject({ startTimeUnixNano: msNanos(1000), endTimeUnixNano: msNanos(2000), durationMs: 1000, spanCount: 3 });
  });

  it('.add() - replaces an in-flight span with its ended version and never the reverse', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const ended = spanRecord({ traceId, attributes: { [OverlapAttributes.OUTCOME]: 'timeout', [GenAiAttributes.TOOL_NAME]: 'search' } });
    const started = { ...inFlight(ended), attributes: { [GenAiAttributes.TOOL_NAME]: 'search' } };
    expect(store.add([started])).toMatchObject({ added: 1, updated: 0 });
    expect(store.stats().inFlightSpans).toBe(1);
    expect(store.getInfo(traceId)?.outcomes).toEqual([]);
    expect(store.add([ended])).toMatchObject({ added: 0, updated: 1 });
    expect(store.getSpans(traceId)).toEqual([ended]);
    expect(store.stats()).toMatchObject({ spans: 1, inFlightSpans: 0 });
    expect(store.getInfo(traceId)?.outcomes).toEqual(['timeout']);
    expect(store.add([started])).toMatchObject({ added: 0, updated: 0, unchanged: 1 });
    expect(store.getSpans(traceId)).toEqual([ended]);
  });

  it('.add() - ignores an exact duplicate and keeps two different spans sharing an id', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const span = spanRecord({ traceId });
    const other = { ...span, parentSpanId: newSpanId(), startTimeUnixNano: msNanos(5), name: 'other' };
    store.add([span]);
    expect(store.add([{ ...span }])).toMatchObject({ unchanged: 1 });
    expect(store.add([other])).toMatchObject({ added: 1 });
    expect(store.getSpans(traceId)?.map((s) => s.name)).toEqual(['span', 'other']);
  });

  it('.add() - evicts the least recently active whole traces past maxTraces', () => {
    const store = new TraceStore({ maxTraces: 3 });
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
    const store = new TraceStore({ maxSpans: 5 });
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

  it('.add() - never exceeds its limits and keeps its counters consistent, whatever arrives', () => {
    const traceIds = Array.from({ length: 8 }, () => newTraceId());
    const spanIds = Array.from({ length: 12 }, () => newSpanId());
    const span = fc.record({ trace: fc.integer({ min: 0, max: 7 }), id: fc.integer({ min: 0, max: 11 }), ended: fc.boolean(), name: fc.constantFrom('a', 'b') });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.array(span, { maxLength: 10 }), { maxLength: 15 }), (maxTraces, maxSpans, batches) => {
        const store = new TraceStore({ maxTraces, maxSpans });
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
          expect(store.findTraces({}, 1000).traceIds.sort()).toEqual(store.traceIds().sort());
        }
      }),
      { numRuns: 200 },
    );
  });

  it('.onChange() - reports added and updated spans per trace, and evictions', () => {
    const store = new TraceStore({ maxTraces: 1 });
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
    const store = new TraceStore({ onError: (error) => errors.push(error) });
    let calls = 0;
    store.onChange(() => {
      throw new Error('listener bug');
    });
    store.onChange(() => {
      calls += 1;
    });
    store.add([spanRecord({ traceId: newTraceId() })]);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('.findTraces() - filters by service, agent, tool, outcome, time and duration, newest first', () => {
    const store = new TraceStore();
    const make = (start: number, durationMs: number, attributes: SpanRecord['attributes'], service = 'svc', status: SpanRecord['status'] = { code: 'unset' }): string => {
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
    const t1 = make(1000, 50, { [GenAiAttributes.AGENT_NAME]: 'researcher', [GenAiAttributes.TOOL_NAME]: 'search', [OverlapAttributes.OUTCOME]: 'ok' });
    const t2 = make(2000, 500, { [GenAiAttributes.TOOL_NAME]: 'fetch', [OverlapAttributes.OUTCOME]: 'timeout' }, 'billing');
    const t3 = make(3000, 5, {}, 'svc', { code: 'error' });
    expect(store.findTraces({}, 10).traceIds).toEqual([t3, t2, t1]);
    expect(store.findTraces({ service: 'billing' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ agent: 'researcher' }, 10).traceIds).toEqual([t1]);
    expect(store.findTraces({ tool: 'fetch' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ outcome: 'timeout' }, 10).traceIds).toEqual([t2]);
    expect(store.findTraces({ outcome: 'error' }, 10).traceIds).toEqual([t3]);
    expect(store.findTraces({ sinceMs: 1500 }, 10).traceIds).toEqual([t3, t2]);
    expect(store.findTraces({ untilMs: 2000 }, 10).traceIds).toEqual([t2, t1]);
    expect(store.findTraces({ minDurationMs: 10, maxDurationMs: 100 }, 10).traceIds).toEqual([t1]);
    expect(store.findTraces({ service: 'svc', tool: 'fetch' }, 10).traceIds).toEqual([]);
    expect(store.findTraces({ service: 'nobody' }, 10).traceIds).toEqual([]);
  });

  it('.findTraces() - pages through every trace exactly once, even as earlier spans move a trace', () => {
    const store = new TraceStore();
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
  });
});

describe('TraceSummaries', () => {
  it('.forLive() - a big trace that keeps changing is answered stale until it is worth summarising again; .get() is always current', () => {
    const store = new TraceStore({ maxSpans: 100_000, maxTraces: 10 });
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
