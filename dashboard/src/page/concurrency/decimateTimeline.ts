import type { ConcurrencyPoint, ConcurrencySeries, ConcurrencyTimeline } from '@overlap/shared';

/**
 * The timeline with every series cut down to what a chart `buckets` pixels wide can show: the time range
 * is split into `buckets` equal spans, and each span keeps its first and last point and the points where
 * calls in flight and queued are highest and lowest. Peaks, the maxima and the counts at the end ("now")
 * survive; a series of a 50,000-call trace shrinks from ~100,000 points to a few thousand, so the
 * analysis the worker posts to the page, and the chart's update, stay small. Series already small enough
 * are kept as they are. The timeline is not changed.
 *
 * @example
 * ```ts
 * chart.show(decimateTimeline(concurrencyTimeline(trace), 600));
 * ```
 */
export function decimateTimeline(timeline: ConcurrencyTimeline, buckets: number): ConcurrencyTimeline {
  const decimate = <S extends ConcurrencySeries>(series: S): S => {
    const points = decimatePoints(series.points, timeline.startMs, timeline.endMs, buckets);
    return points === series.points ? series : { ...series, points };
  };
  return { ...timeline, gates: timeline.gates.map(decimate), overall: decimate(timeline.overall) };
}

function decimatePoints(points: readonly ConcurrencyPoint[], startMs: number, endMs: number, buckets: number): readonly ConcurrencyPoint[] {
  if (points.length <= buckets * 4 || endMs <= startMs) return points;
  const widthMs = (endMs - startMs) / buckets;
  const kept: ConcurrencyPoint[] = [];
  let bucket = -1;
  let picks: number[] = [];
  const flush = (): void => {
    if (picks.length === 0) return;
    for (const index of [...new Set(picks)].sort((a, b) => a - b)) kept.push(points[index]!);
    picks = [];
  };
  let first = 0;
  let maxInFlight = 0;
  let minInFlight = 0;
  let maxQueued = 0;
  let minQueued = 0;
  for (let i = 0; i < points.length; i += 1) {
    const point = points[i]!;
    const at = Math.min(buckets - 1, Math.floor((point.tMs - startMs) / widthMs));
    if (at !== bucket) {
      if (bucket >= 0) picks.push(first, i - 1, maxInFlight, minInFlight, maxQueued, minQueued);
      flush();
      bucket = at;
      first = maxInFlight = minInFlight = maxQueued = minQueued = i;
      continue;
    }
    if (point.inFlight > points[maxInFlight]!.inFlight) maxInFlight = i;
    if (point.inFlight < points[minInFlight]!.inFlight) minInFlight = i;
    if (point.queued > points[maxQueued]!.queued) maxQueued = i;
    if (point.queued < points[minQueued]!.queued) minQueued = i;
  }
  picks.push(first, points.length - 1, maxInFlight, minInFlight, maxQueued, minQueued);
  // The counts just before the end ("now" on a live trace) stay.
  if (points.length > 1) picks.push(points.length - 2);
  flush();
  return kept;
}
