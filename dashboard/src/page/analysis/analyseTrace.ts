import { assembleTrace, concurrencyTimeline, criticalPath, summarizeTrace, toolStats } from '@overlap/shared';
import type { AssembledTrace, ConcurrencyTimeline, CriticalPathSegment, SpanRecord, ToolStats, TraceSummary } from '@overlap/shared';
import { decimateTimeline } from '../concurrency/decimateTimeline.js';

/** Time buckets the concurrency timeline is cut down to: about one per pixel of the chart. */
const TIMELINE_BUCKETS = 800;

/** Everything the page shows about a trace beside its rows. */
export interface TraceAnalysis {
  readonly traceId: string;
  /** `summarizeTrace`: wall time, sum of the calls, concurrency saved, counts. */
  readonly summary: TraceSummary;
  /** `criticalPath`: the stretches of spans that decided when the trace ended. */
  readonly criticalPath: readonly CriticalPathSegment[];
  /** `concurrencyTimeline`: calls in flight and queued per gate over time, cut to what the chart can show (`decimateTimeline`). */
  readonly timeline: ConcurrencyTimeline;
  /** `toolStats` over the trace's calls. */
  readonly tools: readonly ToolStats[];
  /** What `assembleTrace` repaired. */
  readonly warnings: readonly string[];
  /** The time in-flight spans were taken to end at, ms since the epoch. */
  readonly nowMs: number;
  /** How long the analysis took, in ms. */
  readonly computeMs: number;
}

/**
 * Runs the trace maths of `@overlap/shared` over one trace's spans, with in-flight spans ending at
 * `nowMs`; `assembled`, when given, must be `assembleTrace(spans)`. Pure: the spans are not changed.
 *
 * @example
 * ```ts
 * const { summary } = analyseTrace(traceId, spans, Date.now());
 * console.log(`concurrency saved ${summary.concurrencySavedMs} ms`);
 * ```
 */
export function analyseTrace(traceId: string, spans: readonly SpanRecord[], nowMs: number, assembled?: AssembledTrace): TraceAnalysis {
  const started = performance.now();
  // `assembled`: the same spans already assembled (the worker keeps the assembly it laid out).
  const trace = assembled ?? assembleTrace(spans);
  const options = { nowMs };
  return {
    traceId,
    summary: summarizeTrace(trace, options),
    criticalPath: criticalPath(trace, options),
    timeline: decimateTimeline(concurrencyTimeline(trace, options), TIMELINE_BUCKETS),
    tools: toolStats(spans),
    warnings: trace.warnings,
    nowMs,
    computeMs: performance.now() - started,
  };
}
