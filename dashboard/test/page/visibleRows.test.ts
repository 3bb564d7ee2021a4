import fc from 'fast-check';
import { assembleTrace, layoutWaterfall } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { SpanSet } from '../../src/page/trace/SpanSet.js';
import { visibleRows } from '../../src/page/trace/visibleRows.js';
import { liveTraceArbitrary } from './liveTraceArbitrary.js';

describe('visibleRows', () => {
  it('visibleRows() - equals layoutWaterfall with the same spans collapsed', () => {
    fc.assert(
      fc.property(liveTraceArbitrary(), fc.array(fc.nat(30), { maxLength: 6 }), ({ batches, nowMs }, picks) => {
        const set = new SpanSet();
        for (const batch of batches) set.add(batch);
        const trace = assembleTrace(set.values());
        const full = layoutWaterfall(trace, { nowMs });
        const ids = [...trace.spans.keys()];
        const collapsed = new Set(picks.map((pick) => ids[pick % ids.length]!));

        expect(visibleRows(full.rows, collapsed)).toEqual(layoutWaterfall(trace, { nowMs, collapsed }).rows);
      }),
      { numRuns: 200 },
    );
  });

  it('visibleRows() - returns the rows themselves when nothing is collapsed', () => {
    const rows = layoutWaterfall(assembleTrace([])).rows;
    expect(visibleRows(rows, new Set())).toBe(rows);
  });
});
