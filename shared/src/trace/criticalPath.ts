import type { AssembledTrace, TraceNode } from './assembleTrace.js';
import { traceEndOrNowMs } from './traceClock.js';

/** A stretch of time, in ms since the epoch, during which one span was the work the trace waited on. */
export interface CriticalPathSegment {
  readonly spanId: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Options of {@link criticalPath}. */
export interface CriticalPathOptions {
  /**
   * Where in-flight spans end, in ms since the epoch.
   * @defaultValue the trace's end ({@link AssembledTrace.endMs})
   */
  nowMs?: number;
}

/** A span seen through a window of time: the part of it that can be on the path from where it was reached. */
interface Candidate {
  readonly node: TraceNode;
  readonly startMs: number;
  readonly endMs: number;
}

interface Frame {
  /** `undefined` for the virtual span that spans the whole trace and has the roots as children. */
  readonly node: TraceNode | undefined;
  readonly startMs: number;
  /** The walk's current point: everything after it is explained already. */
  pointMs: number;
  /** Children clipped to the frame's window, latest end first. */
  readonly candidates: readonly Candidate[];
  next: number;
}

/**
 * The critical path: the chain of work that decided when the trace ended. Idea from Jaeger UI's
 * TracePage critical path; this version is iterative (no recursion on deep traces) and does not change
 * the trace.
 *
 * Algorithm. Each span is seen through a window (its own start and end, clipped to its parent's). Start
 * at the end of the trace, on a virtual span covering the whole trace whose children are the roots. At a
 * span, with the point `p` (initially the window's end):
 * 1. take the child whose (clipped) end is latest among the children that end at or before `p`; ties go
 *    to the earlier start, then the smaller span id;
 * 2. the span itself is on the path from that child's end to `p`; the walk descends into the child (with
 *    `p` at the child's end), and, back from it, continues in this span with `p` at the child's start,
 *    so children that overlap the chosen one are skipped: they did not hold anything up;
 * 3. when no child ends at or before `p`, the span is on the path from its window's start to `p`.
 *
 * Edge cases:
 * - **In-flight spans** end at `options.nowMs` (default: the trace's latest known time).
 * - **Children that outlive their parent** (an abandoned body running past its call): the part inside
 *   the parent is a child as usual (clipped, as Jaeger does); the part after the parent's end held up no
 *   ancestor, so it is offered at the top, beside the roots. When it runs past every root, the trace's
 *   end was decided by it, and the path ends with it.
 * - **The top** differs from a span in one way: nothing waited for the roots, so a root (or outliving
 *   part) still running at the point is not skipped but cut at the point, and the walk goes on through
 *   it. So the path leads from an abandoned body that outlived the run back through the call that left
 *   it and the run before that, and covers every stretch of the trace in which some root was running.
 * - **Overlapping siblings**: only the last to finish before each point is on the path.
 * - **Several roots** (orphans): the top picks among them as above.
 * - Zero-length spans and stretches are never on the path.
 *
 * Invariants: segments are in time order, do not overlap, have `endMs > startMs`, and all lie within
 * the trace's time range. The virtual top span is never in the result, so gaps where no span ran are
 * gaps in the path.
 *
 * Runs in O(n log n) over the spans it visits.
 *
 * @example
 * ```ts
 * const path = criticalPath(assembleTrace(spans));
 * const onPath = new Set(path.map((segment) => segment.spanId)); // highlight these rows
 * ```
 */
export function criticalPath(trace: AssembledTrace, options: CriticalPathOptions = {}): CriticalPathSegment[] {
  if (trace.spanCount === 0) return [];
  const nowMs = options.nowMs ?? trace.endMs;
  const endOf = (node: TraceNode): number => node.endMs ?? Math.max(node.startMs, nowMs);

  const top: Candidate[] = trace.rootNodes.map((node) => ({ node, startMs: node.startMs, endMs: endOf(node) }));
  for (const node of trace.nodes.values()) {
    if (node.parent === undefined) continue;
    const parentEndMs = endOf(node.parent);
    const endMs = endOf(node);
    if (endMs > parentEndMs) top.push({ node, startMs: Math.max(node.startMs, parentEndMs), endMs });
  }

  const path: CriticalPathSegment[] = [];
  const traceStartMs = trace.startMs;
  let traceEndMs = traceEndOrNowMs(trace, nowMs);
  for (const candidate of top) traceEndMs = Math.max(traceEndMs, candidate.endMs);
  const stack: Frame[] = [{ node: undefined, startMs: traceStartMs, pointMs: traceEndMs, candidates: sortCandidates(top), next: 0 }];

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    let chosen = frame.node === undefined ? coveringCandidate(frame) : undefined;
    while (chosen === undefined && frame.next < frame.candidates.length) {
      const candidate = frame.candidates[frame.next]!;
      frame.next += 1;
      // Sorted by end, latest first, and the point only moves back: a candidate that ends after the
      // point now can never be chosen later.
      if (candidate.endMs <= frame.pointMs && candidate.endMs > candidate.startMs) {
        chosen = candidate;
        break;
      }
    }
    if (chosen === undefined) {
      if (frame.node !== undefined && frame.startMs < frame.pointMs) {
        path.push({ spanId: frame.node.spanId, startMs: frame.startMs, endMs: frame.pointMs });
      }
      stack.pop();
      continue;
    }
    if (frame.node !== undefined && chosen.endMs < frame.pointMs) {
      path.push({ spanId: frame.node.spanId, startMs: chosen.endMs, endMs: frame.pointMs });
    }
    frame.pointMs = chosen.startMs;
    stack.push({
      node: chosen.node,
      startMs: chosen.startMs,
      pointMs: chosen.endMs,
      candidates: sortCandidates(childCandidates(chosen, endOf)),
      next: 0,
    });
  }
  return path.reverse();
}

/**
 * At the top, where nothing waits for the roots: the root or tail still running at the point, if any,
 * cut at the point (the one that started first). Candidates passed over here can never be chosen later.
 */
function coveringCandidate(frame: Frame): Candidate | undefined {
  let best: Candidate | undefined;
  while (frame.next < frame.candidates.length && frame.candidates[frame.next]!.endMs >= frame.pointMs) {
    const candidate = frame.candidates[frame.next]!;
    frame.next += 1;
    if (candidate.startMs < frame.pointMs && (best === undefined || candidate.startMs < best.startMs)) best = candidate;
  }
  return best === undefined ? undefined : { node: best.node, startMs: best.startMs, endMs: Math.min(best.endMs, frame.pointMs) };
}

function childCandidates(parent: Candidate, endOf: (node: TraceNode) => number): Candidate[] {
  const candidates: Candidate[] = [];
  for (const child of parent.node.children) {
    const startMs = Math.max(child.startMs, parent.startMs);
    const endMs = Math.min(endOf(child), parent.endMs);
    if (endMs > startMs) candidates.push({ node: child, startMs, endMs });
  }
  return candidates;
}

function sortCandidates(candidates: Candidate[]): Candidate[] {
  return candidates.sort(
    (a, b) => b.endMs - a.endMs || a.startMs - b.startMs || (a.node.spanId < b.node.spanId ? -1 : a.node.spanId > b.node.spanId ? 1 : 0),
  );
}
