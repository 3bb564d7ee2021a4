import type { HrTime } from '@opentelemetry/api';

/**
 * Span times on one clock. The OpenTelemetry SDK stamps a span's start from `Date.now()` (whole
 * milliseconds) plus an offset it measures per span, and, for a span given an explicit start, its end
 * and events from `Date.now()` alone; so spans drawn side by side can disagree by a millisecond or more.
 * The runner gives every start, end and event an explicit `HrTime` read from `performance.timeOrigin +
 * performance.now()`, so its spans line up to the microsecond.
 */
export function hrTimeOf(performanceMs: number): HrTime {
  const epochMs = performance.timeOrigin + performanceMs;
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/** Now, as a span time (see {@link hrTimeOf}). */
export function spanNow(): HrTime {
  return hrTimeOf(performance.now());
}
