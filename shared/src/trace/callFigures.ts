import { GenAiAttributes, GenAiOperations, OverlapAttributes } from '../attributes.js';
import type { Outcome } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import { numberAttribute, stringAttribute } from './spanAttributes.js';
import { isCallSpan, spanOutcome } from './spanRoles.js';

/**
 * What the per-tool figures need of one ended call, and nothing else: small enough for a store to keep
 * beside its spans, so `toolStatsOfCalls` over a million spans reads these instead of the spans.
 */
export interface CallFigures {
  /** `gen_ai.tool.name`, or `gen_ai.request.model` for `chat` calls; the span name when neither is set. */
  readonly tool: string;
  readonly operation: 'execute_tool' | 'chat';
  /** End minus start, never below 0. */
  readonly durationMs: number;
  /** The call's `overlap.queue.wait_ms`, when it carries one. */
  readonly queueWaitMs: number | undefined;
  readonly outcome: Outcome;
}

/**
 * The {@link CallFigures} of a span, or `undefined` when it is not an ended call (a span whose
 * `gen_ai.operation.name` is `execute_tool` or `chat`, with an end time).
 *
 * @example
 * ```ts
 * const calls = spans.map(callFigures).filter((call) => call !== undefined);
 * toolStatsOfCalls(calls); // the same as toolStats(spans)
 * ```
 */
export function callFigures(span: SpanRecord): CallFigures | undefined {
  if (span.endTimeUnixNano === undefined || !isCallSpan(span)) return undefined;
  const operation = stringAttribute(span.attributes, GenAiAttributes.OPERATION_NAME) === GenAiOperations.CHAT ? 'chat' : 'execute_tool';
  const tool =
    (operation === 'chat' ? stringAttribute(span.attributes, GenAiAttributes.REQUEST_MODEL) : stringAttribute(span.attributes, GenAiAttributes.TOOL_NAME)) ??
    span.name;
  return {
    tool,
    operation,
    durationMs: Math.max(0, nanosToMs(span.endTimeUnixNano) - nanosToMs(span.startTimeUnixNano)),
    queueWaitMs: numberAttribute(span.attributes, OverlapAttributes.QUEUE_WAIT_MS),
    // An ended span always has an outcome.
    outcome: spanOutcome(span)!,
  };
}
