import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import type { AssembledTrace } from '../src/trace/assembleTrace.js';
import { cleanTraceArbitrary, messyArrival } from './traceArbitrary.js';
import { T0, id, rel, span } from './spanBuilders.js';

/** Everything about a trace except how much repair it took. */
function shape(trace: AssembledTrace): unknown {
  return {
    traceId: trace.traceId,
    spans: [...trace.spans.entries()],
    times: [...trace.times.entries()].map(([spanId, times]) => [spanId, times.startMs, times.endMs]),
    roots: trace.roots,
    children: [...trace.children.entries()],
    parents: [...trace.parents.entries()],
    depth: [...trace.depth.entries()],
    startMs: trace.startMs,
    endMs: trace.endMs,
    spanCount: trace.spanCount,
    inFlightCount: trace.inFlightCount,
    orphanCount: trace.orphanCount,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

describe('assembleTrace()', () => {
  it('assembleTrace() - gives the same trace for a shuffled, duplicated arrival with in-flight versions as for the clean spans', () => {
    fc.assert(
      fc.property(
        cleanTraceArbitrary.chain((clean) => fc.tuple(fc.constant(clean), messyArrival(clean))),
        ([clean, messy]) => {
          const expected = assembleTrace(clean);
          const actual = assembleTrace(deepFreeze(messy));
          expect(shape(actual)).toEqual(shape(expected));
          expect(actual.duplicateCount + actual.replacedInFlightCount).toBe(messy.length - clean.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('assembleTrace() - puts every span exactly once in the forest, children sorted by start then id, depths consistent', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const trace = assembleTrace(spans);
        const seen: string[] = [...trace.roots];
        for (const ids of trace.children.values()) seen.push(...ids);
        expect(seen.sort()).toEqual([...trace.spans.keys()].sort());
        const sorted = (ids: readonly string[]): boolean =>
          ids.every((current, i) => {
            if (i === 0) return true;
            const previous = ids[i - 1]!;
            const a = trace.times.get(previous)!.startMs;
            const b = trace.times.get(current)!.startMs;
            return a < b || (a === b && previous < current);
          });
        expect(sorted(trace.roots)).toBe(true);
        for (const [parentId, ids] of trace.children) {
          expect(sorted(ids)).toBe(true);
          for (const childId of ids) {
            expect(trace.parents.get(childId)).toBe(parentId);
            expect(trace.depth.get(childId)).toBe(trace.depth.get(parentId)! + 1);
          }
        }
        for (const rootId of trace.roots) expect(trace.depth.get(rootId)).toBe(0);
        // The nodes say the same as the maps, by reference.
        expect(trace.rootNodes.map((node) => node.spanId)).toEqual(trace.roots);
        for (const [spanId, node] of trace.nodes) {
          expect(node.span).toBe(trace.spans.get(spanId));
          expect(node.children.map((child) => child.spanId)).toEqual(trace.children.get(spanId));
          expect(node.parent?.spanId).toBe(trace.parents.get(spanId));
          expect(node.depth).toBe(trace.depth.get(spanId));
          for (const child of node.children) expect(child.parent).toBe(node);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('assembleTrace() - replaces an in-flight version by the ended one, whichever arrives first', () => {
    const ended = span({ id: 'a', start: 0, end: 10, attributes: { done: true } });
    const inFlight = span({ id: 'a', start: 0 });
    for (const order of [[inFlight, ended], [ended, inFlight]]) {
      const trace = assembleTrace(order);
      expect(trace.spanCount).toBe(1);
      expect(trace.spans.get(id('a'))).toBe(ended);
      expect(trace.inFlightCount).toBe(0);
      expect(trace.replacedInFlightCount).toBe(1);
      expect(trace.warnings).toEqual([]);
    }
  });

  it('assembleTrace() - drops exact duplicates with a warning', () => {
    const a = span({ id: 'a', start: 0, end: 10 });
    const trace = assembleTrace([a, structuredClone(a), structuredClone(a)]);
    expect(trace.spanCount).toBe(1);
    expect(trace.duplicateCount).toBe(2);
    expect(trace.warnings).toEqual([`dropped 2 exact duplicate span(s): ${id('a')}`]);
  });

  it('assembleTrace() - keeps two different spans with one id, renaming the later and warning', () => {
    const root = span({ id: 'root', start: 0, end: 100 });
    const first = span({ id: 'dup', parent: 'root', start: 10, end: 20, name: 'first' });
    const second = span({ id: 'dup', parent: 'root', start: 30, end: 40, name: 'second' });
    const child = span({ id: 'kid', parent: 'dup', start: 12, end: 15 });
    const trace = assembleTrace([second, child, root, first]);
    const renamed = `${id('dup')}_1`;
    expect(trace.spans.get(id('dup'))!.name).toBe('first');
    expect(trace.spans.get(renamed)!.name).toBe('second');
    expect(trace.spans.get(renamed)!.spanId).toBe(renamed);
    expect(trace.children.get(id('root'))).toEqual([id('dup'), renamed]);
    expect(trace.children.get(id('dup'))).toEqual([id('kid')]);
    expect(trace.renamedCount).toBe(1);
    expect(trace.warnings).toEqual([expect.stringContaining(`${id('dup')} -> ${renamed}`)]);
    expect(second.spanId).toBe(id('dup'));
  });

  it('assembleTrace() - makes orphans roots, counted and warned', () => {
    const trace = assembleTrace([span({ id: 'root', start: 0, end: 10 }), span({ id: 'lost', parent: 'gone', start: 5, end: 6 })]);
    expect(trace.roots).toEqual([id('root'), id('lost')]);
    expect(trace.orphanCount).toBe(1);
    expect(trace.depth.get(id('lost'))).toBe(0);
    expect(trace.parents.has(id('lost'))).toBe(false);
    expect(trace.warnings).toEqual([expect.stringContaining('have a parent that is not in the trace')]);
  });

  it('assembleTrace() - clamps an end before the start to the start, without touching the input', () => {
    const backwards = { ...span({ id: 'a', start: 10, end: 10 }), endTimeUnixNano: span({ id: 'a', start: 5 }).startTimeUnixNano };
    const trace = assembleTrace([deepFreeze(backwards)]);
    const repaired = trace.spans.get(id('a'))!;
    expect(repaired.endTimeUnixNano).toBe(repaired.startTimeUnixNano);
    expect(trace.times.get(id('a'))).toMatchObject({ startMs: T0 + 10, endMs: T0 + 10 });
    expect(trace.clampedCount).toBe(1);
    expect(trace.warnings).toEqual([expect.stringContaining('ended before they started')]);
  });

  it('assembleTrace() - breaks a cycle of parent ids at its earliest span', () => {
    const trace = assembleTrace([
      span({ id: 'x', parent: 'z', start: 1, end: 9 }),
      span({ id: 'y', parent: 'x', start: 2, end: 8 }),
      span({ id: 'z', parent: 'y', start: 3, end: 7 }),
      span({ id: 'self', parent: 'self', start: 4, end: 5 }),
    ]);
    expect(trace.roots).toEqual([id('x'), id('self')]);
    expect(trace.children.get(id('x'))).toEqual([id('y')]);
    expect(trace.depth.get(id('z'))).toBe(2);
    expect(trace.cycleBreakCount).toBe(2);
  });

  it('assembleTrace() - reports the trace range and in-flight count in milliseconds', () => {
    const trace = assembleTrace([span({ id: 'a', start: 5, end: 20 }), span({ id: 'b', parent: 'a', start: 30 })]);
    expect(rel(trace.startMs)).toBe(5);
    expect(rel(trace.endMs)).toBe(30);
    expect(trace.inFlightCount).toBe(1);
    expect(trace.times.get(id('b'))!.endMs).toBeUndefined();
  });

  it('assembleTrace() - warns when spans of several traces are mixed, naming the trace it kept', () => {
    const a = span({ id: 'a', start: 0, end: 1 });
    const b = span({ id: 'b', start: 0, end: 1 });
    const other: SpanRecord = { ...span({ id: 'c', start: 0, end: 1 }), traceId: 'ffffffffffffffffffffffffffffffff' };
    const trace = assembleTrace([other, a, b]);
    expect(trace.traceId).toBe(a.traceId);
    expect(trace.warnings).toEqual([expect.stringContaining('the others are ffffffffffffffffffffffffffffffff')]);
  });

  it('assembleTrace() - handles a chain 50,000 spans deep without recursion', () => {
    const spans = Array.from({ length: 50_000 }, (_, i) => span({ id: `s${i}`, parent: i === 0 ? undefined : `s${i - 1}`, start: i, end: 100_000 }));
    const trace = assembleTrace(spans);
    expect(trace.depth.get(id('s49999'))).toBe(49_999);
  });

  it('assembleTrace() - exposes its id maps as read-only maps that agree with the nodes', () => {
    const trace = assembleTrace([span({ id: 'root', start: 0, end: 10 }), span({ id: 'kid', parent: 'root', start: 1, end: 2 })]);
    expect(trace.parents.size).toBe(1);
    expect(trace.parents.has(id('root'))).toBe(false);
    expect(trace.parents.get(id('kid'))).toBe(id('root'));
    expect([...trace.parents.keys()]).toEqual([id('kid')]);
    expect(trace.spans.size).toBe(2);
    expect(trace.spans.get('nope')).toBeUndefined();
    expect(new Map(trace.depth)).toEqual(new Map([[id('root'), 0], [id('kid'), 1]]));
    expect([...trace.children.values()]).toEqual([[id('kid')], []]);
    const seen: string[] = [];
    trace.spans.forEach((record, spanId, map) => {
      expect(map.get(spanId)).toBe(record);
      seen.push(spanId);
    });
    expect(seen).toEqual([id('root'), id('kid')]);
    expect(trace.children.get(id('root'))).toBe(trace.children.get(id('root')));
  });

  it('assembleTrace() - gives an empty trace for no spans', () => {
    const trace = assembleTrace([]);
    expect(trace).toMatchObject({ traceId: '', spanCount: 0, startMs: 0, endMs: 0, roots: [], warnings: [] });
  });
});
