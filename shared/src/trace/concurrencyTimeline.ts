import { GenAiAttributes, Outcome, OverlapAttributes, OverlapEvents, Phase } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import type { AssembledTrace } from './assembleTrace.js';
import { numberAttribute, stringAttribute, stringListAttribute } from './spanAttributes.js';
import { isCallSpan, spanOutcome, spanPhase } from './spanRoles.js';
import { spanEndOrNowMs, traceEndOrNowMs } from './traceClock.js';

/** Options of {@link concurrencyTimeline}. */
export interface ConcurrencyTimelineOptions {
  /**
   * Where in-flight spans end, in ms since the epoch.
   * @defaultValue the trace's end ({@link AssembledTrace.endMs})
   */
  nowMs?: number;
}

/** The counts from `tMs` until the next point (a step function). */
export interface ConcurrencyPoint {
  /** ms since the epoch. */
  readonly tMs: number;
  /** For a gate: calls holding it. For `overall`: calls started and not ended (queued ones included). */
  readonly inFlight: number;
  /** For a gate: calls waiting for it. For `overall`: calls waiting for any gate. */
  readonly queued: number;
}

/** A step series and its maxima. */
export interface ConcurrencySeries {
  /**
   * Sorted by `tMs`, strictly increasing, one point per change: the first point is at the timeline's
   * start, and each later point differs from the one before it. The last point is back at zero.
   */
  readonly points: readonly ConcurrencyPoint[];
  readonly maxInFlight: number;
  readonly maxQueued: number;
  /** Calls that contributed to the series. */
  readonly callCount: number;
}

/** One gate's series. */
export interface GateConcurrency extends ConcurrencySeries {
  /** The gate's name (`overlap.gate`). */
  readonly gate: string;
  /** The gate's kind (`overlap.gate.kind` of its queue spans), such as `semaphore`; unknown without queue spans. */
  readonly kind: string | undefined;
}

/** What {@link concurrencyTimeline} returns. */
export interface ConcurrencyTimeline {
  /** Start of every series, ms since the epoch (the trace's start). */
  readonly startMs: number;
  /** End of the time range, ms since the epoch (the trace's end, or `nowMs` while spans are in flight). */
  readonly endMs: number;
  /** One series per gate, sorted by gate name. Empty for a trace without `overlap.gate` attributes. */
  readonly gates: readonly GateConcurrency[];
  /** Tool and model calls in flight, over all gates. */
  readonly overall: ConcurrencySeries;
}

/** Errors of a failed attempt that mean it never got past its gates. */
const NEVER_RAN_ERRORS: ReadonlySet<string> = new Set(['OVERLAP_CIRCUIT_OPEN', 'OVERLAP_QUEUE_FULL']);

interface Delta {
  tMs: number;
  inFlight: number;
  queued: number;
}

interface Attempt {
  number: number;
  startMs: number;
  endMs: number;
  /** It failed before reaching its gates (open circuit, full queue), so it held nothing. */
  heldNothing: boolean;
  queueSpans: Array<{ gate: string; startMs: number; endMs: number; failed: boolean }>;
}

/**
 * How many calls held and waited for each gate over the trace's time, and how many calls were in flight
 * overall: the data of a concurrency chart.
 *
 * Per gate (named by call spans in `overlap.gate`, a list of the gates a call passes in acquisition order,
 * and by queue spans in `overlap.gate`, one name, with `overlap.gate.kind`):
 * - `queued(t)`: the gate's queue spans open at `t`;
 * - `inFlight(t)`: calls holding the gate at `t`. A call holds a gate from the end of its queue span for
 *   that gate, or, with no queue span, from when it passed the gates before it (the end of their queue
 *   spans) or its attempt's start, until its attempt ends: the call's end, the `overlap.retry.backoff`
 *   event before a retry, or the end of the attempt's `abandoned` span when the body ran on past a timeout
 *   (the permit stays with the body). Attempts that never reached the gate hold nothing: one whose queue
 *   span ended in error (queue timeout) holds no later gates, one that failed with an open circuit or a
 *   full queue holds none, and neither does the last attempt of a call whose outcome is `rejected`.
 *
 * Overall: calls are spans with `gen_ai.operation.name` `execute_tool` or `chat`, or, in a trace with
 * none of those, every non-root span. `inFlight(t)` counts calls started and not ended (queued or
 * running); `queued(t)` those of them inside one of their queue spans. Running = `inFlight - queued`.
 *
 * In-flight spans end at `options.nowMs`. The trace is not changed. Runs in O(n log n).
 *
 * @example
 * ```ts
 * const timeline = concurrencyTimeline(assembleTrace(spans));
 * for (const gate of timeline.gates) console.log(gate.gate, 'at most', gate.maxInFlight, 'held at once');
 * ```
 */
export function concurrencyTimeline(trace: AssembledTrace, options: ConcurrencyTimelineOptions = {}): ConcurrencyTimeline {
  const nowMs = options.nowMs ?? trace.endMs;
  const startMs = trace.startMs;
  const endMs = traceEndOrNowMs(trace, nowMs);
  const endOf = (spanId: string): number => spanEndOrNowMs(trace.times.get(spanId)!, nowMs);

  const gateDeltas = new Map<string, Delta[]>();
  const gateCalls = new Map<string, number>();
  const gateKinds = new Map<string, string>();
  const deltasOf = (gate: string): Delta[] => {
    let deltas = gateDeltas.get(gate);
    if (deltas === undefined) {
      deltas = [];
      gateDeltas.set(gate, deltas);
    }
    return deltas;
  };

  let anyCallSpan = false;
  for (const span of trace.spans.values()) {
    if (isCallSpan(span)) {
      anyCallSpan = true;
      break;
    }
  }
  const overallDeltas: Delta[] = [];
  let overallCalls = 0;

  for (const [spanId, span] of trace.spans) {
    const phase = spanPhase(span);
    const startOfSpan = trace.times.get(spanId)!.startMs;
    if (phase === Phase.QUEUE) {
      const gate = stringAttribute(span.attributes, OverlapAttributes.GATE);
      if (gate !== undefined) {
        pushInterval(deltasOf(gate), startOfSpan, endOf(spanId), 0, 1);
        const kind = stringAttribute(span.attributes, OverlapAttributes.GATE_KIND);
        if (kind !== undefined && !gateKinds.has(gate)) gateKinds.set(gate, kind);
      }
      continue;
    }
    if (phase === undefined) {
      const gates = stringListAttribute(span.attributes, OverlapAttributes.GATE);
      const queueChildren = childrenInPhase(trace, spanId, Phase.QUEUE);
      for (const child of queueChildren) {
        const gate = stringAttribute(child.attributes, OverlapAttributes.GATE);
        if (gate !== undefined && !gates.includes(gate)) gates.push(gate);
      }
      if (gates.length > 0) {
        for (const [gate, holds] of gateHolds(trace, span, gates, queueChildren, endOf)) {
          gateCalls.set(gate, (gateCalls.get(gate) ?? 0) + 1);
          const deltas = deltasOf(gate);
          for (const [fromMs, toMs] of holds) pushInterval(deltas, fromMs, toMs, 1, 0);
        }
      }
      const isOverallCall = anyCallSpan ? isCallSpan(span) : trace.parents.has(spanId);
      if (isOverallCall) {
        overallCalls += 1;
        pushInterval(overallDeltas, startOfSpan, endOf(spanId), 1, 0);
        const waits = mergeIntervals(queueChildren.map((child) => [trace.times.get(child.spanId)!.startMs, endOf(child.spanId)]));
        for (const [fromMs, toMs] of waits) pushInterval(overallDeltas, fromMs, toMs, 0, 1);
      }
    }
  }

  const gates: GateConcurrency[] = [...gateDeltas.keys()].sort().map((gate) => ({
    gate,
    kind: gateKinds.get(gate),
    ...stepSeries(gateDeltas.get(gate)!, startMs),
    callCount: gateCalls.get(gate) ?? 0,
  }));
  return { startMs, endMs, gates, overall: { ...stepSeries(overallDeltas, startMs), callCount: overallCalls } };
}

function childrenInPhase(trace: AssembledTrace, spanId: string, phase: Phase): SpanRecord[] {
  const found: SpanRecord[] = [];
  for (const childId of trace.children.get(spanId)!) {
    const child = trace.spans.get(childId)!;
    if (spanPhase(child) === phase) found.push(child);
  }
  return found;
}

/** The intervals during which `call` held each of `gates`, per the rules of {@link concurrencyTimeline}. */
function gateHolds(
  trace: AssembledTrace,
  call: SpanRecord,
  gates: readonly string[],
  queueChildren: readonly SpanRecord[],
  endOf: (spanId: string) => number,
): Map<string, Array<[number, number]>> {
  const attempts = attemptsOf(trace, call, endOf);
  for (const child of queueChildren) {
    const gate = stringAttribute(child.attributes, OverlapAttributes.GATE);
    if (gate === undefined) continue;
    const startMs = trace.times.get(child.spanId)!.startMs;
    attemptAt(attempts, startMs).queueSpans.push({ gate, startMs, endMs: endOf(child.spanId), failed: child.status.code === 'error' });
  }
  for (const abandoned of childrenInPhase(trace, call.spanId, Phase.ABANDONED)) {
    const number = numberAttribute(abandoned.attributes, OverlapAttributes.ATTEMPT);
    const startMs = trace.times.get(abandoned.spanId)!.startMs;
    const attempt = attempts.find((candidate) => candidate.number === number) ?? attemptEndingNear(attempts, startMs);
    attempt.endMs = Math.max(attempt.endMs, endOf(abandoned.spanId));
  }
  const last = attempts[attempts.length - 1]!;
  if (spanOutcome(call) === Outcome.REJECTED && !last.queueSpans.some((queue) => queue.failed)) last.heldNothing = true;

  const holds = new Map<string, Array<[number, number]>>(gates.map((gate) => [gate, []]));
  for (const attempt of attempts) {
    if (attempt.heldNothing) continue;
    let cursor = attempt.startMs;
    let releaseMs = attempt.endMs;
    const held: Array<[string, number]> = [];
    for (const gate of gates) {
      const queue = attempt.queueSpans.find((candidate) => candidate.gate === gate);
      if (queue !== undefined && queue.failed) {
        // The wait for this gate failed: the attempt ended there, holding only the gates before it.
        releaseMs = queue.endMs;
        break;
      }
      if (queue !== undefined) cursor = Math.max(cursor, queue.endMs);
      held.push([gate, cursor]);
    }
    for (const [gate, fromMs] of held) {
      if (releaseMs > fromMs) holds.get(gate)!.push([fromMs, releaseMs]);
    }
  }
  return holds;
}

/** A call's attempts, cut at its back-off events: each back-off ends one attempt and, after its delay, starts the next. */
function attemptsOf(trace: AssembledTrace, call: SpanRecord, endOf: (spanId: string) => number): Attempt[] {
  const callStartMs = trace.times.get(call.spanId)!.startMs;
  const callEndMs = endOf(call.spanId);
  const backoffs = call.events
    .filter((event) => event.name === OverlapEvents.RETRY_BACKOFF)
    .map((event) => ({ tMs: nanosToMs(event.timeUnixNano), delayMs: Math.max(0, numberAttribute(event.attributes, OverlapAttributes.RETRY_DELAY_MS) ?? 0) }))
    .filter((backoff) => backoff.tMs >= callStartMs && backoff.tMs <= callEndMs)
    .sort((a, b) => a.tMs - b.tMs);
  const neverRan = new Set<number>();
  for (const event of call.events) {
    if (event.name !== OverlapEvents.ATTEMPT_FAILED) continue;
    const number = numberAttribute(event.attributes, OverlapAttributes.ATTEMPT);
    const type = stringAttribute(event.attributes, GenAiAttributes.ERROR_TYPE);
    if (number !== undefined && type !== undefined && NEVER_RAN_ERRORS.has(type)) neverRan.add(number);
  }
  const attempts: Attempt[] = [];
  let startMs = callStartMs;
  for (const backoff of backoffs) {
    const number = attempts.length + 1;
    attempts.push({ number, startMs, endMs: Math.max(startMs, backoff.tMs), heldNothing: neverRan.has(number), queueSpans: [] });
    startMs = Math.min(callEndMs, Math.max(startMs, backoff.tMs + backoff.delayMs));
  }
  const number = attempts.length + 1;
  attempts.push({ number, startMs, endMs: callEndMs, heldNothing: neverRan.has(number), queueSpans: [] });
  return attempts;
}

/** The attempt under way at `tMs`: the last one to start at or before it (with a microsecond of slack). */
function attemptAt(attempts: readonly Attempt[], tMs: number): Attempt {
  let found = attempts[0]!;
  for (const attempt of attempts) if (attempt.startMs <= tMs + 1e-3) found = attempt;
  return found;
}

/** The attempt whose end is nearest to `tMs` (an abandoned span starts where its attempt ended). */
function attemptEndingNear(attempts: readonly Attempt[], tMs: number): Attempt {
  let found = attempts[0]!;
  for (const attempt of attempts) if (Math.abs(attempt.endMs - tMs) < Math.abs(found.endMs - tMs)) found = attempt;
  return found;
}

function mergeIntervals(intervals: Array<[number, number]>): Array<[number, number]> {
  if (intervals.length < 2) return intervals;
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [[intervals[0]![0], intervals[0]![1]]];
  for (const [fromMs, toMs] of intervals.slice(1)) {
    const lastInterval = merged[merged.length - 1]!;
    if (fromMs <= lastInterval[1]) lastInterval[1] = Math.max(lastInterval[1], toMs);
    else merged.push([fromMs, toMs]);
  }
  return merged;
}

function pushInterval(deltas: Delta[], fromMs: number, toMs: number, inFlight: number, queued: number): void {
  if (toMs <= fromMs) return;
  deltas.push({ tMs: fromMs, inFlight, queued }, { tMs: toMs, inFlight: -inFlight, queued: -queued });
}

function stepSeries(deltas: Delta[], startMs: number): Omit<ConcurrencySeries, 'callCount'> {
  deltas.sort((a, b) => a.tMs - b.tMs);
  const points: ConcurrencyPoint[] = [{ tMs: startMs, inFlight: 0, queued: 0 }];
  let inFlight = 0;
  let queued = 0;
  let maxInFlight = 0;
  let maxQueued = 0;
  let i = 0;
  while (i < deltas.length) {
    const tMs = deltas[i]!.tMs;
    while (i < deltas.length && deltas[i]!.tMs === tMs) {
      inFlight += deltas[i]!.inFlight;
      queued += deltas[i]!.queued;
      i += 1;
    }
    const previous = points[points.length - 1]!;
    if (previous.inFlight === inFlight && previous.queued === queued) continue;
    const point = { tMs, inFlight, queued };
    // Times are grouped, so only the opening point at `startMs` can share a time with a change.
    if (previous.tMs === tMs) points[points.length - 1] = point;
    else points.push(point);
    maxInFlight = Math.max(maxInFlight, inFlight);
    maxQueued = Math.max(maxQueued, queued);
  }
  return { points, maxInFlight, maxQueued };
}
