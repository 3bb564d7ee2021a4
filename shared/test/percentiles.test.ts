import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPercentileError, isInvalidPercentileError } from '../src/trace/InvalidPercentileError.js';
import { percentile, summarizeDurations } from '../src/trace/percentiles.js';

/**
 * The definition, written the slow way: the p-th percentile is the point at fraction p/100 along the
 * piecewise-linear curve through (i / (n - 1), x[i]), numpy's default.
 */
function bruteForcePercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const position = p / 100;
  for (let i = 0; i < sorted.length - 1; i += 1) {
    const from = i / (sorted.length - 1);
    const to = (i + 1) / (sorted.length - 1);
    if (position >= from && position <= to) {
      const t = (position - from) / (to - from);
      return sorted[i]! + t * (sorted[i + 1]! - sorted[i]!);
    }
  }
  return sorted[sorted.length - 1]!;
}

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 });

describe('percentile()', () => {
  it('percentile() - agrees with the linear-interpolation definition', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 100, noNaN: true }), (list, p) => {
        const sorted = [...list].sort((a, b) => a - b);
        expect(percentile(sorted, p)).toBeCloseTo(bruteForcePercentile(sorted, p), 6);
      }),
      { numRuns: 500 },
    );
  });

  it('percentile() - gives numpy\'s answers on known inputs', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 75, 100]) == [1, 1.75, 2.5, 3.25, 4]
    expect([0, 25, 50, 75, 100].map((p) => percentile([1, 2, 3, 4], p))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    // numpy.percentile([15, 20, 35, 40, 50], 40) == 29
    expect(percentile([15, 20, 35, 40, 50], 40)).toBe(29);
    expect(percentile([7], 99)).toBe(7);
  });

  it('percentile() - is monotone in p and stays within the extremes', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (list, p, q) => {
        const sorted = [...list].sort((a, b) => a - b);
        const [low, high] = p <= q ? [p, q] : [q, p];
        expect(percentile(sorted, low)).toBeLessThanOrEqual(percentile(sorted, high));
        expect(percentile(sorted, low)).toBeGreaterThanOrEqual(sorted[0]!);
        expect(percentile(sorted, high)).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
      }),
    );
  });

  it('percentile() - gives NaN for no values and throws InvalidPercentileError for p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    for (const p of [-1, 100.5, NaN]) {
      expect(() => percentile([1], p)).toThrow(InvalidPercentileError);
    }
    try {
      percentile([1], 101);
    } catch (error) {
      expect(isInvalidPercentileError(error)).toBe(true);
      expect((error as InvalidPercentileError).code).toBe('OVERLAP_INVALID_PERCENTILE');
      expect((error as Error).message).toContain('received 101');
    }
  });
});

describe('summarizeDurations()', () => {
  it('summarizeDurations() - summarises values in any order without changing them', () => {
    const input = [120, 80, 100];
    expect(summarizeDurations(input)).toEqual({ count: 3, min: 80, max: 120, mean: 100, p50: 100, p95: 118, p99: expect.closeTo(119.6, 9) });
    expect(input).toEqual([120, 80, 100]);
  });

  it('summarizeDurations() - matches percentile() of the sorted values and the plain mean', () => {
    fc.assert(
      fc.property(values, (list) => {
        const sorted = [...list].sort((a, b) => a - b);
        const summary = summarizeDurations(list);
        expect(summary.count).toBe(list.length);
        expect(summary.min).toBe(sorted[0]);
        expect(summary.max).toBe(sorted[sorted.length - 1]);
        expect(summary.p50).toBe(percentile(sorted, 50));
        expect(summary.p95).toBe(percentile(sorted, 95));
        expect(summary.p99).toBe(percentile(sorted, 99));
        expect(summary.mean).toBeCloseTo(list.reduce((a, b) => a + b, 0) / list.length, 3);
        expect(summary.mean).toBeGreaterThanOrEqual(summary.min);
        expect(summary.mean).toBeLessThanOrEqual(summary.max);
      }),
    );
  });

  it('summarizeDurations() - reports count 0 and NaN statistics for no values, and skips non-finite ones', () => {
    expect(summarizeDurations([])).toEqual({ count: 0, min: NaN, max: NaN, mean: NaN, p50: NaN, p95: NaN, p99: NaN });
    expect(summarizeDurations([NaN, 5, Infinity])).toMatchObject({ count: 1, min: 5, max: 5, p99: 5 });
  });
});
