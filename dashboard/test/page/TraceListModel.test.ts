import type { TraceSummary } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { TraceListModel } from '../../src/page/traces/TraceListModel.js';

function summary(traceId: string, startMs: number, spanCount = 1): TraceSummary {
  return {
    traceId,
    rootName: `root ${traceId}`,
    agentName: undefined,
    requestId: undefined,
    serviceNames: ['svc'],
    startMs,
    endMs: startMs + 10,
    wallMs: 10,
    spanCount,
    errorCount: 0,
    timeoutCount: 0,
    cancelledCount: 0,
    retryCount: 0,
    inFlightCount: 0,
    outcome: 'ok',
    callCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    sumOfCallsMs: 0,
    concurrencySavedMs: 0,
    speedup: 1,
  };
}

describe('TraceListModel', () => {
  it('.apply() - lists traces newest start first, ties by trace id', () => {
    const list = new TraceListModel();
    list.apply([summary('b', 100), summary('c', 300), summary('a', 100)], []);

    expect(list.traces.map((trace) => trace.traceId)).toEqual(['c', 'a', 'b']);
    expect(list.newest()?.traceId).toBe('c');
  });

  it('.apply() - tells added from updated traces and replaces the summary', () => {
    const list = new TraceListModel();
    list.apply([summary('a', 100)], []);

    const change = list.apply([summary('a', 100, 5), summary('b', 200)], []);

    expect(change).toEqual({ added: ['b'], updated: ['a'], removed: [] });
    expect(list.get('a')?.spanCount).toBe(5);
  });

  it('.apply() - drops evicted traces', () => {
    const list = new TraceListModel();
    list.apply([summary('a', 100), summary('b', 200)], []);

    const change = list.apply([], ['a', 'unknown']);

    expect(change.removed).toEqual(['a']);
    expect(list.traces.map((trace) => trace.traceId)).toEqual(['b']);
  });

  it('.apply() - keeps only the newest maxTraces', () => {
    const list = new TraceListModel({ maxTraces: 2 });
    const change = list.apply([summary('a', 100), summary('b', 200), summary('c', 300)], []);

    expect(list.traces.map((trace) => trace.traceId)).toEqual(['c', 'b']);
    expect([...change.added].sort()).toEqual(['b', 'c']);
    expect(change.removed).toEqual(['a']);
  });

  it('constructor - rejects a maxTraces that is not a positive integer', () => {
    expect(() => new TraceListModel({ maxTraces: 0 })).toThrow(/maxTraces: expected an integer >= 1, received 0/);
  });
});
