import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTicks } from '../../src/page/compare/compareTicks.js';

describe('compareTicks', () => {
  it('compareTicks() - puts round ticks from 0 within the scale, at most maxTicks of them', () => {
    expect(compareTicks(1850)).toEqual([0, 500, 1000, 1500]);
    expect(compareTicks(40)).toEqual([0, 10, 20, 30, 40]);
    expect(compareTicks(0)).toEqual([0]);
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e7, noNaN: true }), fc.integer({ min: 2, max: 12 }), (scaleMs, maxTicks) => {
        const ticks = compareTicks(scaleMs, maxTicks);
        expect(ticks[0]).toBe(0);
        expect(ticks.length).toBeLessThanOrEqual(maxTicks);
        if (maxTicks >= 4) expect(ticks.length).toBeGreaterThanOrEqual(2);
        for (const tick of ticks) expect(tick).toBeLessThanOrEqual(scaleMs * (1 + 1e-9));
        if (ticks.length < 2) return;
        const step = ticks[1]! - ticks[0]!;
        expect(step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toSatisfy((m: number) => [1, 2, 5, 10].some((f) => Math.abs(m - f) < 1e-6));
      }),
    );
  });
});
