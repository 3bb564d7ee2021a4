/**
 * Percentiles and duration summaries.
 *
 * @packageDocumentation
 */
import { InvalidPercentileError } from './InvalidPercentileError.js';

/** Count, extremes, mean and tail percentiles of a list of numbers (durations in ms, usually). */
export interface DurationSummary {
  /** How many finite values were summarised. */
  readonly count: number;
  /** The rest are `NaN` when `count` is 0: there is no data, and 0 would be a lie. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * The `p`-th percentile of values already sorted ascending, by **linear interpolation between the
 * closest ranks**, numpy's default (`method='linear'`, R's type 7): with n values, the rank is
 * `h = (n - 1) * p / 100`; the result is `x[⌊h⌋] + (h - ⌊h⌋) * (x[⌊h⌋ + 1] - x[⌊h⌋])`. So p = 0 is the
 * minimum, p = 100 the maximum, p = 50 the median.
 *
 * Precondition (not checked, to stay O(1)): `sortedAscending` is sorted ascending and holds finite
 * numbers. An empty list gives `NaN`.
 *
 * @throws {@link InvalidPercentileError} when `p` is not a number from 0 to 100.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * percentile([10, 20], 95); // 19.5
 * ```
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 100)) throw new InvalidPercentileError(p);
  const n = sortedAscending.length;
  if (n === 0) return NaN;
  const rank = ((n - 1) * p) / 100;
  const lower = Math.floor(rank);
  const low = sortedAscending[lower]!;
  if (lower >= n - 1) return sortedAscending[n - 1]!;
  const fraction = rank - lower;
  return fraction === 0 ? low : low + fraction * (sortedAscending[lower + 1]! - low);
}

/**
 * Summarises a list of numbers in any order: count, min, max, mean and the 50th, 95th and 99th
 * {@link percentile}s. Values that are not finite numbers are left out (and not counted). With no values,
 * `count` is 0 and every other field `NaN`. The input is not changed (a sorted copy is made).
 *
 * @example
 * ```ts
 * summarizeDurations([120, 80, 100]); // { count: 3, min: 80, max: 120, mean: 100, p50: 100, p95: 118, p99: 119.6 }
 * ```
 */
export function summarizeDurations(values: readonly number[]): DurationSummary {
  const sorted = values.filter((value) => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  const count = sorted.length;
  if (count === 0) return { count: 0, min: NaN, max: NaN, mean: NaN, p50: NaN, p95: NaN, p99: NaN };
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count,
    min: sorted[0]!,
    max: sorted[count - 1]!,
    // Rounding can push a sum's quotient a hair past the extremes (three equal values); keep it between them.
    mean: Math.min(sorted[count - 1]!, Math.max(sorted[0]!, sum / count)),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}
