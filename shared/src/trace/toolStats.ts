import { Outcome } from '../attributes.js';
import type { SpanRecord } from '../model.js';
import { callFigures } from './callFigures.js';
import type { CallFigures } from './callFigures.js';
import { percentile } from './percentiles.js';

/** Figures of one tool (or model) over many calls. Durations in ms; rates from 0 to 1. */
export interface ToolStats {
  /** `gen_ai.tool.name`, or `gen_ai.request.model` for `chat` calls; the span name when neither is set. */
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
}

interface Accumulator {
  tool: string;
  operation: 'execute_tool' | 'chat';
  durations: number[];
  waits: number[];
  errors: number;
  timeouts: number;
}

/**
 * Per-tool figures over any spans (one trace or many): for each tool or model, how many calls ended,
 * how often they failed or timed out, and percentiles of their durations and queue waits. Only call
 * spans (`gen_ai.operation.name` `execute_tool` or `chat`) that have ended are counted (see
 * `callFigures`). The result is sorted by operation, then tool name. The spans are not changed.
 *
 * @example
 * ```ts
 * for (const stats of toolStats(spans)) {
 *   console.log(`${stats.tool}: p95 ${stats.durationMs.p95} ms, ${(stats.errorRate * 100).toFixed(1)}% errors`);
 * }
 * ```
 */
export function toolStats(spans: readonly SpanRecord[]): ToolStats[] {
  const calls: CallFigures[] = [];
  for (const span of spans) {
    const call = callFigures(span);
    if (call !== undefined) calls.push(call);
  }
  return toolStatsOfCalls(calls);
}

/**
 * {@link toolStats} over calls already reduced to their {@link CallFigures}, as a store that keeps them
 * beside its spans hands them over. `toolStatsOfCalls(spans.map(callFigures))` (without the
 * `undefined`s) equals `toolStats(spans)`.
 *
 * @example
 * ```ts
 * toolStatsOfCalls([{ tool: 'search', operation: 'execute_tool', durationMs: 120, queueWaitMs: undefined, outcome: 'ok' }]);
 * ```
 */
export function toolStatsOfCalls(calls: Iterable<CallFigures>): ToolStats[] {
  const byTool = new Map<string, Accumulator>();
  for (const call of calls) {
    const key = `${call.operation}\u0000${call.tool}`;
    let accumulator = byTool.get(key);
    if (accumulator === undefined) {
      accumulator = { tool: call.tool, operation: call.operation, durations: [], waits: [], errors: 0, timeouts: 0 };
      byTool.set(key, accumulator);
    }
    accumulator.durations.push(call.durationMs);
    if (call.queueWaitMs !== undefined) accumulator.waits.push(call.queueWaitMs);
    if (call.outcome === Outcome.ERROR) accumulator.errors += 1;
    else if (call.outcome === Outcome.TIMEOUT) accumulator.timeouts += 1;
  }
  return [...byTool.keys()].sort().map((key) => {
    const { tool, operation, durations, waits, errors, timeouts } = byTool.get(key)!;
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
    };
  });
}
