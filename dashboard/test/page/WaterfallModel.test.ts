import fc from 'fast-check';
import { assembleTrace, layoutWaterfall } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
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
