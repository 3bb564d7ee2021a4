import type { SpanRecord } from '@overlap/shared';

/**
 * Spans grouped by trace id, in order of first appearance (each group in arrival order).
 *
 * @example
 * ```ts
 * for (const [traceId, spans] of groupByTrace(batch)) store(traceId, spans);
 * ```
 */
export function groupByTrace(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const groups = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const group = groups.get(span.traceId);
    if (group === undefined) groups.set(span.traceId, [span]);
    else group.push(span);
  }
  return groups;
}
