/**
 * Pure trace maths: assembling spans into a trace, waterfall layout, critical path, concurrency
 * timeline, percentiles and summaries. No I/O; inputs are never changed.
 *
 * @packageDocumentation
 */
export { assembleTrace } from './assembleTrace.js';
export type { AssembledTrace, SpanTimes, TraceNode } from './assembleTrace.js';
export { layoutWaterfall } from './waterfall.js';
export { layoutFirstRows } from './layoutFirstRows.js';
export type { FirstRows } from './layoutFirstRows.js';
export type {
  WaterfallLayout,
  WaterfallMarker,
  WaterfallMarkerKind,
  WaterfallOptions,
  WaterfallRow,
  WaterfallSegment,
  WaterfallSegmentKind,
} from './waterfall.js';
export { criticalPath } from './criticalPath.js';
export type { CriticalPathOptions, CriticalPathSegment } from './criticalPath.js';
export { concurrencyTimeline } from './concurrencyTimeline.js';
export type {
  ConcurrencyPoint,
  ConcurrencySeries,
  ConcurrencyTimeline,
  ConcurrencyTimelineOptions,
  GateConcurrency,
} from './concurrencyTimeline.js';
export { percentile, summarizeDurations } from './percentiles.js';
export type { DurationSummary } from './percentiles.js';
export { InvalidPercentileError, isInvalidPercentileError } from './InvalidPercentileError.js';
export { summarizeTrace } from './traceSummary.js';
export type { TraceSummary, TraceSummaryOptions } from './traceSummary.js';
export { toolStats, toolStatsOfCalls } from './toolStats.js';
export { callFigures, callFiguresOfSpans } from './callFigures.js';
export { callQueueMs } from './callQueueMs.js';
export { RUN_FIGURES, compareTraces, figureDiff } from './compareTraces.js';
export type { AlignedCallRow, ComparedCall, ComparedSegment, FigureDiff, RunFigures, ToolComparison, ToolSide, TraceComparison } from './compareTraces.js';
export { NO_VALUE, comparisonTable, formatComparisonMs, formatFigureDiff } from './comparisonTable.js';
export type { ComparisonTable } from './comparisonTable.js';
export type { CallFigures } from './callFigures.js';
export type { ToolStats } from './toolStats.js';
export { isCallSpan, spanCall, spanLabel, spanOutcome, spanPhase, spanTokenUsage, wrapperCallSpanIds } from './spanRoles.js';
export type { SpanCall } from './spanRoles.js';
export { booleanAttribute, numberAttribute, stringAttribute, stringListAttribute } from './spanAttributes.js';
export { spanEndOrNowMs, traceEndOrNowMs } from './traceClock.js';
export { compareNanos } from './compareNanos.js';
export { compareSpanVersions, spanVersionKey } from './spanVersion.js';
export { canonicalJson } from './canonicalJson.js';
