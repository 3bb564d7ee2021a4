import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { liveAxisMs } from '../../src/page/waterfall/liveAxis.js';

describe('liveAxisMs', () => {
  it('liveAxisMs() - rounds up to 1, 1.5, 2, 3, 4, 5 or 7.5 × 10^k with a tenth to spare', () => {
    expect(liveAxisMs(1_234)).toBe(1_500);
    expect(liveAxisMs(1_400)).toBe(2_000);
    expect(liveAxisMs(60)).toBe(75);
    expect(liveAxisMs(0)).toBe(1.5);
  });

  it('liveAxisMs() - leaves room, steps by at most 1.5×, and changes only at its steps as a trace grows', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e8, noNaN: true }), (lengthMs) => {
        const axis = liveAxisMs(lengthMs);
        expect(axis).toBeGreaterThanOrEqual(lengthMs * 1.1 - 1e-9);
        expect(axis).toBeLessThanOrEqual(lengthMs * 1.1 * 1.5 * (1 + 1e-9));
        expect(liveAxisMs(lengthMs * 1.0001)).toBeGreaterThanOrEqual(axis);
      }),
    );
    // Growing a millisecond at a time from 1 s to 10 s, the axis changes only a handful of times.
    const seen = new Set<number>();
    for (let lengthMs = 1_000; lengthMs <= 10_000; lengthMs += 1) seen.add(liveAxisMs(lengthMs));
    expect(seen.size).toBeLessThanOrEqual(8);
  });
});
