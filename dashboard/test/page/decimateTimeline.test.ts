import fc from 'fast-check';
import type { ConcurrencyPoint, ConcurrencyTimeline } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { decimateTimeline } from '../../src/page/concurrency/decimateTimeline.js';

function timelineOf(points: ConcurrencyPoint[]): ConcurrencyTimeline {
  const series = { points, maxInFlight: Math.max(...points.map((p) => p.inFlight)), maxQueued: Math.max(...points.map((p) => p.queued)), callCount: 1 };
  return { startMs: points[0]!.tMs, endMs: points.at(-1)!.tMs, gates: [{ gate: 'g', kind: 'semaphore', ...series }], overall: series };
}

const stepsArbitrary = fc.array(fc.record({ dtMs: fc.integer({ min: 1, max: 50 }), inFlight: fc.nat({ max: 40 }), queued: fc.nat({ max: 400 }) }), { minLength: 2, maxLength: 3000, size: 'max' }).map((steps) => {
  let tMs = 1_000;
  return steps.map((step, i) => ({ tMs: i === 0 ? tMs : (tMs += step.dtMs), inFlight: i === steps.length - 1 ? 0 : step.inFlight, queued: i === steps.length - 1 ? 0 : step.queued }));
});

describe('decimateTimeline', () => {
  it('decimateTimeline() - keeps at most a few points per bucket, in order, with the peaks, the first point and the last two', () => {
    let decimatedRuns = 0;
    fc.assert(
      fc.property(stepsArbitrary, fc.integer({ min: 5, max: 100 }), (points, buckets) => {
        const decimated = decimateTimeline(timelineOf(points), buckets).gates[0]!.points;
        if (decimated.length < points.length) decimatedRuns += 1;
        expect(decimated.length).toBeLessThanOrEqual(Math.max(points.length <= buckets * 4 ? points.length : 0, buckets * 6 + 1));
        expect(decimated.every((point, i) => i === 0 || point.tMs > decimated[i - 1]!.tMs)).toBe(true);
        expect(decimated.every((point) => points.includes(point))).toBe(true);
        expect(decimated[0]).toBe(points[0]);
        expect(decimated.slice(-2)).toEqual(points.slice(-2));
        // Within every bucket (about a pixel), the highest and lowest counts are still drawn.
        const startMs = points[0]!.tMs;
        const widthMs = (points.at(-1)!.tMs - startMs) / buckets;
        const bucketOf = (point: ConcurrencyPoint): number => Math.min(buckets - 1, Math.floor((point.tMs - startMs) / widthMs));
        for (const field of ['inFlight', 'queued'] as const) {
          for (const pick of [Math.max, Math.min]) {
            const extremes = (list: readonly ConcurrencyPoint[]): Map<number, number> => {
              const byBucket = new Map<number, number>();
              for (const point of list) byBucket.set(bucketOf(point), pick(byBucket.get(bucketOf(point)) ?? point[field], point[field]));
              return byBucket;
            };
            expect(extremes(decimated)).toEqual(extremes(points));
          }
        }
      }),
    );
    expect(decimatedRuns).toBeGreaterThan(50);
  });

  it('decimateTimeline() - cuts a 100,000-point series to a few thousand and leaves small ones as they are', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({ tMs: i, inFlight: i % 17, queued: i % 101 }));
    points.push({ tMs: 100_000, inFlight: 0, queued: 0 });
    const timeline = timelineOf(points);
    expect(decimateTimeline(timeline, 600).overall.points.length).toBeLessThan(600 * 6 + 2);
    const small = timelineOf(points.slice(0, 100));
    expect(decimateTimeline(small, 600).overall).toBe(small.overall);
  });
});
