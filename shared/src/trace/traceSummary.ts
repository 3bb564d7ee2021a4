import { AiSdkAttributes, GenAiAttributes, GenAiOperations, Outcome, OverlapAttributes, OverlapEvents } from '../attributes.js';
import type { SpanRecord } from '../model.js';
import type { AssembledTrace, TraceNode } from './assembleTrace.js';
import { callQueueMs } from './callQueueMs.js';
import { numberAttribute, stringAttribute } from './spanAttributes.js';
import { isCallSpan, spanCall, spanOutcome, spanPhase, spanTokenUsage, wrapperCallSpanIds } from './spanRoles.js';
import { spanEndOrNowMs, traceEndOrNowMs } from './traceClock.js';

/** Options of {@link summarizeTrace}. */
export interface TraceSummaryOptions {
  /**
   * Where in-flight spans end, in ms since the epoch.
   * @defaultValue the trace's end ({@link AssembledTrace.endMs})
   */
  nowMs?: number;
}

/** The figures of one trace, for a trace list or a header. Times in ms. */
export interface TraceSummary {
  readonly traceId: string;
  /** Name of the first root (by start time); `''` for an empty trace. */
  readonly rootName: string;
  /**
   * The agent of the first root: its `gen_ai.agent.name` (an `invoke_agent` span's, or the one an Agents
   * JS trace root carries), else the name after `invoke_agent ` of an `invoke_agent` root, else the AI
   * SDK's `ai.telemetry.functionId`.
   */
  readonly agentName: string | undefined;
  /** `overlap.request.id` of the first root: set on runs asked for from the dashboard's page. */
  readonly requestId: string | undefined;
  /** The distinct `service.name`s of the spans' resources, sorted. */
  readonly serviceNames: readonly string[];
  /** Start of the trace, ms since the epoch. */
  readonly startMs: number;
  /** End of the trace, ms since the epoch (`nowMs` while spans are in flight, if later). */
  readonly endMs: number;
  /** `endMs - startMs`: the time the user waited. */
  readonly wallMs: number;
  readonly spanCount: number;
  /**
   * Spans, other than queue and abandoned phase spans, that ended in error: outcome `error` (or, without
   * `overlap.outcome`, an error status). The root counts too.
   */
  readonly errorCount: number;
  /** Spans (not phase spans) whose outcome is `timeout`; an attempt that timed out and was retried successfully is not one. */
  readonly timeoutCount: number;
  /** Spans (not phase spans) whose outcome is `cancelled`. */
  readonly cancelledCount: number;
  /** Attempts past the first, summed over spans (`overlap.attempt - 1` where it is above 1). */
  readonly retryCount: number;
  readonly inFlightCount: number;
  /** How the first root ended (see `spanOutcome`); `undefined` while it is in flight or the trace is empty. */
  readonly outcome: Outcome | undefined;
  /** The calls that `sumOfCallsMs` adds up. */
  readonly callCount: number;
  /** Tokens the trace's model calls used (see `spanTokenUsage`), summed over those that say; 0 when none does. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /**
   * The durations of the calls added up: call spans (see `spanCall`; a framework's span around the
   * runner's span of the same call counts once, see `wrapperCallSpanIds`), or, in a trace with none of
   * those, the first root's direct children. In-flight calls count up to `nowMs`.
   * Waiting that running the calls one after another would not have had is left out: time queued at
   * gates (`overlap.queue.wait_ms`, or the time of the call's queue spans when a call lacks it) and back-off waits between attempts (the `overlap.retry.delay_ms`
   * of `overlap.retry.backoff` events, which a rate limit's 429s cause). What is left is the time calls
   * spent running their attempts. Calls nested in calls (a tool that runs a sub-agent) are counted at
   * every level.
   */
  readonly sumOfCallsMs: number;
  /**
   * `max(0, sumOfCallsMs - wallMs)`: how much longer the calls would have taken one after another than
   * the trace took. Read: "concurrency saved {concurrencySavedMs} ms".
   */
  readonly concurrencySavedMs: number;
  /**
   * `sumOfCallsMs / wallMs` (1 when `wallMs` is 0): how many calls' worth of time ran per unit of wall
   * time. Above 1, calls overlapped (a sequential run of the same calls would take `speedup` times as
   * long, at least); below 1, the calls did not fill the wall time (the agent's own work, gaps).
   */
  readonly speedup: number;
  /**
   * Spans of this trace the dashboard's store refused (the trace held its `maxSpansPerTrace`), so the
   * figures above leave them out. Set by the dashboard when above 0; `summarizeTrace` cannot know it.
   */
  readonly droppedSpans?: number;
}

/**
 * Summarises a trace: its root and agent, services, time range, counts of errors, timeouts,
 * cancellations and retries, and how much its calls overlapped. See each field of
 * {@link TraceSummary} for its exact definition. The trace is not changed.
 *
 * @example
 * ```ts
 * const summary = summarizeTrace(assembleTrace(spans));
 * console.log(`concurrency saved ${summary.concurrencySavedMs.toFixed(0)} ms (${summary.speedup.toFixed(1)}×)`);
 * ```
 */
export function summarizeTrace(trace: AssembledTrace, options: TraceSummaryOptions = {}): TraceSummary {
  const nowMs = options.nowMs ?? trace.endMs;
  const rootNode = trace.rootNodes[0];
  const root = rootNode?.span;
  const isAgentRoot = root !== undefined && stringAttribute(root.attributes, GenAiAttributes.OPERATION_NAME) === GenAiOperations.INVOKE_AGENT;

  const serviceNames = new Set<string>();
  let errorCount = 0;
  let timeoutCount = 0;
  let cancelledCount = 0;
  let retryCount = 0;
  let anyCall = false;
  for (const { span } of trace.nodes.values()) {
    serviceNames.add(span.resource.serviceName);
    if (isCallSpan(span)) anyCall = true;
    if (spanPhase(span) !== undefined) continue;
    const outcome = spanOutcome(span);
    if (outcome === Outcome.ERROR) errorCount += 1;
    else if (outcome === Outcome.TIMEOUT) timeoutCount += 1;
    else if (outcome === Outcome.CANCELLED) cancelledCount += 1;
    const attempts = numberAttribute(span.attributes, OverlapAttributes.ATTEMPT);
    if (attempts !== undefined && attempts > 1) retryCount += Math.floor(attempts) - 1;
  }

  const calls: TraceNode[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  if (anyCall) {
    const wrappers = wrapperCallSpanIds([...trace.nodes.values()].map((node) => node.span));
    for (const node of trace.nodes.values()) {
      const call = wrappers.has(node.span.spanId) ? undefined : spanCall(node.span);
      if (call === undefined) continue;
      calls.push(node);
      if (call.operation === 'chat') {
        const usage = spanTokenUsage(node.span);
        inputTokens += usage.inputTokens ?? 0;
        outputTokens += usage.outputTokens ?? 0;
      }
    }
  } else if (rootNode !== undefined) {
    for (const child of rootNode.children) if (spanPhase(child.span) === undefined) calls.push(child);
  }
  let sumOfCallsMs = 0;
  for (const call of calls) sumOfCallsMs += callWorkMs(call, nowMs);

  const startMs = trace.startMs;
  const endMs = traceEndOrNowMs(trace, nowMs);
  const wallMs = endMs - startMs;
  return {
    traceId: trace.traceId,
    rootName: root?.name ?? '',
    agentName: root === undefined ? undefined : agentNameOf(root, isAgentRoot),
    requestId: root === undefined ? undefined : stringAttribute(root.attributes, OverlapAttributes.REQUEST_ID),
    serviceNames: [...serviceNames].sort(),
    startMs,
    endMs,
    wallMs,
    spanCount: trace.spanCount,
    errorCount,
    timeoutCount,
    cancelledCount,
    retryCount,
    inFlightCount: trace.inFlightCount,
    outcome: root === undefined ? undefined : spanOutcome(root),
    callCount: calls.length,
    inputTokens,
    outputTokens,
    sumOfCallsMs,
    concurrencySavedMs: Math.max(0, sumOfCallsMs - wallMs),
    speedup: wallMs > 0 ? sumOfCallsMs / wallMs : 1,
  };
}

function agentNameOf(root: SpanRecord, isAgentRoot: boolean): string | undefined {
  const named = stringAttribute(root.attributes, GenAiAttributes.AGENT_NAME);
  if (named !== undefined) return named;
  if (isAgentRoot && root.name.startsWith('invoke_agent ')) return root.name.slice('invoke_agent '.length);
  return stringAttribute(root.attributes, AiSdkAttributes.FUNCTION_ID);
}

/**
 * A call's duration without its queue time and back-off waits: the time its attempts ran. Queue time is
 * {@link callQueueMs}; back-off waits are the delays of its `overlap.retry.backoff` events.
 */
function callWorkMs(call: TraceNode, nowMs: number): number {
  const durationMs = spanEndOrNowMs(call, nowMs) - call.startMs;
  let backoffMs = 0;
  for (const event of call.span.events) {
    if (event.name !== OverlapEvents.RETRY_BACKOFF) continue;
    backoffMs += Math.max(0, numberAttribute(event.attributes, OverlapAttributes.RETRY_DELAY_MS) ?? 0);
  }
  return Math.max(0, durationMs - callQueueMs(call, nowMs) - backoffMs);
}
