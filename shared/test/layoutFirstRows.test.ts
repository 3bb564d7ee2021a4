import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlapAttributes, Phase } from '../src/attributes.js';
import type { SpanRecord } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { layoutFirstRows } from '../src/trace/layoutFirstRows.js';
import { layoutWaterfall } from '../src/trace/waterfall.js';
import { T0, agentRun, id, queueSpan, toolCall } from './spanBuilders.js';
import { cleanTraceArbitrary } from './traceArbitrary.js';

/** A clean trace, in any order, where some spans are queue or abandoned phase spans (folded into their parents' rows). */
const phasedTraceArbitrary: fc.Arbitrary<SpanRecord[]> = cleanTraceArbitrary.chain((spans) =>
  fc
    .array(fc.constantFrom<'none' | 'queue' | 'abandoned'>('none', 'none', 'queue', 'abandoned'), { minLength: spans.length, maxLength: spans.length })
    .map((phases) =>
      spans.map((span, index) =>
        phases[index] === 'none' ? span : { ...span, attributes: { ...span.attributes, [OverlapAttributes.PHASE]: phases[index] === 'queue' ? Phase.QUEUE : Phase.ABANDONED } },
      ),
    )
    // In any order, as a store holds them.
    .chain((phased) => fc.shuffledSubarray(phased, { minLength: phased.length, maxLength: phased.length })),
);

describe('layoutFirstRows', () => {
  it('layoutFirstRows() - gives the first rows of the full layout, its row count and its time range', () => {
    let partial = 0;
    fc.assert(
      fc.property(phasedTraceArbitrary, fc.integer({ min: 0, max: 40 }), fc.option(fc.integer({ min: 0, max: 400 })), (spans, count, nowUs) => {
        const nowMs = nowUs === null ? undefined : T0 + nowUs / 1000;
        const full = layoutWaterfall(assembleTrace(spans), nowMs === undefined ? {} : { nowMs });
        const first = layoutFirstRows(spans, count, nowMs === undefined ? {} : { nowMs });
        expect(first).toBeDefined();
        expect(first!.rows).toEqual(full.rows.slice(0, count));
        expect(first!.rowCount).toBe(full.rows.length);
        expect([first!.startMs, first!.endMs, first!.nowMs]).toEqual([full.startMs, full.endMs, full.nowMs]);
        if (count < full.rows.length) partial += 1;
      }),
      { numRuns: 1000 },
    );
    // The property must cover cut-off layouts, not only whole ones.
    expect(partial).toBeGreaterThan(100);
  });

  it('layoutFirstRows() - leaves traces that need the full assembly\'s repairs to it', () => {
    const root = agentRun({ id: 'root', start: 0, end: 100 });
    const call = toolCall({ id: 'call', parent: 'root', start: 1, end: 50 });
    expect(layoutFirstRows([root, call, { ...call, startTimeUnixNano: `${BigInt(call.startTimeUnixNano) + 1000n}` }], 10)).toBeUndefined();
    const a = toolCall({ id: 'a', parent: 'b', start: 1, end: 5 });
    const b = toolCall({ id: 'b', parent: 'a', start: 2, end: 6 });
    expect(layoutFirstRows([root, a, b], 10)).toBeUndefined();
  });

  it('layoutFirstRows() - folds a queue span into its call\'s row and says the last row drawn has children', () => {
    const root = agentRun({ id: 'root', start: 0, end: 100 });
    const call = toolCall({ id: 'call', parent: 'root', start: 1, end: 50 });
    const wait = queueSpan({ id: 'wait', parent: 'call', start: 1, end: 20, gate: 'api' });
    const later = toolCall({ id: 'later', parent: 'root', start: 60, end: 90 });
    const first = layoutFirstRows([later, wait, call, root], 1)!;
    expect(first.rows.map((row) => [row.spanId, row.hasChildren])).toEqual([[id('root'), true]]);
    expect(first.rowCount).toBe(3);
    expect(layoutFirstRows([later, wait, call, root], 2)!.rows[1]!.segments.map((segment) => segment.kind)).toEqual(['queue', 'run']);
  });

  it('layoutFirstRows() - keeps the row of a phase span whose children have rows, when the cut falls right after it', () => {
    const root = agentRun({ id: 'root', start: 0, end: 100 });
    const body = { ...queueSpan({ id: 'body', parent: 'root', start: 1, end: 50, gate: 'api' }), attributes: { [OverlapAttributes.PHASE]: Phase.ABANDONED } };
    const nested = toolCall({ id: 'nested', parent: 'body', start: 2, end: 40 });
    const full = layoutWaterfall(assembleTrace([root, body, nested]));
    expect(layoutFirstRows([nested, body, root], 2)!.rows).toEqual(full.rows.slice(0, 2));
  });
});
