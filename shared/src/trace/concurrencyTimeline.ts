import { GenAiAttributes, Outcome, OverlapAttributes, OverlapEvents, Phase } from '../attributes.js';
import { nanosToMs } from '../model.js';
import type { AssembledTrace, TraceNode } from './assembleTrace.js';
import { numberAttribute, stringAttribute, stringListAttribute } from './spanAttributes.js';
import { isCallSpan, spanOutcome, spanPhase, wrapperCallSpanIds } from './spanRoles.js';
import { traceEndOrNowMs } from './traceClock.js';

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

/**
 * Errors of a failed attempt that mean it never got past its gates, for traces whose
 * `overlap.attempt.failed` events do not carry the outcome the error stated (older runners).
 */
const NEVER_RAN_ERRORS: ReadonlySet<string> = new Set(['OVERLAP_CIRCUIT_OPEN', 'OVERLAP_QUEUE_FULL']);

/**
 * The changes of one series, as four lists of times (sorted later as typed arrays, which is much
 * faster than sorting objects): when a holder or waiter arrives or leaves.
 */
class SeriesBuilder {
  readonly inFlightStarts: number[] = [];
  readonly inFlightEnds: number[] = [];
  readonly queuedStarts: number[] = [];
  readonly queuedEnds: number[] = [];
  callCount = 0;

  addInFlight(fromMs: number, toMs: number): void {
    if (toMs <= fromMs) return;
    this.inFlightStarts.push(fromMs);
    this.inFlightEnds.push(toMs);
  }

  addQueued(fromMs: number, toMs: number): void {
    if (toMs <= fromMs) return;
    this.queuedStarts.push(fromMs);
    this.queuedEnds.push(toMs);
  }

  /**
   * The step series. Changes at one instant are applied together, releases before acquires: a permit
   * handed from one call to the next at time t (the releaser's end and the next holder's queue-span end
   * are the same timestamp) is one holder before t and one after, never two.
   */
  build(startMs: number): ConcurrencySeries {
    const lists = [this.inFlightStarts, this.inFlightEnds, this.queuedStarts, this.queuedEnds].map((list) => Float64Array.from(list).sort());
    const [inStarts, inEnds, qStarts, qEnds] = lists as [Float64Array, Float64Array, Float64Array, Float64Array];
    const points: ConcurrencyPoint[] = [{ tMs: startMs, inFlight: 0, queued: 0 }];
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let inFlight = 0;
    let queued = 0;
    let maxInFlight = 0;
    let maxQueued = 0;
    for (;;) {
      const tMs = Math.min(inStarts[a] ?? Infinity, inEnds[b] ?? Infinity, qStarts[c] ?? Infinity, qEnds[d] ?? Infinity);
      if (tMs === Infinity) break;
      while (inEnds[b] === tMs) (b += 1), (inFlight -= 1);
      while (inStarts[a] === tMs) (a += 1), (inFlight += 1);
      while (qEnds[d] === tMs) (d += 1), (queued -= 1);
      while (qStarts[c] === tMs) (c += 1), (queued += 1);
      const previous = points[points.length - 1]!;
      if (previous.inFlight === inFlight && previous.queued === queued) continue;
      const point = { tMs, inFlight, queued };
      // Times are grouped, so only the opening point at `startMs` can share a time with a change.
      if (previous.tMs === tMs) points[points.length - 1] = point;
      else points.push(point);
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      if (queued > maxQueued) maxQueued = queued;
    }
    return { points, maxInFlight, maxQueued, callCount: this.callCount };
  }
}

interface QueueWait {
  gate: string;
  startMs: number;
  endMs: number;
  failed: boolean;
}

interface Attempt {
  number: number;
  startMs: number;
  endMs: number;
  /** It failed before reaching its gates (open circuit, full queue), so it held nothing. */
  heldNothing: boolean;
  /** Its failed event says `rejected`: it held nothing unless a queue wait of it failed (then the gates before). */
  rejected: boolean;
  queueWaits: QueueWait[];
  /** When its abandoned body's permits were reclaimed, and the gates that refused (those stay until the body's end). */
  reclaim?: { atMs: number; refusedBy: ReadonlySet<string> };
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
 *   event before a retry, or, when the body ran on past a timeout, the end of the attempt's `abandoned`
 *   span (the permit stays with the body), unless an `overlap.permit.reclaimed` event on that span comes
 *   first: from there the gates that took their permit back no longer count it (those in
 *   `overlap.permit.refused_by` still do). Attempts that never reached the gate hold nothing: one whose
 *   queue span ended in error (queue timeout) holds no later gates, one whose `overlap.attempt.failed`
 *   event says `rejected` (or, without an outcome, an open circuit or a full queue) holds none, and
 *   neither does the last attempt of a call whose outcome is `rejected`.
 * - At one instant, releases count before acquires: when the runner hands a permit on, the releaser's end
 *   and the next holder's queue-span end are one timestamp, and the series shows one holder, not two.
 *
 * Overall: calls are call spans (see `spanCall`; a framework's span around the runner's span of the
 * same call counts once, see `wrapperCallSpanIds`), or, in a trace with none of those, every non-root span. `inFlight(t)` counts calls started and not ended (queued or
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
  const endOf = (node: TraceNode): number => node.endMs ?? Math.max(node.startMs, nowMs);

  const gateSeries = new Map<string, SeriesBuilder>();
  const gateKinds = new Map<string, string>();
  const seriesOf = (gate: string): SeriesBuilder => {
    let series = gateSeries.get(gate);
    if (series === undefined) {
      series = new SeriesBuilder();
      gateSeries.set(gate, series);
    }
    return series;
  };

  let anyCallSpan = false;
  for (const node of trace.nodes.values()) {
    if (isCallSpan(node.span)) {
      anyCallSpan = true;
      break;
    }
  }
  const wrappers = anyCallSpan ? wrapperCallSpanIds([...trace.nodes.values()].map((node) => node.span)) : undefined;
  const overall = new SeriesBuilder();

  for (const node of trace.nodes.values()) {
    const span = node.span;
    const phase = spanPhase(span);
    if (phase === Phase.QUEUE) {
      const gate = stringAttribute(span.attributes, OverlapAttributes.GATE);
      if (gate !== undefined) {
        seriesOf(gate).addQueued(node.startMs, endOf(node));
        const kind = stringAttribute(span.attributes, OverlapAttributes.GATE_KIND);
        if (kind !== undefined && !gateKinds.has(gate)) gateKinds.set(gate, kind);
      }
      continue;
    }
    if (phase !== undefined) continue;

    let queueWaits: QueueWait[] | undefined;
    let abandoned: TraceNode[] | undefined;
    for (const child of node.children) {
      const childPhase = spanPhase(child.span);
      if (childPhase === Phase.QUEUE) {
        const gate = stringAttribute(child.span.attributes, OverlapAttributes.GATE);
        if (gate !== undefined) (queueWaits ??= []).push({ gate, startMs: child.startMs, endMs: endOf(child), failed: child.span.status.code === 'error' });
      } else if (childPhase === Phase.ABANDONED) {
        (abandoned ??= []).push(child);
      }
    }

    const gates = stringListAttribute(span.attributes, OverlapAttributes.GATE);
    if (queueWaits !== undefined) for (const wait of queueWaits) if (!gates.includes(wait.gate)) gates.push(wait.gate);
    if (gates.length > 0) {
      const holds = gateHolds(node, gates, queueWaits ?? [], abandoned ?? [], endOf);
      for (const gate of gates) {
        const series = seriesOf(gate);
        series.callCount += 1;
        for (const [fromMs, toMs] of holds.get(gate)!) series.addInFlight(fromMs, toMs);
      }
    }

    if (anyCallSpan ? isCallSpan(span) && !wrappers!.has(span.spanId) : node.parent !== undefined) {
      overall.callCount += 1;
      overall.addInFlight(node.startMs, endOf(node));
      if (queueWaits !== undefined) {
        for (const [fromMs, toMs] of mergeIntervals(queueWaits.map((wait) => [wait.startMs, wait.endMs]))) overall.addQueued(fromMs, toMs);
      }
    }
  }

  const gates: GateConcurrency[] = [...gateSeries.keys()].sort().map((gate) => ({
    gate,
    kind: gateKinds.get(gate),
    ...gateSeries.get(gate)!.build(startMs),
  }));
  return { startMs, endMs, gates, overall: overall.build(startMs) };
}

/** The intervals during which `call` held each of `gates`, per the rules of {@link concurrencyTimeline}. */
function gateHolds(
  call: TraceNode,
  gates: readonly string[],
  queueWaits: readonly QueueWait[],
  abandoned: readonly TraceNode[],
  endOf: (node: TraceNode) => number,
): Map<string, Array<[number, number]>> {
  const attempts = attemptsOf(call, endOf);
  for (const wait of queueWaits) attemptAt(attempts, wait.startMs).queueWaits.push(wait);
  for (const body of abandoned) {
    const number = numberAttribute(body.span.attributes, OverlapAttributes.ATTEMPT);
    const attempt = attempts.find((candidate) => candidate.number === number) ?? attemptEndingNear(attempts, body.startMs);
    attempt.endMs = Math.max(attempt.endMs, endOf(body));
    const reclaimed = body.span.events.find((event) => event.name === OverlapEvents.PERMIT_RECLAIMED);
    if (reclaimed !== undefined) {
      const atMs = nanosToMs(reclaimed.timeUnixNano);
      if (atMs < attempt.endMs) attempt.reclaim = { atMs, refusedBy: new Set(stringListAttribute(reclaimed.attributes, OverlapAttributes.PERMIT_REFUSED_BY)) };
    }
  }
  const last = attempts[attempts.length - 1]!;
  if (spanOutcome(call.span) === Outcome.REJECTED) last.rejected = true;
  for (const attempt of attempts) if (attempt.rejected && !attempt.queueWaits.some((wait) => wait.failed)) attempt.heldNothing = true;

  const holds = new Map<string, Array<[number, number]>>();
  for (const gate of gates) holds.set(gate, []);
  for (const attempt of attempts) {
    if (attempt.heldNothing) continue;
    let cursor = attempt.startMs;
    let releaseMs = attempt.endMs;
    const held: Array<[string, number]> = [];
    for (const gate of gates) {
      const wait = attempt.queueWaits.find((candidate) => candidate.gate === gate);
      if (wait !== undefined && wait.failed) {
        // The wait for this gate failed: the attempt ended there, holding only the gates before it.
        releaseMs = wait.endMs;
        break;
      }
      if (wait !== undefined) cursor = Math.max(cursor, wait.endMs);
      held.push([gate, cursor]);
    }
    const reclaim = attempt.reclaim;
    for (const [gate, fromMs] of held) {
      const toMs = reclaim !== undefined && !reclaim.refusedBy.has(gate) ? Math.min(releaseMs, reclaim.atMs) : releaseMs;
      if (toMs > fromMs) holds.get(gate)!.push([fromMs, toMs]);
    }
  }
  return holds;
}

/** A call's attempts, cut at its back-off events: each back-off ends one attempt and, after its delay, starts the next. */
function attemptsOf(call: TraceNode, endOf: (node: TraceNode) => number): Attempt[] {
  const callStartMs = call.startMs;
  const callEndMs = endOf(call);
  let backoffs: Array<{ tMs: number; delayMs: number }> | undefined;
  let neverRan: Set<number> | undefined;
  let rejected: Set<number> | undefined;
  for (const event of call.span.events) {
    if (event.name === OverlapEvents.RETRY_BACKOFF) {
      const tMs = nanosToMs(event.timeUnixNano);
      if (tMs < callStartMs || tMs > callEndMs) continue;
      const delayMs = Math.max(0, numberAttribute(event.attributes, OverlapAttributes.RETRY_DELAY_MS) ?? 0);
      (backoffs ??= []).push({ tMs, delayMs });
    } else if (event.name === OverlapEvents.ATTEMPT_FAILED) {
      const number = numberAttribute(event.attributes, OverlapAttributes.ATTEMPT);
      if (number === undefined) continue;
      const outcome = stringAttribute(event.attributes, OverlapAttributes.OUTCOME);
      const type = stringAttribute(event.attributes, GenAiAttributes.ERROR_TYPE);
      if (outcome === Outcome.REJECTED) (rejected ??= new Set()).add(number);
      else if (outcome === undefined && type !== undefined && NEVER_RAN_ERRORS.has(type)) (neverRan ??= new Set()).add(number);
    }
  }
  const attempts: Attempt[] = [];
  let startMs = callStartMs;
  if (backoffs !== undefined) {
    backoffs.sort((a, b) => a.tMs - b.tMs);
    for (const backoff of backoffs) {
      const number = attempts.length + 1;
      attempts.push({
        number,
        startMs,
        endMs: Math.max(startMs, backoff.tMs),
        heldNothing: neverRan?.has(number) ?? false,
        rejected: rejected?.has(number) ?? false,
        queueWaits: [],
      });
      startMs = Math.min(callEndMs, Math.max(startMs, backoff.tMs + backoff.delayMs));
    }
  }
  const number = attempts.length + 1;
  attempts.push({ number, startMs, endMs: callEndMs, heldNothing: neverRan?.has(number) ?? false, rejected: rejected?.has(number) ?? false, queueWaits: [] });
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
