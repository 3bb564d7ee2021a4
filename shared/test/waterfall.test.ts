import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '../src/attributes.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import type { AssembledTrace } from '../src/trace/assembleTrace.js';
import { layoutWaterfall } from '../src/trace/waterfall.js';
import type { WaterfallRow } from '../src/trace/waterfall.js';
import { T0, abandonedSpan, agentRun, backoff, event, id, queueSpan, rel, span, toolCall } from './spanBuilders.js';
import { cleanTraceArbitrary } from './traceArbitrary.js';

/** Depth-first pre-order by recursion over the trace's (already sorted) children: the reference order. */
function preOrder(trace: AssembledTrace, collapsed: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const visit = (spanId: string): void => {
    out.push(spanId);
    if (!collapsed.has(spanId)) trace.children.get(spanId)!.forEach(visit);
  };
  trace.roots.forEach(visit);
  return out;
}

const segmentsOf = (row: WaterfallRow): Array<[string, number, number]> =>
  row.segments.map((segment) => [segment.kind, rel(segment.startMs), rel(segment.endMs)]);

function expectContiguous(row: WaterfallRow): void {
  expect(row.segments.length).toBeGreaterThan(0);
  expect(row.segments[0]!.startMs).toBe(row.startMs);
  expect(row.segments[row.segments.length - 1]!.endMs).toBe(row.barEndMs);
  row.segments.forEach((segment, i) => {
    expect(segment.endMs).toBeGreaterThanOrEqual(segment.startMs);
    if (i > 0) expect(segment.startMs).toBe(row.segments[i - 1]!.endMs);
  });
}

describe('layoutWaterfall()', () => {
  it('layoutWaterfall() - lists rows in depth-first pre-order, children by start time, for any trace', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const trace = assembleTrace(spans);
        const layout = layoutWaterfall(trace);
        expect(layout.rows.map((row) => row.spanId)).toEqual(preOrder(trace));
        for (const row of layout.rows) {
          expect(row.depth).toBe(trace.depth.get(row.spanId));
          expect(row.hasChildren).toBe(trace.children.get(row.spanId)!.length > 0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('layoutWaterfall() - hides exactly the descendants of collapsed spans, whatever is collapsed', () => {
    fc.assert(
      fc.property(
        cleanTraceArbitrary.chain((spans) => fc.tuple(fc.constant(spans), fc.subarray(spans.map((s) => s.spanId)))),
        ([spans, collapsedIds]) => {
          const trace = assembleTrace(spans);
          const collapsed = new Set(collapsedIds);
          const layout = layoutWaterfall(trace, { collapsed });
          expect(layout.rows.map((row) => row.spanId)).toEqual(preOrder(trace, collapsed));
          for (const row of layout.rows) expect(row.collapsed).toBe(collapsed.has(row.spanId) && row.hasChildren);
          // Collapsing never rescales the time axis.
          expect(layout.endMs).toBe(layoutWaterfall(trace).endMs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('layoutWaterfall() - lays out a plain OpenTelemetry trace as rows of one run segment', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const layout = layoutWaterfall(assembleTrace(spans));
        for (const row of layout.rows) {
          expect(row.segments).toEqual([{ kind: 'run', startMs: row.startMs, endMs: row.endMs }]);
          expect(row.queueMs).toBe(0);
          expect(row.offsetMs).toBe(row.startMs - layout.startMs);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('layoutWaterfall() - folds queue spans into their call as queue segments, the rest as run', () => {
    const trace = assembleTrace([
      agentRun({ id: 'run', start: 0, end: 100 }),
      toolCall({ id: 'call', parent: 'run', start: 10, end: 60, gates: ['db', 'search.concurrency'] }),
      queueSpan({ id: 'q1', parent: 'call', gate: 'db', start: 10, end: 20 }),
      queueSpan({ id: 'q2', parent: 'call', gate: 'search.concurrency', start: 20, end: 25 }),
    ]);
    const layout = layoutWaterfall(trace);
    expect(layout.rows.map((row) => row.spanId)).toEqual([id('run'), id('call')]);
    const call = layout.rows[1]!;
    expect(segmentsOf(call)).toEqual([
      ['queue', 10, 20],
      ['queue', 20, 25],
      ['run', 25, 60],
    ]);
    expect(call.segments[0]!.label).toBe('db');
    expect(call.queueMs).toBe(15);
    expect(call.hasChildren).toBe(false);
    expect(layout.rows[0]!.hasChildren).toBe(true);
    expectContiguous(call);
  });

  it('layoutWaterfall() - shows back-off waits from retry events, and marks retries, timeouts and failed attempts', () => {
    const trace = assembleTrace([
      toolCall({
        id: 'call',
        start: 0,
        end: 100,
        attempts: 2,
        outcome: 'ok',
        events: [
          event(OverlapEvents.TIMEOUT, 30, { [OverlapAttributes.TIMEOUT_MS]: 30, [OverlapAttributes.ATTEMPT]: 1 }),
          event(OverlapEvents.ATTEMPT_FAILED, 30, { [OverlapAttributes.ATTEMPT]: 1, [GenAiAttributes.ERROR_TYPE]: 'OVERLAP_TOOL_TIMEOUT' }),
          backoff(30, 20, 2),
          event(OverlapEvents.ATTEMPT_START, 50, { [OverlapAttributes.ATTEMPT]: 2 }),
        ],
      }),
      queueSpan({ id: 'q2', parent: 'call', gate: 'db', start: 50, end: 55 }),
      abandonedSpan({ id: 'ab', parent: 'call', start: 30, end: 70, attempt: 1, settled: true }),
    ]);
    const row = layoutWaterfall(trace).rows[0]!;
    expect(segmentsOf(row)).toEqual([
      ['run', 0, 30],
      ['backoff', 30, 50],
      ['queue', 50, 55],
      ['run', 55, 100],
    ]);
    expect(row.segments[1]!.label).toBe('retry in 20 ms');
    expect(row.markers.map((marker) => [marker.kind, rel(marker.tMs), marker.label])).toEqual([
      ['timeout', 30, 'timed out after 30 ms (attempt 1)'],
      ['error', 30, 'attempt 1 failed: OVERLAP_TOOL_TIMEOUT'],
      ['retry', 50, 'attempt 2'],
    ]);
    expect(row.attempts).toBe(2);
    expect(row.outcome).toBe('ok');
  });

  it('layoutWaterfall() - draws an abandoned body after the call ends, past the call\'s end', () => {
    const trace = assembleTrace([
      toolCall({ id: 'call', start: 0, end: 50, outcome: 'timeout', status: { code: 'error', message: 'timed out' } }),
      abandonedSpan({ id: 'ab', parent: 'call', start: 50, end: 80, settled: true }),
    ]);
    const layout = layoutWaterfall(trace);
    const row = layout.rows[0]!;
    expect(segmentsOf(row)).toEqual([
      ['run', 0, 50],
      ['abandoned', 50, 80],
    ]);
    expect(row.segments[1]!.label).toBe('body settled');
    expect(rel(row.endMs)).toBe(50);
    expect(rel(row.barEndMs)).toBe(80);
    expect(row.durationMs).toBe(50);
    expect(row.outcome).toBe('timeout');
    expect(rel(layout.endMs)).toBe(80);
    expectContiguous(row);
  });

  it('layoutWaterfall() - grows in-flight bars to nowMs', () => {
    const trace = assembleTrace([
      agentRun({ id: 'run', start: 0 }),
      toolCall({ id: 'call', parent: 'run', start: 10 }),
      queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 10 }),
    ]);
    const layout = layoutWaterfall(trace, { nowMs: T0 + 40 });
    const [run, call] = layout.rows;
    expect(run!.inFlight).toBe(true);
    expect(run!.outcome).toBeUndefined();
    expect(rel(run!.endMs)).toBe(40);
    expect(segmentsOf(call!)).toEqual([['queue', 10, 40]]);
    expect(rel(layout.endMs)).toBe(40);
    expect(layout.durationMs).toBe(40);
    // Without a clock, in-flight spans end at the trace's latest known time.
    expect(rel(layoutWaterfall(trace).rows[0]!.endMs)).toBe(10);
  });

  it('layoutWaterfall() - marks cancellations, circuit changes, exceptions and an error outcome', () => {
    const trace = assembleTrace([
      toolCall({
        id: 'call',
        start: 0,
        end: 10,
        outcome: 'error',
        status: { code: 'error', message: 'upstream 503' },
        events: [
          event(OverlapEvents.CIRCUIT_STATE_CHANGE, 1, { [OverlapAttributes.CIRCUIT_STATE]: 'open', [OverlapAttributes.CIRCUIT_PREVIOUS_STATE]: 'closed' }),
          event('exception', 2, { 'exception.type': 'TypeError', 'exception.message': 'bad' }),
        ],
      }),
      toolCall({ id: 'other', start: 0, end: 5, outcome: 'cancelled', events: [event(OverlapEvents.CANCELLED, 5, { [OverlapAttributes.ERROR_MESSAGE]: 'run ended' })] }),
    ]);
    const [call, other] = layoutWaterfall(trace).rows;
    expect(call!.markers.map((marker) => [marker.kind, marker.label])).toEqual([
      ['circuit', 'circuit closed → open'],
      ['error', 'TypeError: bad'],
      ['error', 'upstream 503'],
    ]);
    expect(other!.markers.map((marker) => [marker.kind, rel(marker.tMs), marker.label])).toEqual([['cancelled', 5, 'run ended']]);
  });

  it('layoutWaterfall() - keeps rows for a queue span that has children or whose call is missing', () => {
    const trace = assembleTrace([
      queueSpan({ id: 'orphanq', parent: 'gone', gate: 'db', start: 0, end: 5 }),
      toolCall({ id: 'call', start: 0, end: 10 }),
      queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 0, end: 5 }),
      span({ id: 'odd', parent: 'q', start: 1, end: 2 }),
    ]);
    expect(layoutWaterfall(trace).rows.map((row) => row.spanId)).toEqual([id('call'), id('q'), id('odd'), id('orphanq')]);
  });

  it('layoutWaterfall() - cuts every bar into contiguous segments, whatever the queue spans and back-offs', () => {
    const interval = fc.tuple(fc.integer({ min: -20, max: 120 }), fc.integer({ min: 0, max: 60 }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 4 }), fc.array(interval, { maxLength: 3 }), fc.option(fc.integer({ min: 0, max: 150 })), (queues, backoffs, abandonedEnd) => {
        const spans = [
          toolCall({ id: 'call', start: 0, end: 100, events: backoffs.map(([at, delay]) => backoff(at, delay, 2)) }),
          ...queues.map(([at, length], i) => queueSpan({ id: `q${i}`, parent: 'call', gate: `g${i}`, start: Math.max(0, at), end: Math.max(0, at) + length })),
        ];
        if (abandonedEnd !== null) spans.push(abandonedSpan({ id: 'ab', parent: 'call', start: 50, end: Math.max(50, abandonedEnd) }));
        const row = layoutWaterfall(assembleTrace(spans)).rows[0]!;
        expectContiguous(row);
        for (const segment of row.segments) {
          if (segment.kind === 'abandoned') expect(segment.startMs).toBe(row.endMs);
          else expect(segment.endMs).toBeLessThanOrEqual(row.endMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('layoutWaterfall() - does not change the trace', () => {
    const spans = [toolCall({ id: 'call', start: 0, end: 10 }), queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 0, end: 5 })];
    const before = JSON.stringify(spans);
    const trace = assembleTrace(spans);
    const roots = [...trace.roots];
    layoutWaterfall(trace, { collapsed: new Set([id('call')]) });
    expect(JSON.stringify(spans)).toBe(before);
    expect(trace.roots).toEqual(roots);
  });
});
