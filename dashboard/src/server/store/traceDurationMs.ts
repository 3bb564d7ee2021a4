import { compareNanos, nanosToMs } from '@overlap/shared';

/**
 * A trace's duration from its times, as both stores index it: from the earliest start to the latest
 * end, or to the latest start while that is later (or no span has ended).
 *
 * @example
 * ```ts
 * traceDurationMs('1000000', '1000000', '3000000'); // 2
 * ```
 */
export function traceDurationMs(minStart: string, maxStart: string, maxEnd: string | undefined): number {
  const end = maxEnd !== undefined && compareNanos(maxEnd, maxStart) > 0 ? maxEnd : maxStart;
  return Math.max(0, nanosToMs(end) - nanosToMs(minStart));
}
