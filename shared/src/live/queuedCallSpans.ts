import { GenAiAttributes, GenAiOperations, OverlapAttributes, Phase, SpanNames } from '../attributes.js';
import type { SpanRecord } from '../model.js';
import type { QueuedCall } from './QueuedCall.js';

/** The scope name of placeholder spans (see {@link queuedCallSpans}). */
export const QUEUED_PLACEHOLDER_SCOPE = '@overlap/queued-placeholder';

/**
 * The in-flight spans a queued call stands for while it waits, for the page to draw and count it as the
 * trace maths draw and count any call: a placeholder of the call's span (its name, start and start
 * attributes; omitted when the call already has a span, `callSpanId`) and, under it, a placeholder of
 * its `queue {gate}` span from the moment it joined the queue. Both are in flight, so the waterfall grows
 * a queued bar and the concurrency timeline counts the call as queued at its gate.
 *
 * Placeholder span ids are not hex (`queued:{queueId}` and `queued:{queueId}:wait`), so they can never
 * meet a real span's id, and both carry `overlap.queued.placeholder = true`. The same call always gives
 * equal spans, so a holder can drop them again by `spanVersionKey`. The call is not changed.
 *
 * @example
 * ```ts
 * const placeholders = queuedCallSpans(call);
 * model.add(placeholders, Date.now());
 * // later, when the call leaves the queue:
 * model.remove(placeholders.map(spanVersionKey), Date.now());
 * ```
 */
export function queuedCallSpans(call: QueuedCall): SpanRecord[] {
  const resource = { serviceName: call.serviceName, attributes: { 'service.name': call.serviceName } };
  const scope = { name: QUEUED_PLACEHOLDER_SCOPE };
  const spans: SpanRecord[] = [];
  let parentSpanId = call.callSpanId;
  if (parentSpanId === undefined) {
    parentSpanId = `queued:${call.queueId}`;
    spans.push({
      traceId: call.traceId,
      spanId: parentSpanId,
      parentSpanId: call.parentSpanId,
      name: call.spanName,
      kind: call.attributes[GenAiAttributes.OPERATION_NAME] === GenAiOperations.CHAT ? 'client' : 'internal',
      startTimeUnixNano: call.issuedAtUnixNano,
      attributes: { ...call.attributes, [OverlapAttributes.QUEUED_PLACEHOLDER]: true },
      events: [],
      links: [],
      status: { code: 'unset' },
      resource,
      scope,
    });
  }
  spans.push({
    traceId: call.traceId,
    spanId: `queued:${call.queueId}:wait`,
    parentSpanId,
    name: SpanNames.queue(call.gate),
    kind: 'internal',
    startTimeUnixNano: call.queuedAtUnixNano,
    attributes: {
      [OverlapAttributes.PHASE]: Phase.QUEUE,
      [OverlapAttributes.GATE]: call.gate,
      [OverlapAttributes.GATE_KIND]: call.gateKind,
      [OverlapAttributes.QUEUE_AHEAD]: call.ahead,
      [OverlapAttributes.QUEUED_PLACEHOLDER]: true,
    },
    events: [],
    links: [],
    status: { code: 'unset' },
    resource,
    scope,
  });
  return spans;
}
