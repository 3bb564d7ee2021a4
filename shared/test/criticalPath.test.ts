import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { criticalPath } from '../src/trace/criticalPath.js';
import type { CriticalPathSegment } from '../src/trace/criticalPath.js';
import { T0, abandonedSpan, id, queueSpan, rel, span, toolCall } from './spanBuilders.js';
import { cleanTraceArbitrary } from './traceArbitrary.js';

/** The path as `[label, from, to]` in ms after T0, labels being the ids the spans were built with. */
function readable(path: readonly CriticalPathSegment[], labels: readonly string[]): Array<[string, number, number]> {
  const byId = new Map(labels.map((label) => [id(label), label]));
  return path.map((segment) => [byId.get(segment.spanId) ?? segment.spanId, rel(segment.startMs), rel(segment.endMs)]);
}

const pathOf = (spans: SpanRecord[], labels: string[], nowMs?: number): Array<[string, number, number]> =>
  readable(criticalPath(assembleTrace(spans), nowMs === undefined ? {} : { nowMs }), labels);

describe('criticalPath()', () => {
  it('criticalPath() - follows sequential children one after another', () => {
    const spans = [
      span({ id: 'root', start: 0, end: 100 }),
      span({ id: 'a', parent: 'root', start: 0, end: 30 }),
      span({ id: 'b', parent: 'root', start: 30, end: 60 }),
      span({ id: 'c', parent: 'root', start: 60, end: 90 }),
    ];
    expect(pathOf(spans, ['root', 'a', 'b', 'c'])).toEqual([
      ['a', 0, 30],
      ['b', 30, 60],
      ['c', 60, 90],
      ['root', 90, 100],
    ]);
  });

  it('criticalPath() - takes only the last-finishing of parallel children', () => {
    const spans = [
      span({ id: 'root', start: 0, end: 100 }),
      span({ id: 'a', parent: 'root', start: 10, end: 50 }),
      span({ id: 'b', parent: 'root', start: 10, end: 80 }),
      span({ id: 'c', parent: 'root', start: 20, end: 30 }),
    ];
    expect(pathOf(spans, ['root', 'a', 'b', 'c'])).toEqual([
      ['root', 0, 10],
      ['b', 10, 80],
      ['root', 80, 100],
    ]);
  });

  it('criticalPath() - descends into nested children and back out', () => {
    const spans = [
      span({ id: 'root', start: 0, end: 100 }),
      toolCall({ id: 'call', parent: 'root', start: 10, end: 90 }),
      queueSpan({ id: 'q', parent: 'call', gate: 'db', start: 10, end: 40 }),
      span({ id: 'http', parent: 'call', start: 40, end: 85 }),
      span({ id: 'early', parent: 'root', start: 2, end: 8 }),
    ];
    expect(pathOf(spans, ['root', 'call', 'q', 'http', 'early'])).toEqual([
      ['root', 0, 2],
      ['early', 2, 8],
      ['root', 8, 10],
      ['q', 10, 40],
      ['http', 40, 85],
      ['call', 85, 90],
      ['root', 90, 100],
    ]);
  });

  it('criticalPath() - clips a child that outlives its parent, and leaves it off when the parent did not wait for it', () => {
    const spans = [
      span({ id: 'root', start: 0, end: 100 }),
      toolCall({ id: 'call', parent: 'root', start: 10, end: 50 }),
      abandonedSpan({ id: 'ab', parent: 'call', start: 50, end: 70 }),
      toolCall({ id: 'call2', parent: 'root', start: 20, end: 65 }),
    ];
    expect(pathOf(spans, ['root', 'call', 'ab', 'call2'])).toEqual([
      ['root', 0, 20],
      ['call2', 20, 65],
      ['root', 65, 100],
    ]);
  });

  it('criticalPath() - ends with a body that outlived the whole run, reached through the call that left it', () => {
    const spans = [
      span({ id: 'root', start: 0, end: 100 }),
      toolCall({ id: 'call', parent: 'root', start: 10, end: 90 }),
      abandonedSpan({ id: 'ab', parent: 'call', start: 90, end: 130 }),
    ];
    expect(pathOf(spans, ['root', 'call', 'ab'])).toEqual([
      ['root', 0, 10],
      ['call', 10, 90],
      ['ab', 90, 130],
    ]);
  });

  it('criticalPath() - ends in-flight spans at nowMs', () => {
    const spans = [span({ id: 'root', start: 0 }), span({ id: 'a', parent: 'root', start: 10, end: 20 }), span({ id: 'b', parent: 'root', start: 15 })];
    expect(pathOf(spans, ['root', 'a', 'b'], T0 + 50)).toEqual([
      ['root', 0, 15],
      ['b', 15, 50],
    ]);
  });

  it('criticalPath() - walks several roots, cutting one that was still running', () => {
    const spans = [span({ id: 'a', start: 0, end: 100 }), span({ id: 'b', parent: 'lost', start: 50, end: 120 })];
    expect(pathOf(spans, ['a', 'b'])).toEqual([
      ['a', 0, 50],
      ['b', 50, 120],
    ]);
  });

  it('criticalPath() - gives ordered, disjoint, non-empty segments inside their spans, for any trace', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const trace = assembleTrace(spans);
        const path = criticalPath(trace);
        path.forEach((segment, i) => {
          expect(segment.endMs).toBeGreaterThan(segment.startMs);
          const times = trace.times.get(segment.spanId)!;
          expect(segment.startMs).toBeGreaterThanOrEqual(times.startMs);
          expect(segment.endMs).toBeLessThanOrEqual(times.endMs ?? trace.endMs);
          if (i > 0) expect(segment.startMs).toBeGreaterThanOrEqual(path[i - 1]!.endMs);
        });
        // When a span runs until the trace's end, the path reaches it, unless a child started before its
        // parent (clock skew: that part is clipped off, as in Jaeger).
        const skewed = [...trace.parents].some(([child, parent]) => trace.times.get(child)!.startMs < trace.times.get(parent)!.startMs);
        const reachesEnd = [...trace.times.values()].some((times) => (times.endMs ?? trace.endMs) === trace.endMs && times.startMs < trace.endMs);
        if (reachesEnd && !skewed) expect(path[path.length - 1]!.endMs).toBe(trace.endMs);
      }),
      { numRuns: 300 },
    );
  });

  it('criticalPath() - covers a root that spans the whole trace without gaps', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const trace = assembleTrace(spans);
        const rootId = trace.roots[0]!;
        fc.pre(trace.roots.length === 1);
        const times = trace.times.get(rootId)!;
        fc.pre(times.startMs === trace.startMs && times.endMs === trace.endMs && trace.endMs > trace.startMs);
        const path = criticalPath(trace);
        expect(path[0]!.startMs).toBe(trace.startMs);
        path.forEach((segment, i) => {
          if (i > 0) expect(segment.startMs).toBe(path[i - 1]!.endMs);
        });
        expect(path[path.length - 1]!.endMs).toBe(trace.endMs);
      }),
      { numRuns: 300 },
    );
  });

  it('criticalPath() - is empty for an empty trace and handles a chain 50,000 deep', () => {
    expect(criticalPath(assembleTrace([]))).toEqual([]);
    const spans = Array.from({ length: 50_000 }, (_, i) => span({ id: `s${i}`, parent: i === 0 ? undefined : `s${i - 1}`, start: i, end: 200_000 - i }));
    const path = criticalPath(assembleTrace(spans));
    expect(path).toHaveLength(2 * 50_000 - 1);
  });
});
