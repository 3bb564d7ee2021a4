import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '../src/attributes.js';
import type { SpanRecord } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { concurrencyTimeline } from '../src/trace/concurrencyTimeline.js';
import type { ConcurrencyPoint, ConcurrencySeries } from '../src/trace/concurrencyTimeline.js';
import { T0, abandonedSpan, agentRun, backoff, event, queueSpan, rel, span, toolCall } from './spanBuilders.js';

const steps = (series: ConcurrencySeries | undefined): Array<[number, number, number]> =>
  (series?.points ?? []).map((point) => [rel(point.tMs), point.inFlight, point.queued]);

/** The value of a step series at time `tMs`. */
function valueAt(points: readonly ConcurrencyPoint[], tMs: number): { inFlight: number; queued: number } {
  let value = { inFlight: 0, queued: 0 };
  for (const point of points) if (point.tMs <= tMs) value = point;
  return value;
}

interface SimulatedCall {
  arrival: number;
  grant: number;
  end: number;
}

/** A FIFO semaphore with `permits`: calls in arrival order take the permit that frees first. */
function simulate(permits: number, calls: ReadonlyArray<{ arrival: number; duration: number }>): SimulatedCall[] {
  const free = Array.from({ length: permits }, () => 0);
  const order = calls.map((call, index) => ({ ...call, index })).sort((a, b) => a.arrival - b.arrival || a.index - b.index);
  return order.map((call) => {
    free.sort((a, b) => a - b);
    const grant = Math.max(call.arrival, free[0]!);
    free[0] = grant + call.duration;
    return { arrival: call.arrival, grant, end: grant + call.duration };
  });
}

function spansOf(simulated: readonly SimulatedCall[], gate = 'db'): SpanRecord[] {
  const end = Math.max(0, ...simulated.map((call) => call.end));
  const spans = [agentRun({ id: 'run', start: 0, end })];
  simulated.forEach((call, i) => {
    spans.push(toolCall({ id: `call${i}`, parent: 'run', start: call.arrival, end: call.end, gates: [gate] }));
    if (call.grant > call.arrival) spans.push(queueSpan({ id: `q${i}`, parent: `call${i}`, gate, start: call.arrival, end: call.grant }));
  });
  return spans;
}

describe('concurrencyTimeline()', () => {
  it('concurrencyTimeline() - counts holders and waiters of a 3-permit gate over 10 calls', () => {
    const simulated = simulate(3, Array.from({ length: 10 }, () => ({ arrival: 0, duration: 30 })));
    const timeline = concurrencyTimeline(assembleTrace(spansOf(simulated)));
    expect(timeline.gates.map((gate) => gate.gate)).toEqual(['db']);
    const db = timeline.gates[0]!;
    expect(db.kind).toBe('semaphore');
    expect(db.maxInFlight).toBe(3);
    expect(db.maxQueued).toBe(7);
    expect(db.callCount).toBe(10);
    expect(steps(db)).toEqual([
      [0, 3, 7],
      [30, 3, 4],
      [60, 3, 1],
      [90, 1, 0],
      [120, 0, 0],
    ]);
    expect(steps(timeline.overall)).toEqual([
      [0, 10, 7],
      [30, 7, 4],
      [60, 4, 1],
      [90, 1, 0],
      [120, 0, 0],
    ]);
    expect(timeline.overall.maxInFlight).toBe(10);
    expect(timeline.overall.callCount).toBe(10);
    expect(rel(timeline.startMs)).toBe(0);
    expect(rel(timeline.endMs)).toBe(120);
  });

  it('concurrencyTimeline() - matches a brute-force count at every point, and never exceeds the permits', () => {
    const calls = fc.array(fc.record({ arrival: fc.integer({ min: 0, max: 50 }), duration: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), calls, (permits, requests) => {
        const simulated = simulate(permits, requests);
        const timeline = concurrencyTimeline(assembleTrace(spansOf(simulated)));
        const db = timeline.gates[0]!;
        expect(db.maxInFlight).toBeLessThanOrEqual(permits);
        const checkTimes = new Set<number>();
        for (const call of simulated) for (const t of [call.arrival, call.grant, call.end, call.arrival + 0.5, call.grant + 0.5]) checkTimes.add(t);
        for (const t of checkTimes) {
          const held = simulated.filter((call) => call.grant <= t && t < call.end).length;
          const waiting = simulated.filter((call) => call.arrival <= t && t < call.grant).length;
          expect(valueAt(db.points, T0 + t)).toMatchObject({ inFlight: held, queued: waiting });
          const open = simulated.filter((call) => call.arrival <= t && t < call.end).length;
          expect(valueAt(timeline.overall.points, T0 + t)).toMatchObject({ inFlight: open, queued: waiting });
        }
        for (const series of [db, timeline.overall]) {
          series.points.forEach((point, i) => {
            if (i === 0) return;
            const previous = series.points[i - 1]!;
            expect(point.tMs).toBeGreaterThan(previous.tMs);
            expect(point.inFlight !== previous.inFlight || point.queued !== previous.queued).toBe(true);
          });
          expect(series.points[series.points.length - 1]).toMatchObject({ inFlight: 0, queued: 0 });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('concurrencyTimeline() - holds a later gate from when the earlier gates were passed', () => {
    const trace = assembleTrace([
      toolCall({ id: 'call', start: 0, end: 50, gates: ['db', 'api'] }),
      queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 0, end: 10 }),
    ]);
    const timeline = concurrencyTimeline(trace);
    const [api, db] = timeline.gates;
    expect(api!.gate).toBe('api');
    expect(api!.kind).toBeUndefined();
    expect(steps(api)).toEqual([
      [0, 0, 0],
      [10, 1, 0],
      [50, 0, 0],
    ]);
    expect(steps(db)).toEqual([
      [0, 0, 1],
      [10, 1, 0],
      [50, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - releases the gate during a retry back-off and after a failed attempt', () => {
    const trace = assembleTrace([
      toolCall({
        id: 'call',
        start: 0,
        end: 100,
        gates: ['db'],
        attempts: 3,
        events: [
          backoff(20, 10, 2),
          event(OverlapEvents.ATTEMPT_FAILED, 40, { [OverlapAttributes.ATTEMPT]: 2, [GenAiAttributes.ERROR_TYPE]: 'OVERLAP_CIRCUIT_OPEN' }),
          backoff(40, 20, 3),
        ],
      }),
      queueSpan({ id: 'q3', parent: 'call', gate: 'db', start: 60, end: 70 }),
    ]);
    expect(steps(concurrencyTimeline(trace).gates[0])).toEqual([
      [0, 1, 0],
      [20, 0, 0],
      [60, 0, 1],
      [70, 1, 0],
      [100, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - keeps the permit with a body that ran on past its timeout', () => {
    const trace = assembleTrace([
      toolCall({ id: 'call', start: 0, end: 30, gates: ['db'], outcome: 'timeout' }),
      abandonedSpan({ id: 'ab', parent: 'call', start: 30, end: 80, attempt: 1 }),
    ]);
    expect(steps(concurrencyTimeline(trace).gates[0])).toEqual([
      [0, 1, 0],
      [80, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - counts releases before acquires at one instant: a permit handed on is never held twice', () => {
    // A semaphore of 1: `a` ends at 10, the very timestamp `b`'s wait for it ends (the runner stamps the hand-off once).
    const trace = assembleTrace([
      toolCall({ id: 'a', start: 0, end: 10, gates: ['db'] }),
      toolCall({ id: 'b', start: 0, end: 20, gates: ['db'] }),
      queueSpan({ id: 'qb', parent: 'b', gate: 'db', start: 0, end: 10 }),
      toolCall({ id: 'c', start: 0, end: 30, gates: ['db'] }),
      queueSpan({ id: 'qc', parent: 'c', gate: 'db', start: 0, end: 20 }),
    ]);
    const db = concurrencyTimeline(trace).gates[0]!;
    expect(db.maxInFlight).toBe(1);
    expect(steps(db)).toEqual([
      [0, 1, 2],
      [10, 1, 1],
      [20, 1, 0],
      [30, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - a reclaimed permit stops counting at the reclaim event, though the abandoned body runs on', () => {
    const trace = assembleTrace([
      toolCall({ id: 'call', start: 0, end: 30, gates: ['db', 'api'], outcome: 'timeout' }),
      abandonedSpan({
        id: 'ab',
        parent: 'call',
        start: 30,
        end: 200,
        attempt: 1,
        settled: true,
        events: [event(OverlapEvents.PERMIT_RECLAIMED, 60, { [OverlapAttributes.PERMIT_REFUSED_BY]: ['api'] })],
      }),
    ]);
    const [api, db] = concurrencyTimeline(trace).gates;
    // db took its permit back at 60; api refused, so the body keeps that one until it settles at 200.
    expect(steps(db)).toEqual([
      [0, 1, 0],
      [60, 0, 0],
    ]);
    expect(steps(api)).toEqual([
      [0, 1, 0],
      [200, 0, 0],
    ]);
  });

  it("concurrencyTimeline() - an attempt whose failed event says 'rejected' held nothing, whatever its error", () => {
    const trace = assembleTrace([
      toolCall({
        id: 'call',
        start: 0,
        end: 100,
        gates: ['db'],
        attempts: 2,
        events: [
          event(OverlapEvents.ATTEMPT_FAILED, 20, { [OverlapAttributes.ATTEMPT]: 1, [GenAiAttributes.ERROR_TYPE]: 'ACME_BUDGET_SPENT', [OverlapAttributes.OUTCOME]: 'rejected' }),
          backoff(20, 30, 2),
        ],
      }),
    ]);
    expect(steps(concurrencyTimeline(trace).gates[0])).toEqual([
      [0, 0, 0],
      [50, 1, 0],
      [100, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - a call rejected at a gate holds only the gates before it, one rejected without a wait holds none', () => {
    const trace = assembleTrace([
      toolCall({ id: 'timedOut', start: 0, end: 20, gates: ['db', 'api'], outcome: 'rejected' }),
      queueSpan({ id: 'q', parent: 'timedOut', gate: 'api', start: 5, end: 20, failed: true }),
      toolCall({ id: 'full', start: 0, end: 1, gates: ['db'], outcome: 'rejected' }),
    ]);
    const [api, db] = concurrencyTimeline(trace).gates;
    expect(steps(api)).toEqual([
      [0, 0, 0],
      [5, 0, 1],
      [20, 0, 0],
    ]);
    // It held db while it waited for api, from its start (no queue span for db) until the wait failed.
    expect(steps(db)).toEqual([
      [0, 1, 0],
      [20, 0, 0],
    ]);
  });

  it('concurrencyTimeline() - counts every non-root span as a call in a trace without GenAI spans', () => {
    const trace = assembleTrace([
      span({ id: 'root', start: 0, end: 100 }),
      span({ id: 'a', parent: 'root', start: 0, end: 50 }),
      span({ id: 'b', parent: 'root', start: 10, end: 60 }),
      span({ id: 'c', parent: 'a', start: 20, end: 30 }),
    ]);
    const timeline = concurrencyTimeline(trace);
    expect(timeline.gates).toEqual([]);
    expect(steps(timeline.overall)).toEqual([
      [0, 1, 0],
      [10, 2, 0],
      [20, 3, 0],
      [30, 2, 0],
      [50, 1, 0],
      [60, 0, 0],
    ]);
    expect(timeline.overall.maxInFlight).toBe(3);
  });

  it('concurrencyTimeline() - ends in-flight calls at nowMs', () => {
    const trace = assembleTrace([toolCall({ id: 'call', start: 0, gates: ['db'] }), queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 0 })]);
    const timeline = concurrencyTimeline(trace, { nowMs: T0 + 25 });
    expect(rel(timeline.endMs)).toBe(25);
    expect(steps(timeline.gates[0])).toEqual([
      [0, 0, 1],
      [25, 0, 0],
    ]);
  });
});
