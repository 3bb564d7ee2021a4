/**
 * What role a span plays in an Overlap trace, read from its attributes: a call (a tool or model call),
 * a phase of a call (a gate wait or a body run past its timeout), and how it ended. Spans from other
 * OpenTelemetry instrumentation have none of these attributes and read as plain spans.
 *
 * @packageDocumentation
 */
import { GenAiAttributes, GenAiOperations, Outcome, OverlapAttributes, Phase } from '../attributes.js';
import type { SpanRecord } from '../model.js';
import { stringAttribute } from './spanAttributes.js';

const OUTCOMES: ReadonlySet<string> = new Set(Object.values(Outcome));

/**
 * The span's {@link OverlapAttributes.PHASE}: `'queue'` for a gate wait, `'abandoned'` for a body that ran
 * on past its timeout, `undefined` for any other span.
 *
 * @example
 * ```ts
 * spanPhase(queueSpan); // 'queue'
 * ```
 */
export function spanPhase(span: SpanRecord): Phase | undefined {
  const phase = stringAttribute(span.attributes, OverlapAttributes.PHASE);
  return phase === Phase.QUEUE || phase === Phase.ABANDONED ? phase : undefined;
}

/**
 * Whether the span is a call: its `gen_ai.operation.name` is `execute_tool` or `chat`.
 *
 * @example
 * ```ts
 * isCallSpan(toolSpan); // true
 * isCallSpan(agentSpan); // false (invoke_agent)
 * ```
 */
export function isCallSpan(span: SpanRecord): boolean {
  const operation = stringAttribute(span.attributes, GenAiAttributes.OPERATION_NAME);
  return operation === GenAiOperations.EXECUTE_TOOL || operation === GenAiOperations.CHAT;
}

/**
 * How the span ended: its {@link OverlapAttributes.OUTCOME} when that is one of {@link Outcome}, else
 * derived from its status (`error` for an error status, `ok` otherwise), and `undefined` while the span
 * is in flight (no end time).
 *
 * @example
 * ```ts
 * spanOutcome(timedOutCall); // 'timeout'
 * spanOutcome(plainOtelSpanWithErrorStatus); // 'error'
 * ```
 */
export function spanOutcome(span: SpanRecord): Outcome | undefined {
  if (span.endTimeUnixNano === undefined) return undefined;
  const outcome = stringAttribute(span.attributes, OverlapAttributes.OUTCOME);
  if (outcome !== undefined && OUTCOMES.has(outcome)) return outcome as Outcome;
  return span.status.code === 'error' ? Outcome.ERROR : Outcome.OK;
}
