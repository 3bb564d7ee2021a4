import type { SpanRecord } from '@overlap/shared';

/**
 * The key shared by every version of one span (its in-flight and ended versions): span id, parent id
 * and start time, as the server keys them. Two different spans that share an id differ in parent or
 * start, so both are kept (the trace assembly renames one).
 *
 * @example
 * ```ts
 * spanVersionKey(inFlight) === spanVersionKey(ended); // true
 * ```
 */
export function spanVersionKey(span: SpanRecord): string {
  return `${span.spanId}\u0000${span.parentSpanId ?? ''}\u0000${span.startTimeUnixNano}`;
}
