import { Outcome, OverlapAttributes } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import { percentile } from './percentiles.js';
import { numberAttribute } from './spanAttributes.js';
import { spanCall, spanOutcome, spanTokenUsage, wrapperCallSpanIds } from './spanRoles.js';

/** Figures of one tool (or model) over many calls. Durations in ms; rates from 0 to 1. */
export interface ToolStats {
  /** The tool's name, or the model's for `chat` calls (see `spanCall`). */
  readonly tool: string;
  readonly operation: 'execute_tool' | 'chat';
  /** Ended calls (in-flight calls are not counted: they have no duration or outcome yet). */
  readonly count: number;
  /** Calls whose outcome is `error` (or, without `overlap.outcome`, an error status), over `count`. */
  readonly errorRate: number;
  /** Calls whose outcome is `timeout`, over `count`. */
  readonly timeoutRate: number;
  /** Percentiles of the calls' durations (see `percentile`). */
  readonly durationMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /**
   * Percentiles of the calls' `overlap.queue.wait_ms` (time spent waiting for gates), over the calls that
   * carry it; `NaN` when none does.
   */
  readonly queueWaitMs: { readonly p50: number; readonly p95: number };
  /** Tokens the calls used, summed over those that say (see `spanTokenUsage`); 0 when none does (tools). */
  readonly tokens: { readonly input: number; readonly output: number };
}

interface Accumulator {
  tool: string;
  operation: 'execute_tool' | 'chat';
  durations: number[];
  waits: number[];
  errors: number;
  timeouts: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Per-tool figures over any spans (one trace or many): for each tool or model, how many calls ended,
 * how often they failed or timed out, percentiles of their durations and queue waits, and the tokens
 * they used. Only call spans (see `spanCall`: the runner's, GenAI spans from any SDK, the AI SDK's) that
 * have ended are counted, and a call recorded twice, by a framework's span around the runner's, once
 * (see `wrapperCallSpanIds`). The result is sorted by operation, then tool name. The spans are not changed.
 *
 * @example
 * ```ts
 * for (const stats of toolStats(spans)) {
 *   console.log(`${stats.tool}: p95 ${stats.durationMs.p95} ms, ${(stats.errorRate * 100).toFixed(1)}% errors`);
 * }
 * ```
 */
export function toolStats(spans: readonly SpanRecord[]): ToolStats[] {
  const byTool = new Map<string, Accumulator>();
  const wrappers = wrapperCallSpanIds(spans);
  for (const span of spans) {
    if (span.endTimeUnixNano === undefined || wrappers.has(span.spanId)) continue;
    const call = spanCall(span);
    if (call === undefined) continue;
    const { operation, name: tool } = call;
    const key = `${operation}\u0000${tool}`;
    let accumulator = byTool.get(key);
    if (accumulator === undefined) {
      accumulator = { tool, operation, durations: [], waits: [], errors: 0, timeouts: 0, inputTokens: 0, outputTokens: 0 };
      byTool.set(key, accumulator);
    }
    const usage = spanTokenUsage(span);
    accumulator.inputTokens += usage.inputTokens ?? 0;
    accumulator.outputTokens += usage.outputTokens ?? 0;
    accumulator.durations.push(Math.max(0, nanosToMs(span.endTimeUnixNano) - nanosToMs(span.startTimeUnixNano)));
    const waitMs = numberAttribute(span.attributes, OverlapAttributes.QUEUE_WAIT_MS);
    if (waitMs !== undefined) accumulator.waits.push(waitMs);
    const outcome = spanOutcome(span);
    if (outcome === Outcome.ERROR) accumulator.errors += 1;
    else if (outcome === Outcome.TIMEOUT) accumulator.timeouts += 1;
  }
  return [...byTool.keys()].sort().map((key) => {
    const { tool, operation, durations, waits, errors, timeouts, inputTokens, outputTokens } = byTool.get(key)!;
    const count = durations.length;
    durations.sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
    return {
      tool,
      operation,
      count,
      errorRate: errors / count,
      timeoutRate: timeouts / count,
      durationMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), p99: percentile(durations, 99) },
      queueWaitMs: { p50: percentile(waits, 50), p95: percentile(waits, 95) },
      tokens: { input: inputTokens, output: outputTokens },
    };
  });
}
