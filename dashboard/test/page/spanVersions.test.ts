// The trace assembly, the server's store and the page's span set hold the same version of a span,
// whatever order its versions arrive in: they all decide with @overlap/shared's compareSpanVersions.
import { assembleTrace } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpanSet } from '../../src/page/trace/SpanSet.js';
import { MemoryTraceStore } from '../../src/server/index.js';
import { msNanos, newSpanId, newTraceId, spanRecord } from '../server/helpers.js';

const traceId = newTraceId();
const spanId = newSpanId();

const versionArbitrary: fc.Arbitrary<SpanRecord> = fc
  .record({ ended: fc.boolean(), attributeCount: fc.nat({ max: 3 }), value: fc.constantFrom('x', 'y', 'z'), events: fc.nat({ max: 2 }) })
  .map(({ ended, attributeCount, value, events }) => {
    const version = spanRecord({
      traceId,
      spanId,
      name: 'call',
      startTimeUnixNano: msNanos(1_000),
      attributes: Object.fromEntries(Array.from({ length: attributeCount }, (_, i) => [`k${i}`, value])),
      events: Array.from({ length: events }, (_, i) => ({ name: `e${i}`, timeUnixNano: msNanos(1_001), attributes: {} })),
    });
    if (ended) version.endTimeUnixNano = msNanos(1_050);
    else delete version.endTimeUnixNano;
    return version;
  });

describe('compareSpanVersions() in the dashboard', () => {
  it('assembleTrace(), TraceStore.add() and SpanSet.add() - keep the same version of a span, in any arrival order', () => {
    fc.assert(
      fc.property(fc.array(versionArbitrary, { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.nat()), (versions, seeds) => {
        const arrival = versions.map((v) => ({ v, key: seeds.next().value })).sort((a, b) => a.key - b.key).map(({ v }) => v);
        const assembled = assembleTrace(versions).spans.get(spanId);

        const store = new MemoryTraceStore();
        for (const version of arrival) store.add([version]);
        const stored = store.getSpans(traceId)?.find((s) => s.spanId === spanId);

        const page = new SpanSet();
        for (const version of arrival) page.add([version]);
        const held = page.values().find((s) => s.spanId === spanId);

        expect(stored).toEqual(assembled);
        expect(held).toEqual(assembled);
      }),
      { numRuns: 200 },
    );
  });
});
