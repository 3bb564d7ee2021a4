import { GenAiAttributes, GenAiOperations } from '../attributes.js';
import type { Outcome } from '../attributes.js';
import type { AssembledTrace, TraceNode } from './assembleTrace.js';
import { callQueueMs } from './callQueueMs.js';
import { criticalPath } from './criticalPath.js';
import { stringAttribute } from './spanAttributes.js';
import { isCallSpan, spanPhase } from './spanRoles.js';
import { toolStats } from './toolStats.js';
import { summarizeTrace } from './traceSummary.js';
import type { TraceSummary } from './traceSummary.js';
import { layoutWaterfall } from './waterfall.js';
import type { WaterfallSegmentKind } from './waterfall.js';

/** One figure of two runs: A's, B's, and how B differs from A. */
export interface FigureDiff {
  readonly a: number;
  readonly b: number;
  /** `b - a`: negative when B is lower (faster, fewer). */
  readonly diff: number;
  /** `(b - a) / a × 100`; 0 when both are 0; `null` when only A is 0 (no percentage of nothing). */
  readonly diffPct: number | null;
}

/** The figures of a whole run that the comparison sets side by side. Times in ms. */
export interface RunFigures<T> {
  /** The time the user waited (`TraceSummary.wallMs`). */
  readonly wallMs: T;
  /** The calls' running time added up (`TraceSummary.sumOfCallsMs`). */
  readonly sumOfCallsMs: T;
  /** How much longer the calls would have taken one after another (`TraceSummary.concurrencySavedMs`). */
  readonly concurrencySavedMs: T;
  /** Time the calls waited for gates, added up (`callQueueMs` of every call). */
  readonly queueMs: T;
  /** Attempts past the first (`TraceSummary.retryCount`). */
  readonly retries: T;
  /** Spans that timed out (`TraceSummary.timeoutCount`). */
  readonly timeouts: T;
  /** Length of the critical path (`criticalPath`): the chain of work that decided when the run ended. */
  readonly criticalPathMs: T;
}

/** The order {@link compareTraces} lists the run figures in, with their labels and units. */
export const RUN_FIGURES: ReadonlyArray<{ readonly key: keyof RunFigures<unknown>; readonly label: string; readonly unit: 'ms' | 'count' }> = [
  { key: 'wallMs', label: 'wall time', unit: 'ms' },
  { key: 'sumOfCallsMs', label: 'sum of calls', unit: 'ms' },
  { key: 'concurrencySavedMs', label: 'concurrency saved', unit: 'ms' },
  { key: 'queueMs', label: 'queue time', unit: 'ms' },
  { key: 'retries', label: 'retries', unit: 'count' },
  { key: 'timeouts', label: 'timeouts', unit: 'count' },
  { key: 'criticalPathMs', label: 'critical path', unit: 'ms' },
];

/** One side's figures of a tool in a comparison. */
export interface ToolSide {
  /** Ended calls. */
  readonly count: number;
  /** Median duration. */
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** A tool (or model) in both runs, or in one of them. */
export interface ToolComparison {
  readonly tool: string;
  readonly operation: 'execute_tool' | 'chat';
  /** `null` when A made no ended call to it. */
  readonly a: ToolSide | null;
  readonly b: ToolSide | null;
  /** Counts, 0 on a side without calls. */
  readonly count: FigureDiff;
  /** `null` unless both sides have calls. */
  readonly p50Ms: FigureDiff | null;
  readonly p95Ms: FigureDiff | null;
}

/** A stretch of a compared call's bar, in ms from its own run's start. */
export interface ComparedSegment {
  readonly kind: WaterfallSegmentKind;
  readonly startMs: number;
  readonly endMs: number;
}

/** One side of an aligned row: a call of one run, placed on the comparison's time scale. */
export interface ComparedCall {
  readonly spanId: string;
  readonly name: string;
  /** Start, in ms from its run's start. */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Time it waited for gates (`callQueueMs`). */
  readonly queueMs: number;
  readonly outcome: Outcome | undefined;
  readonly attempts: number;
  readonly inFlight: boolean;
  /** Its bar as the waterfall draws it (queue, run, back-off, abandoned), in ms from its run's start. */
  readonly segments: readonly ComparedSegment[];
}

/** A row of the aligned waterfalls: the n-th call to a tool in A beside the n-th call to it in B. */
export interface AlignedCallRow {
  /** The tool (or model, or span name: see {@link compareTraces}). */
  readonly tool: string;
  /** Which call to the tool this is in its run, from 1, in order of start. */
  readonly occurrence: number;
  /** `null` when only B made this call. */
  readonly a: ComparedCall | null;
  /** `null` when only A made this call. */
  readonly b: ComparedCall | null;
  /** Duration B minus A, when both made it. */
  readonly durationDiffMs: number | null;
}

/** Two runs side by side: what {@link compareTraces} returns, and the body of `GET /api/compare`. */
export interface TraceComparison {
  readonly a: TraceSummary;
  readonly b: TraceSummary;
  /** Each run figure of A and B, and B's difference. */
  readonly figures: RunFigures<FigureDiff>;
  /** Per tool, sorted by operation then tool name. */
  readonly tools: readonly ToolComparison[];
  /** The aligned waterfalls' rows, in A's order of start, B-only calls at their own start. */
  readonly rows: readonly AlignedCallRow[];
  /** The one time scale both waterfalls are drawn on: the longer run's wall time, in ms. */
  readonly scaleMs: number;
}

/**
 * `b` against `a`: the difference and the percentage, as {@link FigureDiff} defines them.
 *
 * @example
 * ```ts
 * figureDiff(800, 600); // { a: 800, b: 600, diff: -200, diffPct: -25 }
 * ```
 */
export function figureDiff(a: number, b: number): FigureDiff {
  const diff = b - a;
  return { a, b, diff, diffPct: a === 0 ? (b === 0 ? 0 : null) : (diff / a) * 100 };
}

/**
 * Compares two runs, A (the baseline) and B: the figures of each run with B's difference (absolute and
 * %), per-tool p50, p95 and count, and the rows of two waterfalls aligned call by call. Computed once
 * here, so the page, `GET /api/compare` and `overlap compare` show the same numbers.
 *
 * Calls are the call spans (`execute_tool`, `chat`), as `summarizeTrace` counts them, or, in a trace
 * with none, its first root's direct children. Each is known by its tool (the `gen_ai.tool.name`, the
 * model of a `chat`, else the span name) and its order of start among the calls to that tool: the n-th
 * call to `search` in A is aligned with the n-th call to `search` in B, and a call that has no partner
 * gets a row with the other side `null`. Rows are in A's order of start; a call only B made comes at its
 * own start. Every bar is placed from its own run's start, on one scale: the longer run's wall time.
 *
 * Neither trace is changed. In-flight spans end at each trace's latest known time, as in `summarizeTrace`.
 *
 * @example
 * ```ts
 * const comparison = compareTraces(assembleTrace(sequentialSpans), assembleTrace(concurrentSpans));
 * comparison.figures.wallMs; // { a: 1850, b: 1120, diff: -730, diffPct: -39.5 }
 * ```
 */
export function compareTraces(a: AssembledTrace, b: AssembledTrace): TraceComparison {
  const sideA = runSide(a);
  const sideB = runSide(b);
  const figure = (key: keyof RunFigures<number>): FigureDiff => figureDiff(sideA.figures[key], sideB.figures[key]);
  const figures: RunFigures<FigureDiff> = {
    wallMs: figure('wallMs'),
    sumOfCallsMs: figure('sumOfCallsMs'),
    concurrencySavedMs: figure('concurrencySavedMs'),
    queueMs: figure('queueMs'),
    retries: figure('retries'),
    timeouts: figure('timeouts'),
    criticalPathMs: figure('criticalPathMs'),
  };
  return {
    a: sideA.summary,
    b: sideB.summary,
    figures,
    tools: compareTools(a, b),
    rows: alignCalls(sideA.calls, sideB.calls),
    scaleMs: Math.max(sideA.summary.wallMs, sideB.summary.wallMs),
  };
}

interface KeyedCall {
  readonly tool: string;
  readonly occurrence: number;
  readonly call: ComparedCall;
}

function runSide(trace: AssembledTrace): { summary: TraceSummary; figures: RunFigures<number>; calls: KeyedCall[] } {
  const summary = summarizeTrace(trace);
  const nowMs = trace.endMs;
  const nodes = callNodes(trace);
  let queueMs = 0;
  for (const node of nodes) queueMs += callQueueMs(node, nowMs);
  let criticalPathMs = 0;
  for (const segment of criticalPath(trace)) criticalPathMs += segment.endMs - segment.startMs;
  const layout = layoutWaterfall(trace);
  const rowsById = new Map(layout.rows.map((row) => [row.spanId, row]));
  const counts = new Map<string, number>();
  const calls: KeyedCall[] = [];
  for (const node of [...nodes].sort((x, y) => x.startMs - y.startMs || (x.spanId < y.spanId ? -1 : x.spanId > y.spanId ? 1 : 0))) {
    const tool = toolOf(node);
    const occurrence = (counts.get(tool) ?? 0) + 1;
    counts.set(tool, occurrence);
    const row = rowsById.get(node.spanId);
    const offsetMs = node.startMs - trace.startMs;
    calls.push({
      tool,
      occurrence,
      call: {
        spanId: node.spanId,
        name: node.span.name,
        offsetMs,
        durationMs: row?.durationMs ?? Math.max(0, (node.endMs ?? nowMs) - node.startMs),
        queueMs: callQueueMs(node, nowMs),
        outcome: row?.outcome,
        attempts: row?.attempts ?? 1,
        inFlight: node.endMs === undefined,
        segments: (row?.segments ?? []).map((segment) => ({ kind: segment.kind, startMs: segment.startMs - trace.startMs, endMs: segment.endMs - trace.startMs })),
      },
    });
  }
  return {
    summary,
    figures: {
      wallMs: summary.wallMs,
      sumOfCallsMs: summary.sumOfCallsMs,
      concurrencySavedMs: summary.concurrencySavedMs,
      queueMs,
      retries: summary.retryCount,
      timeouts: summary.timeoutCount,
      criticalPathMs,
    },
    calls,
  };
}

/** The calls `summarizeTrace` adds up: call spans, or the first root's children in a trace without any. */
function callNodes(trace: AssembledTrace): TraceNode[] {
  const calls: TraceNode[] = [];
  for (const node of trace.nodes.values()) if (isCallSpan(node.span)) calls.push(node);
  if (calls.length > 0) return calls;
  const root = trace.rootNodes[0];
  return root === undefined ? [] : root.children.filter((child) => spanPhase(child.span) === undefined);
}

function toolOf(node: TraceNode): string {
  const attributes = node.span.attributes;
  const chat = stringAttribute(attributes, GenAiAttributes.OPERATION_NAME) === GenAiOperations.CHAT;
  return (chat ? stringAttribute(attributes, GenAiAttributes.REQUEST_MODEL) : stringAttribute(attributes, GenAiAttributes.TOOL_NAME)) ?? node.span.name;
}

function alignCalls(a: readonly KeyedCall[], b: readonly KeyedCall[]): AlignedCallRow[] {
  const key = (call: KeyedCall): string => `${call.tool}\u0000${call.occurrence}`;
  const bByKey = new Map(b.map((call) => [key(call), call]));
  const matched = new Set<string>();
  const rows: Array<AlignedCallRow & { sortMs: number; sortSide: number }> = [];
  for (const call of a) {
    const partner = bByKey.get(key(call));
    if (partner !== undefined) matched.add(key(call));
    rows.push({
      tool: call.tool,
      occurrence: call.occurrence,
      a: call.call,
      b: partner?.call ?? null,
      durationDiffMs: partner === undefined ? null : partner.call.durationMs - call.call.durationMs,
      sortMs: call.call.offsetMs,
      sortSide: 0,
    });
  }
  for (const call of b) {
    if (matched.has(key(call))) continue;
    rows.push({ tool: call.tool, occurrence: call.occurrence, a: null, b: call.call, durationDiffMs: null, sortMs: call.call.offsetMs, sortSide: 1 });
  }
  // Stable: A's calls keep their order; a B-only call goes after the A calls that start at or before it.
  rows.sort((x, y) => x.sortMs - y.sortMs || x.sortSide - y.sortSide);
  return rows.map(({ sortMs: _sortMs, sortSide: _sortSide, ...row }) => row);
}

function compareTools(a: AssembledTrace, b: AssembledTrace): ToolComparison[] {
  const side = (trace: AssembledTrace): Map<string, { tool: string; operation: 'execute_tool' | 'chat'; side: ToolSide }> =>
    new Map(
      toolStats([...trace.spans.values()]).map((stats) => [
        `${stats.operation}\u0000${stats.tool}`,
        { tool: stats.tool, operation: stats.operation, side: { count: stats.count, p50Ms: stats.durationMs.p50, p95Ms: stats.durationMs.p95 } },
      ]),
    );
  const inA = side(a);
  const inB = side(b);
  const keys = [...new Set([...inA.keys(), ...inB.keys()])].sort();
  return keys.map((key) => {
    const x = inA.get(key);
    const y = inB.get(key);
    const known = (x ?? y)!;
    return {
      tool: known.tool,
      operation: known.operation,
      a: x?.side ?? null,
      b: y?.side ?? null,
      count: figureDiff(x?.side.count ?? 0, y?.side.count ?? 0),
      p50Ms: x !== undefined && y !== undefined ? figureDiff(x.side.p50Ms, y.side.p50Ms) : null,
      p95Ms: x !== undefined && y !== undefined ? figureDiff(x.side.p95Ms, y.side.p95Ms) : null,
    };
  });
}
