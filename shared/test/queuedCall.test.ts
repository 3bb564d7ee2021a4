import { describe, expect, it } from 'vitest';
import { GenAiAttributes, OverlapAttributes } from '../src/attributes.js';
import { readDequeuedCalls, readQueuedCalls } from '../src/live/QueuedCall.js';
import type { QueuedCall } from '../src/live/QueuedCall.js';
import { queuedCallSpans } from '../src/live/queuedCallSpans.js';
import { msToNanos } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { concurrencyTimeline } from '../src/trace/concurrencyTimeline.js';
import { layoutWaterfall } from '../src/trace/waterfall.js';
import { T0, TRACE_ID, agentRun, id, queueSpan, toolCall } from './spanBuilders.js';

function waiting(queueId: string, startMs: number, overrides: Partial<QueuedCall> = {}): QueuedCall {
  return {
    queueId,
    traceId: TRACE_ID,
    parentSpanId: id('root'),
    spanName: 'execute_tool search',
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'search', [OverlapAttributes.GATE]: ['api'] },
    gate: 'api',
    gateKind: 'semaphore',
    issuedAtUnixNano: msToNanos(T0 + startMs),
    queuedAtUnixNano: msToNanos(T0 + startMs + 1),
    ahead: 0,
    serviceName: 'svc',
    ...overrides,
  };
}

describe('queuedCallSpans', () => {
  it('queuedCallSpans() - stands for a waiting call as an in-flight call span with an in-flight queue span under it', () => {
    const [call, queue] = queuedCallSpans(waiting('p-1', 10));
    expect(call).toMatchObject({ spanId: 'queued:p-1', parentSpanId: id('root'), name: 'execute_tool search', startTimeUnixNano: msToNanos(T0 + 10) });
    expect(call).not.toHaveProperty('endTimeUnixNano');
    expect(call!.attributes[OverlapAttributes.QUEUED_PLACEHOLDER]).toBe(true);
    expect(queue).toMatchObject({ spanId: 'queued:p-1:wait', parentSpanId: 'queued:p-1', name: 'queue api', startTimeUnixNano: msToNanos(T0 + 11) });
    expect(queue).not.toHaveProperty('endTimeUnixNano');
    expect(queuedCallSpans(waiting('p-1', 10))).toEqual([call, queue]);
  });

  it('queuedCallSpans() - puts a second wait of a call that has a span inside that span', () => {
    const spans = queuedCallSpans(waiting('p-2', 10, { callSpanId: id('call') }));
    expect(spans.map((span) => [span.spanId, span.parentSpanId])).toEqual([['queued:p-2:wait', id('call')]]);
  });

  it('queuedCallSpans() - draws a queued bar and counts the call as waiting at its gate, as the trace maths count any call', () => {
    const trace = assembleTrace([
      agentRun({ id: 'root', start: 0 }),
      toolCall({ id: 'running', parent: 'root', start: 1, gates: ['api'] }),
      ...queuedCallSpans(waiting('p-3', 2)),
      ...queuedCallSpans(waiting('p-4', 3)),
    ]);
    const rows = layoutWaterfall(trace, { nowMs: T0 + 50 }).rows;
    expect(rows.map((row) => [row.spanId, row.inFlight, row.segments.map((segment) => segment.kind).join()])).toEqual([
      [id('root'), true, 'run'],
      [id('running'), true, 'run'],
      ['queued:p-3', true, 'run,queue'],
      ['queued:p-4', true, 'run,queue'],
    ]);
    const gate = concurrencyTimeline(trace, { nowMs: T0 + 50 }).gates.find((series) => series.gate === 'api')!;
    expect(gate.points.at(-2)).toMatchObject({ inFlight: 1, queued: 2 });
    expect(gate.maxQueued).toBe(2);
  });

  it('queuedCallSpans() - leaves the real spans the same rows minus the placeholders when they go', () => {
    const base = [agentRun({ id: 'root', start: 0, end: 100 }), toolCall({ id: 'call', parent: 'root', start: 2, end: 50, gates: ['api'] }), queueSpan({ id: 'wait', parent: 'call', start: 3, end: 20, gate: 'api' })];
    const withPlaceholder = layoutWaterfall(assembleTrace([...base, ...queuedCallSpans(waiting('p-5', 60))]), { nowMs: T0 + 100 });
    const without = layoutWaterfall(assembleTrace(base), { nowMs: T0 + 100 });
    expect(withPlaceholder.rows.filter((row) => !row.spanId.startsWith('queued:'))).toEqual(without.rows);
  });
});

describe('readQueuedCalls', () => {
  it('readQueuedCalls() - keeps valid records, refuses bad ones one by one with the first problem in words', () => {
    const good = waiting('r-1', 1);
    const reading = readQueuedCalls([good, { ...good, queueId: 'r-2', traceId: 'nope' }, { ...good, queueId: 'r-3', ahead: -1 }, 'text']);
    expect(reading.records).toEqual([good]);
    expect(reading.rejected).toBe(3);
    expect(reading.firstProblem).toBe('queued[1].traceId: expected 32 lowercase hex characters, received "nope"');
    expect(readQueuedCalls(undefined)).toEqual({ records: [], rejected: 0, firstProblem: undefined });
    expect(readQueuedCalls({}).rejected).toBe(1);
  });

  it('readQueuedCalls() - keeps only the known fields and plain attribute values', () => {
    const reading = readQueuedCalls([{ ...waiting('r-4', 1), extra: 'dropped', attributes: { kept: 'yes', list: ['a'], nested: { no: 1 }, nan: Number.NaN } }]);
    expect(reading.records[0]).not.toHaveProperty('extra');
    expect(reading.records[0]!.attributes).toEqual({ kept: 'yes', list: ['a'] });
  });

  it('readQueuedCalls() - normalises times as spans are, refuses times past 64 bits, and keeps a __proto__ attribute as a plain key', () => {
    const good = waiting('r-5', 1);
    const padded = readQueuedCalls([{ ...good, issuedAtUnixNano: `000${good.issuedAtUnixNano}` }]);
    expect(padded.records[0]!.issuedAtUnixNano).toBe(good.issuedAtUnixNano);
    expect(readQueuedCalls([{ ...good, queuedAtUnixNano: '99999999999999999999' }]).rejected).toBe(1);
    const hostile = JSON.parse(`{"__proto__": ["polluted"], "kept": "yes"}`) as Record<string, unknown>;
    const attributes = readQueuedCalls([{ ...good, attributes: hostile }]).records[0]!.attributes;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes).sort()).toEqual(['__proto__', 'kept']);
  });

  it('readDequeuedCalls() - reads trace and queue ids', () => {
    expect(readDequeuedCalls([{ traceId: TRACE_ID, queueId: 'r-1' }, { traceId: TRACE_ID }]).records).toEqual([{ traceId: TRACE_ID, queueId: 'r-1' }]);
  });
});
