import { spanVersionKey } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';

/**
 * Where a store keeps a span within its trace: under its span id, unless a *different* span (another
 * parent or start time) already holds that id; then under its version key, so both are kept and
 * `assembleTrace` can tell them apart. `heldVersionKey` is the `spanVersionKey` of the span held under
 * the span id, if any.
 *
 * @example
 * ```ts
 * spanSlot(undefined, span); // span.spanId
 * spanSlot(spanVersionKey(otherSpanWithSameId), span); // spanVersionKey(span)
 * ```
 */
export function spanSlot(heldVersionKey: string | undefined, span: SpanRecord): string {
  if (heldVersionKey === undefined) return span.spanId;
  const key = spanVersionKey(span);
  return heldVersionKey === key ? span.spanId : key;
}
