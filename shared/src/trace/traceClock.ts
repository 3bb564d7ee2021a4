/**
 * Where in-flight spans end for drawing and maths: at "now". Every function that takes a `nowMs` option
 * resolves it the same way, through these two helpers.
 *
 * @packageDocumentation
 */
import type { AssembledTrace, SpanTimes } from './assembleTrace.js';

/**
 * The end of a span for drawing and maths: its end time, or, while it is in flight, `nowMs`, but never
 * before its start.
 *
 * @example
 * ```ts
 * spanEndOrNowMs({ startMs: 100, endMs: undefined }, 250); // 250
 * spanEndOrNowMs({ startMs: 100, endMs: 180 }, 250); // 180
 * ```
 */
export function spanEndOrNowMs(times: SpanTimes, nowMs: number): number {
  return times.endMs ?? Math.max(times.startMs, nowMs);
}

/**
 * The end of a trace for drawing and maths: {@link AssembledTrace.endMs}, extended to `nowMs` when a span
 * is still in flight. `nowMs` defaults to the trace's end (its latest known time), so without a clock the
 * in-flight spans end where the trace's latest news is.
 *
 * @example
 * ```ts
 * traceEndOrNowMs(trace, Date.now());
 * ```
 */
export function traceEndOrNowMs(trace: AssembledTrace, nowMs: number = trace.endMs): number {
  return trace.inFlightCount > 0 ? Math.max(trace.endMs, nowMs) : trace.endMs;
}
