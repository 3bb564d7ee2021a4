import { Outcome } from '../attributes.js';
import type { SpanRecord } from '../model.js';
import { callFiguresOfSpans } from './callFigures.js';
import type { CallFigures } from './callFigures.js';
import { percentile } from './percentiles.js';

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
 * Per-tool figures over any spans (one trace or many whole traces): for each tool or model, how many
 * calls ended, how often they failed or timed out, percentiles of their durations and queue waits, and
 * the tokens they used. Only call spans (see `spanCall`: the runner's, GenAI spans from any SDK, the AI
 * SDK's) that have ended are counted, and a call recorded twice, by a framework's span around the
 * runner's, once (see `callFiguresOfSpans`). The result is sorted by operation, then tool name. The spans
 * are not changed.
 *
 * @example
 * ```ts
 * for (const stats of toolStats(spans)) {
 *   console.log(`${stats.tool}: p95 ${stats.durationMs.p95} ms, ${(stats.errorRate * 100).toFixed(1)}% errors`);
 * }
 * ```
 */
export function toolStats(spans: readonly SpanRecord[]): ToolStats[] {
  return toolStatsOfCalls(callFiguresOfSpans(spans));
}

/**
 * {@link toolStats} over calls already reduced to their {@link CallFigures}, as a store that keeps them
 * beside its spans hands them over. `toolStatsOfCalls(callFiguresOfSpans(spans))` equals `toolStats(spans)`.
 *
 * @example
 * ```ts
 * toolStatsOfCalls([{ tool: 'search', operation: 'execute_tool', durationMs: 120, queueWaitMs: undefined, outcome: 'ok', inputTokens: undefined, outputTokens: undefined }]);
 * ```
 */
export function toolStatsOfCalls(calls: Iterable<CallFigures>): ToolStats[] {
  const byTool = new Map<string, Accumulator>();
  for (const call of calls) {
    const key = `${call.operation}\u0000${call.tool}`;
    let accumulator = byTool.get(key);
    if (accumulator === undefined) {
      accumulator = { tool: call.tool, operation: call.operation, durations: [], waits: [], errors: 0, timeouts: 0, inputTokens: 0, outputTokens: 0 };
      byTool.set(key, accumulator);
    }
    accumulator.durations.push(call.durationMs);
    if (call.queueWaitMs !== undefined) accumulator.waits.push(call.queueWaitMs);
    if (call.outcome === Outcome.ERROR) accumulator.errors += 1;
    else if (call.outcome === Outcome.TIMEOUT) accumulator.timeouts += 1;
    accumulator.inputTokens += call.inputTokens ?? 0;
    accumulator.outputTokens += call.outputTokens ?? 0;
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
