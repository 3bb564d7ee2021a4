import { OverlapAttributes } from '../attributes.js';
import type { Outcome } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import { numberAttribute } from './spanAttributes.js';
import { spanCall, spanOutcome, spanTokenUsage, wrapperCallSpanIds } from './spanRoles.js';

/**
 * What the per-tool figures need of one ended call, and nothing else: small enough for a store to keep
 * beside its spans, so `toolStatsOfCalls` over a million spans reads these instead of the spans.
 */
export interface CallFigures {
  /** The tool's name, or the model's for `chat` calls (see `spanCall`). */
  readonly tool: string;
  readonly operation: 'execute_tool' | 'chat';
  /** End minus start, never below 0. */
  readonly durationMs: number;
  /** The call's `overlap.queue.wait_ms`, when it carries one. */
  readonly queueWaitMs: number | undefined;
  readonly outcome: Outcome;
  /** Tokens the call used, when it says (see `spanTokenUsage`). */
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
}

/**
 * The {@link CallFigures} of a span, or `undefined` when it is not an ended call (see `spanCall`: the
 * runner's call spans, GenAI spans from any SDK, the AI SDK's tool and model spans).
 *
 * A call recorded twice, by a framework's span around the runner's span of the same call, is one call:
 * over a trace's spans use {@link callFiguresOfSpans}, which leaves the wrapper out.
 *
 * @example
 * ```ts
 * callFigures(toolSpan); // { tool: 'search', operation: 'execute_tool', durationMs: 120, queueWaitMs: 30, outcome: 'ok', ... }
 * ```
 */
export function callFigures(span: SpanRecord): CallFigures | undefined {
  if (span.endTimeUnixNano === undefined) return undefined;
  const call = spanCall(span);
  if (call === undefined) return undefined;
  const usage = spanTokenUsage(span);
  return {
    tool: call.name,
    operation: call.operation,
    durationMs: Math.max(0, nanosToMs(span.endTimeUnixNano) - nanosToMs(span.startTimeUnixNano)),
    queueWaitMs: numberAttribute(span.attributes, OverlapAttributes.QUEUE_WAIT_MS),
    // An ended span always has an outcome.
    outcome: spanOutcome(span)!,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
  };
}

/**
 * The {@link CallFigures} of every ended call among `spans` (one trace, or whole traces), each call
 * once: a framework's span around the runner's span of the same call is left out (see
 * `wrapperCallSpanIds`), since the inner one carries the queue and retry detail.
 *
 * @example
 * ```ts
 * toolStatsOfCalls(callFiguresOfSpans(spans)); // the same as toolStats(spans)
 * ```
 */
export function callFiguresOfSpans(spans: Iterable<SpanRecord>): CallFigures[] {
  const all = [...spans];
  const wrappers = wrapperCallSpanIds(all);
  const calls: CallFigures[] = [];
  for (const span of all) {
    if (wrappers.has(span.spanId)) continue;
    const call = callFigures(span);
    if (call !== undefined) calls.push(call);
  }
  return calls;
}
