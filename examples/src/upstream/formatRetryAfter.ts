/**
 * A `Retry-After` value for a wait of `ms`: whole seconds, rounded up and at least 1, as HTTP specifies;
 * or, when `fractional`, seconds with three decimals (for short rate-limit windows in tests).
 *
 * @example
 * ```ts
 * formatRetryAfter(1200, false); // '2'
 * formatRetryAfter(1200, true); // '1.200'
 * ```
 */
export function formatRetryAfter(ms: number, fractional: boolean): string {
  if (fractional) return Math.max(0.001, ms / 1000).toFixed(3);
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
