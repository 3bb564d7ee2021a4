import { assembleTrace, GenAiAttributes, layoutWaterfall, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { buildWaterfallFrame } from '../../src/page/waterfall/waterfallFrame.js';
import { agentRoot, span, toolCall } from './pageHarness.js';

describe('buildWaterfallFrame', () => {
  const t0 = 1_764_072_000_000;
  const traceId = 'fade0000fade0000fade0000fade0000';
  const root = agentRoot(traceId, 'frame', t0, t0 + 1000);
  const queued = toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'g', startMs: t0 + 100, queueMs: 200, endMs: t0 + 600 });
  const failed = toolCall({ traceId, parentSpanId: root.spanId, tool: 'fetch', gate: 'g', startMs: t0 + 150, queueMs: 0, endMs: t0 + 400, outcome: 'timeout', events: [{ name: OverlapEvents.TIMEOUT, tMs: t0 + 400, attributes: { [OverlapAttributes.TIMEOUT_MS]: 250 } }] });
  const running = span({ traceId, parentSpanId: root.spanId, name: 'execute_tool slow', startMs: t0 + 700, endMs: undefined, attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool' } });
  const layout = layoutWaterfall(assembleTrace([root, ...queued, ...failed, running]), { nowMs: t0 + 900 });

  it('buildWaterfallFrame() - puts each segment in the dataset of its kind, in ms from the trace start, at its slot', () => {
    const frame = buildWaterfallFrame({ rows: layout.rows, start: 0, size: 10, originMs: layout.startMs, endMs: layout.endMs, criticalPath: new Map() });

    expect(frame.bars.queue).toEqual([{ x: [100, 300], y: 1, spanId: queued[0]!.spanId, label: 'g' }]);
    expect(frame.bars.run.map((bar) => [bar.y, bar.x])).toEqual([
      [0, [0, 1000]],
      [1, [300, 600]],
    ]);
    expect(frame.bars.runFailed.map((bar) => [bar.y, bar.x])).toEqual([[2, [150, 400]]]);
    expect(frame.bars.runInFlight.map((bar) => [bar.y, bar.x])).toEqual([[3, [700, 900]]]);
    expect(frame.markers.timeout).toEqual([{ x: 400, y: 2, spanId: failed[0]!.spanId, label: 'timed out after 250 ms' }]);
    expect(frame.xMaxMs).toBe(1000);
  });

  it('buildWaterfallFrame() - clips critical-path stretches to the bar as drawn', () => {
    const frame = buildWaterfallFrame({
      rows: layout.rows,
      start: 0,
      size: 10,
      originMs: layout.startMs,
      endMs: layout.endMs,
      criticalPath: new Map([[running.spanId, [{ spanId: running.spanId, startMs: t0 + 700, endMs: t0 + 950 }]]]),
    });

    expect(frame.critical).toEqual([{ x: [700, 900], y: 3, spanId: running.spanId }]);
  });
});
