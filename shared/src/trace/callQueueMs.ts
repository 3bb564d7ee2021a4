import { OverlapAttributes, Phase } from '../attributes.js';
import type { TraceNode } from './assembleTrace.js';
import { numberAttribute } from './spanAttributes.js';
import { spanPhase } from './spanRoles.js';
import { spanEndOrNowMs } from './traceClock.js';

/**
 * How long a call waited for gates: its `overlap.queue.wait_ms`, or, for a call without it (a sender
 * that sets only the queue spans), the time its queue spans (children with phase `queue`) covered, up
 * to `nowMs` for one still waiting. The one definition the trace summary and the comparison use.
 *
 * @example
 * ```ts
 * callQueueMs(trace.nodes.get(callSpanId)!, trace.endMs); // 120
 * ```
 */
export function callQueueMs(call: TraceNode, nowMs: number): number {
  const declared = numberAttribute(call.span.attributes, OverlapAttributes.QUEUE_WAIT_MS);
  if (declared !== undefined) return Math.max(0, declared);
  let queuedMs = 0;
  for (const child of call.children) if (spanPhase(child.span) === Phase.QUEUE) queuedMs += Math.max(0, spanEndOrNowMs(child, nowMs) - child.startMs);
  return queuedMs;
}
