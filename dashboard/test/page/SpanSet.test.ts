import fc from 'fast-check';
import { spanVersionKey } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { SpanSet } from '../../src/page/trace/SpanSet.js';
import { agentRoot, inFlight } from './pageHarness.js';
import { liveTraceArbitrary } from './liveTraceArbitrary.js';

describe('SpanSet', () => {
  it('.add() - replaces an in-flight version with the ended one', () => {
    const ended = agentRoot('d00dd00dd00dd00dd00dd00dd00dd00d', 'a', 1_764_072_000_000, 1_764_072_000_500);
    const spans = new SpanSet();
    spans.add([inFlight(ended)]);

    const change = spans.add([ended]);

    expect(change.added).toEqual([]);
    expect(change.replaced).toHaveLength(1);
    expect(spans.get(spanVersionKey(ended))).toBe(ended);
  });

  it('.add() - never replaces an ended version with an in-flight one', () => {
    const ended = agentRoot('d00dd00dd00dd00dd00dd00dd00dd00e', 'a', 1_764_072_000_000, 1_764_072_000_500);
    const spans = new SpanSet();
    spans.add([ended]);

    const change = spans.add([inFlight(ended)]);

    expect(change).toEqual({ added: [], replaced: [] });
    expect(spans.get(spanVersionKey(ended))).toBe(ended);
  });

  it('.add() - holds the same spans whatever order the versions arrive in', () => {
    fc.assert(
      fc.property(liveTraceArbitrary(), fc.infiniteStream(fc.nat()), ({ batches }, seeds) => {
        const deliveries = batches.flat();
        const shuffled = [...deliveries].map((span) => ({ span, key: seeds.next().value })).sort((a, b) => a.key - b.key).map((entry) => entry.span);
        const inOrder = new SpanSet();
        inOrder.add(deliveries);
        const outOfOrder = new SpanSet();
        for (const span of shuffled) outOfOrder.add([span]);

        const byKey = (set: SpanSet) => new Map(set.values().map((span) => [spanVersionKey(span), span.endTimeUnixNano]));
        expect(byKey(outOfOrder)).toEqual(byKey(inOrder));
      }),
      { numRuns: 100 },
    );
  });
});
