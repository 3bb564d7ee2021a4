import { validateOption } from '@overlap/shared';
import type { TraceStoreLimits } from './TraceStore.js';

/** Default of {@link TraceStoreLimits.maxSpans} in memory. */
export const DEFAULT_MAX_SPANS = 200_000;
/** Default of {@link TraceStoreLimits.maxTraces} in memory. */
export const DEFAULT_MAX_TRACES = 2_000;
/** Default of {@link TraceStoreLimits.maxSpansPerTrace}, in memory and in a file. */
export const DEFAULT_MAX_SPANS_PER_TRACE = 100_000;

/** {@link TraceStoreLimits} with every default applied. */
export interface ResolvedTraceStoreLimits {
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxAgeMs: number;
  readonly maxSpansPerTrace: number;
  readonly onError: (error: unknown) => void;
  readonly now: () => number;
}

/**
 * Checks a store's limits and applies the defaults (`defaults` differ: a file holds more than memory).
 *
 * @throws {@link InvalidOptionError} naming the option as `{store}.{option}`.
 *
 * @example
 * ```ts
 * resolveTraceStoreLimits('MemoryTraceStore', options, { maxSpans: 200_000, maxTraces: 2_000 });
 * ```
 */
export function resolveTraceStoreLimits(
  store: string,
  options: TraceStoreLimits,
  defaults: { maxSpans: number; maxTraces: number },
): ResolvedTraceStoreLimits {
  return {
    maxSpans: validateOption.integerOrInfinity(`${store}.maxSpans`, options.maxSpans ?? defaults.maxSpans, 1),
    maxTraces: validateOption.integerOrInfinity(`${store}.maxTraces`, options.maxTraces ?? defaults.maxTraces, 1),
    maxAgeMs: validateOption.durationOrInfinity(`${store}.maxAgeMs`, options.maxAgeMs ?? Number.POSITIVE_INFINITY),
    maxSpansPerTrace: validateOption.integerOrInfinity(`${store}.maxSpansPerTrace`, options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE, 1),
    onError:
      options.onError === undefined
        ? (error: unknown) => console.error(`${store}: a change listener threw`, error)
        : validateOption.func<(error: unknown) => void>(`${store}.onError`, options.onError),
    now: options.now === undefined ? Date.now : validateOption.func<() => number>(`${store}.now`, options.now),
  };
}

/** A limit as the stats report it: `null` for `Infinity` (JSON has no Infinity). */
export function boundOrNull(limit: number): number | null {
  return limit === Number.POSITIVE_INFINITY ? null : limit;
}
