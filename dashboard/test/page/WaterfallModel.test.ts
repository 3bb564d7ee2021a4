import fc from 'fast-check';
import { GenAiAttributes, assembleTrace, layoutWaterfall, queuedCallSpans, spanVersionKey } from '@overlap/shared';
import type { QueuedCall, SpanRecord } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { SpanSet } from '../../src/page/trace/SpanSet.js';
import { WaterfallModel } from '../../src/page/trace/WaterfallModel.js';
import { agentRoot, toolCall } from './pageHarness.js';
import { liveTraceArbitrary } from './liveTraceArbitrary.js';

/** What the full layout of every span received so far gives. */
function fullLayout(received: readonly SpanRecord[], nowMs: number) {
  const set = new SpanSet();
  set.add(received);
  return layoutWaterfall(assembleTrace(set.values()), { nowMs });
}

describe('WaterfallModel', () => {
  it('.add() - gives the rows of a full layout after every batch, however the spans arrive', () => {
    let patched = 0;
    fc.assert(
      fc.property(liveTraceArbitrary(), ({ batches, nowMs }) => {
        const model = new WaterfallModel();
        const received: SpanRecord[] = [];
        for (const batch of batches) {
          received.push(...batch);
          if (model.add(batch, nowMs) === 'patched') patched += 1;
          const expected = fullLayout(received, nowMs);
          expect(model.rows).toEqual(expected.rows);
          expect(model.startMs).toBe(expected.startMs);
          // The row index, kept across inserted rows, finds every row where it is.
          expect(model.rows.map((row) => model.indexOf(row.spanId))).toEqual(model.rows.map((_, index) => index));
          expect(model.endMs).toBeGreaterThanOrEqual(Math.max(...expected.rows.map((row) => row.barEndMs)));
        }
      }),
      { numRuns: 300 },
    );
    // The property must exercise the incremental path, not only full rebuilds.
    expect(patched).toBeGreaterThan(100);
  });

  it('.add() - patches a new call and its queue span into a large trace without laying it out again', () => {
    const t0 = 1_764_072_000_000;
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const root = agentRoot(traceId, 'big', t0, t0 + 60_000);
    const spans: SpanRecord[] = [root];
    for (let i = 0; i < 2000; i += 1) spans.push(...toolCall({ traceId, parentSpanId: root.spanId, tool: `t${i % 5}`, gate: 'g', startMs: t0 + i * 10, queueMs: i % 2 === 0 ? 3 : 0, endMs: t0 + i * 10 + 50 }));
    const model = new WaterfallModel();
    expect(model.add(spans, t0 + 60_000)).toBe('rebuilt');
    const late = toolCall({ traceId, parentSpanId: root.spanId, tool: 'late', gate: 'g', startMs: t0 + 5, queueMs: 2, endMs: t0 + 9 });

    expect(model.add(late, t0 + 60_000)).toBe('patched');

    expect(model.rebuilds.count).toBe(1);
    expect(model.rows).toEqual(fullLayout([...spans, ...late], t0 + 60_000).rows);
    const row = model.row(late[0]!.spanId)!;
    expect(row.segments.map((segment) => segment.kind)).toEqual(['queue', 'run']);
    expect(model.indexOf(late[0]!.spanId)).toBe(2);
  });

  it('.indexOf() - finds every row after rows were inserted and removed anywhere, without laying the trace out again', () => {
    const t0 = 1_764_072_000_000;
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee04';
    const root = agentRoot(traceId, 'big', t0, t0 + 60_000);
    const spans: SpanRecord[] = [root];
    for (let i = 0; i < 300; i += 1) spans.push(...toolCall({ traceId, parentSpanId: root.spanId, tool: 't', gate: 'g', startMs: t0 + i * 10, queueMs: 0, endMs: t0 + i * 10 + 5 }));
    const model = new WaterfallModel();
    model.add(spans, t0 + 60_000);
    model.indexOf(root.spanId);
    const placeholders: SpanRecord[] = [];
    for (const at of [2_995, 5, 1_500, 6, 2_000, 3]) {
      const [call] = toolCall({ traceId, parentSpanId: root.spanId, tool: 'late', gate: 'g', startMs: t0 + at, queueMs: 0, endMs: t0 + at + 1 });
      expect(model.add([call!], t0 + 60_000)).toBe('patched');
      placeholders.push(call!);
    }
    expect(model.update({ remove: [spanVersionKey(placeholders[1]!), spanVersionKey(placeholders[4]!)], add: [] }, t0 + 60_000)).toBe('patched');
    expect(model.rebuilds.count).toBe(1);
    expect(model.rows.map((row) => model.indexOf(row.spanId))).toEqual(model.rows.map((_, index) => index));
    expect(model.indexOf(placeholders[1]!.spanId)).toBeUndefined();
  });

  it('.add() - lays the trace out again when a parent arrives after its children', () => {
    const t0 = 1_764_072_000_000;
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee01';
    const root = agentRoot(traceId, 'late-parent', t0, t0 + 1000);
    const call = toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'g', startMs: t0 + 10, queueMs: 0, endMs: t0 + 100 });
    const model = new WaterfallModel();
    model.add(call, t0 + 1000);
    expect(model.rows.map((row) => row.depth)).toEqual([0]);

    expect(model.add([root], t0 + 1000)).toBe('rebuilt');

    expect(model.rebuilds.lastReason).toBe('parent arrived after its children');
    expect(model.rows.map((row) => [row.name, row.depth])).toEqual([
      ['invoke_agent late-parent', 0],
      ['execute_tool search', 1],
    ]);
  });

  it('.update() - gives the rows of a full layout while placeholders of queued calls come and go between batches', () => {
    let patched = 0;
    fc.assert(
      fc.property(
        liveTraceArbitrary(),
        fc.array(fc.record({ at: fc.nat(), leaveAfter: fc.nat({ max: 3 }), parent: fc.nat(), delayUs: fc.integer({ min: 1, max: 900_000 }), ownSpan: fc.boolean() }), { maxLength: 6 }),
        ({ batches, nowMs }, waits) => {
          const model = new WaterfallModel();
          const received: SpanRecord[] = [];
          const held = new Map<number, SpanRecord[]>();
          batches.forEach((batch, step) => {
            const remove: string[] = [];
            for (const [w, placeholders] of held) {
              if (step < waits[w]!.at % batches.length + waits[w]!.leaveAfter + 1) continue;
              remove.push(...placeholders.map(spanVersionKey));
              held.delete(w);
            }
            received.push(...batch);
            const add = [...batch];
            waits.forEach((wait, w) => {
              if (wait.at % batches.length !== step) return;
              // Under a span that is not a phase span, started after the trace's first span.
              const parents = received.filter((span) => !span.name.startsWith('queue') && !span.name.startsWith('abandoned'));
              const parent = parents[wait.parent % parents.length];
              if (parent === undefined) return;
              const startNanos = (BigInt(parent.startTimeUnixNano) + BigInt(wait.delayUs) * 1000n).toString();
              const call: QueuedCall = {
                queueId: `w${w}`, traceId: parent.traceId, parentSpanId: parent.spanId, spanName: 'execute_tool waiting',
                attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool' }, gate: 'g', gateKind: 'semaphore',
                issuedAtUnixNano: startNanos, queuedAtUnixNano: startNanos, ahead: w, serviceName: 'svc',
                ...(wait.ownSpan && parent.name.startsWith('call') ? { callSpanId: parent.spanId } : {}),
              };
              const placeholders = queuedCallSpans(call);
              held.set(w, placeholders);
              add.push(...placeholders);
            });
            if (model.update({ remove, add }, nowMs) === 'patched' && remove.length > 0) patched += 1;
            const expected = fullLayout([...received, ...[...held.values()].flat()], nowMs);
            expect(model.rows).toEqual(expected.rows);
            expect(model.rows.map((row) => model.indexOf(row.spanId))).toEqual(model.rows.map((_, index) => index));
            expect(model.startMs).toBe(expected.startMs);
          });
        },
      ),
      { numRuns: 300 },
    );
    // Placeholders must mostly be patched out, not laid out again.
    expect(patched).toBeGreaterThan(25);
  });

  it('.update() - replaces a queued call\'s placeholders by its real spans in one patch', () => {
    const t0 = 1_764_072_000_000;
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee03';
    const root = agentRoot(traceId, 'burst', t0, undefined);
    const running = toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'g', startMs: t0 + 1, queueMs: 0, endMs: undefined });
    const model = new WaterfallModel();
    model.add([root, ...running], t0 + 50);
    const call: QueuedCall = {
      queueId: 'q1', traceId, parentSpanId: root.spanId, spanName: 'execute_tool search', attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'search' },
      gate: 'g', gateKind: 'semaphore', issuedAtUnixNano: `${t0 + 2}000000`, queuedAtUnixNano: `${t0 + 2}000000`, ahead: 0, serviceName: 'svc',
    };
    const placeholders = queuedCallSpans(call);
    expect(model.update({ add: placeholders }, t0 + 50)).toBe('patched');
    expect(model.rows.map((row) => [row.spanId, row.inFlight, row.segments.map((segment) => segment.kind).join()])).toEqual([
      [root.spanId, true, 'run'],
      [running[0]!.spanId, true, 'run'],
      ['queued:q1', true, 'queue'],
    ]);

    const real = toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'g', startMs: t0 + 2, queueMs: 30, endMs: undefined });
    expect(model.update({ remove: placeholders.map(spanVersionKey), add: real }, t0 + 50)).toBe('patched');

    expect(model.rebuilds.count).toBe(1);
    expect(model.rows).toEqual(fullLayout([root, ...running, ...real], t0 + 50).rows);
    expect(model.rows.map((row) => row.spanId)).toEqual([root.spanId, running[0]!.spanId, real[0]!.spanId]);
  });

  it('.add() - ignores a batch that repeats spans already held', () => {
    const t0 = 1_764_072_000_000;
    const root = agentRoot('c0ffee00c0ffee00c0ffee00c0ffee02', 'repeat', t0, t0 + 10);
    const model = new WaterfallModel();
    model.add([root], t0);
    const rows = model.rows;

    expect(model.add([{ ...root }], t0)).toBe('unchanged');
    expect(model.rows).toBe(rows);
  });
});
