import { nanosToMs } from '../model.js';
import type { SpanRecord } from '../model.js';
import { canonicalJson } from './canonicalJson.js';
import { compareNanos } from './compareNanos.js';
import { compareSpanVersions } from './spanVersion.js';
import { NodeMapView } from './NodeMapView.js';

/** A span's times in milliseconds since the epoch (via {@link nanosToMs}). */
export interface SpanTimes {
  readonly startMs: number;
  /** `undefined` while the span is in flight. Never before `startMs` (see {@link assembleTrace}). */
  readonly endMs: number | undefined;
}

/**
 * A span in an assembled trace, linked to its parent and children by reference, with its times and
 * depth: what the layout maths walk, so they need no map lookup per step.
 */
export interface TraceNode extends SpanTimes {
  readonly spanId: string;
  readonly span: SpanRecord;
  /** 0 for roots, parent depth + 1 below. */
  readonly depth: number;
  /** The parent in the trace; `undefined` for roots (orphans included). */
  readonly parent: TraceNode | undefined;
  /** Sorted by start time, ties by span id. */
  readonly children: readonly TraceNode[];
}

interface MutableNode {
  spanId: string;
  span: SpanRecord;
  startMs: number;
  endMs: number | undefined;
  depth: number;
  parent: MutableNode | undefined;
  children: MutableNode[];
}

/**
 * One trace's spans, repaired and linked into a forest. Built by {@link assembleTrace}; every map is keyed
 * by span id (after renaming, see {@link AssembledTrace.renamedCount}). `nodes` is the one real map;
 * `spans`, `children`, `parents` and `depth` are read-only views of it (they behave as `ReadonlyMap`s but
 * are not `Map` instances: `new Map(trace.spans)` makes a copy). Walk `rootNodes` and each node's
 * `children` in hot loops: that needs no lookups at all.
 *
 * Invariants:
 * - every span id in `roots`, `children`, `parents` and `depth` is a key of `spans`, and each span appears
 *   exactly once in `roots` or in one `children` list; `nodes`, `rootNodes` and each node's `children`
 *   say the same by reference;
 * - `roots` and every `children` list are sorted by start time, ties broken by span id (code-unit order),
 *   so the order does not depend on the order the spans arrived in;
 * - `depth` is 0 for roots and parent depth + 1 below;
 * - no span ends before it starts.
 */
export interface AssembledTrace {
  /** The trace id (the most common one when the input mixed several, see `warnings`); `''` when empty. */
  readonly traceId: string;
  /** The spans by id, in start-time order (ties by span id). */
  readonly spans: ReadonlyMap<string, SpanRecord>;
  /** Each span's start and end in milliseconds (the same map as `nodes`, seen as times). */
  readonly times: ReadonlyMap<string, SpanTimes>;
  /** Each span's node: the span, its times, depth, parent and children, linked by reference. */
  readonly nodes: ReadonlyMap<string, TraceNode>;
  /** Spans without a parent in the trace: true roots, orphans and spans that broke a parent cycle. */
  readonly roots: readonly string[];
  /** The nodes of `roots`, in the same order. */
  readonly rootNodes: readonly TraceNode[];
  /** Every span's children (an empty list for a leaf). */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Each non-root span's parent; roots have no entry. */
  readonly parents: ReadonlyMap<string, string>;
  /** Each span's depth in the forest, 0 for roots. */
  readonly depth: ReadonlyMap<string, number>;
  /** Earliest start over all spans, in ms since the epoch; 0 for an empty trace. */
  readonly startMs: number;
  /** Latest end over all spans (the start of an in-flight span counts as its latest known time); 0 when empty. */
  readonly endMs: number;
  /** Spans in the trace. */
  readonly spanCount: number;
  /** Spans without an end time. */
  readonly inFlightCount: number;
  /** Spans whose parent id names no span in the trace; they are roots. */
  readonly orphanCount: number;
  /** Exact copies of a span that were dropped. */
  readonly duplicateCount: number;
  /** In-flight versions of a span dropped because a later version (ended, or fuller) of it arrived. */
  readonly replacedInFlightCount: number;
  /** Ended versions of a span dropped because another, different ended version of it won (see `compareSpanVersions`). */
  readonly replacedEndedCount: number;
  /** Spans that shared an id with a different span and were kept under a new id `{spanId}_{n}`. */
  readonly renamedCount: number;
  /** Spans whose end was before their start, given an end equal to their start. */
  readonly clampedCount: number;
  /** Spans made roots to break a cycle of parent ids. */
  readonly cycleBreakCount: number;
  /** What was repaired, in words, one line per kind of repair. */
  readonly warnings: readonly string[];
}

const EMPTY: readonly string[] = Object.freeze([]);
/** Shared by every leaf until it gets a child (never pushed to: see where children are linked). */
const NO_CHILDREN = Object.freeze([]) as unknown as MutableNode[];
const MAX_EXAMPLES = 5;

/**
 * Builds a trace from its spans as they arrived: late, split into in-flight and ended versions, out of
 * order, duplicated. The input is never changed; repaired spans are new objects.
 *
 * Repairs (modelled on Jaeger UI's `transform-trace-data.ts`, without its mutation):
 * - **Versions of one span** (same trace id, span id, parent id and start time): one survives, chosen by
 *   `compareSpanVersions`, the rule the dashboard's store and page follow too: ended beats in flight,
 *   then the fuller (more attributes, events and links) wins. Dropped in-flight versions are counted in
 *   `replacedInFlightCount`, without a warning: this is how live spans arrive. Dropped ended versions
 *   (two different ended copies of one span) are counted in `replacedEndedCount`, warned.
 * - **Exact duplicates** are dropped (`duplicateCount`, warned).
 * - **Different spans with one span id** are all kept; in order of start time (then content), the first
 *   keeps the id and the others become `{spanId}_1`, `{spanId}_2`... (`renamedCount`, warned). Children
 *   naming that id hang under the first.
 * - **Orphans** (parent id not in the trace) become roots (`orphanCount`, warned).
 * - **End before start**: the end is set to the start (`clampedCount`, warned).
 * - **Parent cycles**: the earliest span of the cycle becomes a root (`cycleBreakCount`, warned).
 *
 * The result does not depend on the order of the input, nor on extra duplicates or in-flight versions
 * of spans that also arrived ended (only the repair counts and warnings differ).
 *
 * Runs in O(n log n) for n spans: two maps by id, one sort; the canonical JSON needed to compare
 * versions is computed only for span ids seen more than once.
 *
 * @example
 * ```ts
 * const trace = assembleTrace(spans);
 * for (const warning of trace.warnings) console.warn(warning);
 * const visit = (id: string): void => trace.children.get(id)!.forEach(visit);
 * trace.roots.forEach(visit);
 * ```
 */
export function assembleTrace(spans: readonly SpanRecord[]): AssembledTrace {
  // Most span ids arrive once: keep those as the span itself, and a list only for ids seen again.
  const byId = new Map<string, SpanRecord | SpanRecord[]>();
  const traceIdCounts = new Map<string, number>();
  let lastTraceId: string | undefined;
  let lastTraceIdCount = 0;
  for (const span of spans) {
    const seen = byId.get(span.spanId);
    if (seen === undefined) byId.set(span.spanId, span);
    else if (Array.isArray(seen)) seen.push(span);
    else byId.set(span.spanId, [seen, span]);
    if (span.traceId === lastTraceId) {
      lastTraceIdCount += 1;
    } else {
      if (lastTraceId !== undefined) traceIdCounts.set(lastTraceId, (traceIdCounts.get(lastTraceId) ?? 0) + lastTraceIdCount);
      lastTraceId = span.traceId;
      lastTraceIdCount = 1;
    }
  }
  if (lastTraceId !== undefined) traceIdCounts.set(lastTraceId, (traceIdCounts.get(lastTraceId) ?? 0) + lastTraceIdCount);

  const repairs = new Repairs();
  const entries: Array<{ span: SpanRecord; startMs: number }> = [];
  const keep = (span: SpanRecord): void => {
    let record = span;
    if (record.endTimeUnixNano !== undefined && compareNanos(record.endTimeUnixNano, record.startTimeUnixNano) < 0) {
      record = { ...record, endTimeUnixNano: record.startTimeUnixNano };
      repairs.clamped.push(record.spanId);
    }
    entries.push({ span: record, startMs: nanosToMs(record.startTimeUnixNano) });
  };
  for (const [spanId, seen] of byId) {
    if (!Array.isArray(seen)) {
      keep(seen);
      continue;
    }
    resolveVersions(seen, repairs).forEach((span, index) => {
      if (index === 0) {
        keep(span);
        return;
      }
      const renamed = { ...span, spanId: `${spanId}_${index}` };
      repairs.renamed.push(`${spanId} -> ${renamed.spanId}`);
      keep(renamed);
    });
  }

  entries.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      compareNanos(a.span.startTimeUnixNano, b.span.startTimeUnixNano) ||
      (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0),
  );
  // One node per span, in sorted order; nodes are linked by reference so the layout maths can walk the
  // tree without a map lookup per step.
  const nodes = new Map<string, MutableNode>();
  const nodeList: MutableNode[] = [];
  let startMs = Infinity;
  let endMs = -Infinity;
  let inFlightCount = 0;
  for (const { span, startMs: spanStartMs } of entries) {
    const spanEndMs = span.endTimeUnixNano === undefined ? undefined : nanosToMs(span.endTimeUnixNano);
    const node: MutableNode = { spanId: span.spanId, span, startMs: spanStartMs, endMs: spanEndMs, depth: -1, parent: undefined, children: NO_CHILDREN };
    nodes.set(span.spanId, node);
    nodeList.push(node);
    if (spanEndMs === undefined) inFlightCount += 1;
    if (spanStartMs < startMs) startMs = spanStartMs;
    const latestMs = spanEndMs ?? spanStartMs;
    if (latestMs > endMs) endMs = latestMs;
  }

  // Nodes are visited in sorted order, so every children list and the roots come out sorted.
  let rootNodes: MutableNode[] = [];
  for (const node of nodeList) {
    const parentId = node.span.parentSpanId;
    const parent = parentId === undefined || parentId === node.spanId ? undefined : nodes.get(parentId);
    if (parent !== undefined) {
      node.parent = parent;
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      continue;
    }
    rootNodes.push(node);
    if (parentId === node.spanId) repairs.cycles.push(node.spanId);
    else if (parentId !== undefined) repairs.orphans.push(node.spanId);
  }
  const reached = setDepths(rootNodes);
  if (reached < nodeList.length) rootNodes = breakCycles(nodeList, rootNodes, reached, repairs);

  // The id-keyed maps are views of `nodes`: one map filled instead of five.
  const childIds = new WeakMap<TraceNode, readonly string[]>();
  const childIdsOf = (node: TraceNode): readonly string[] => {
    if (node.children.length === 0) return EMPTY;
    let ids = childIds.get(node);
    if (ids === undefined) {
      ids = Object.freeze(node.children.map((child) => child.spanId));
      childIds.set(node, ids);
    }
    return ids;
  };
  let traceId = '';
  let traceIdCount = 0;
  for (const [id, count] of traceIdCounts) {
    if (count > traceIdCount || (count === traceIdCount && id < traceId)) {
      traceId = id;
      traceIdCount = count;
    }
  }
  if (traceIdCounts.size > 1) {
    const others = [...traceIdCounts.keys()].filter((id) => id !== traceId).sort();
    repairs.warnings.push(
      `spans of ${traceIdCounts.size} traces were assembled together; trace ${traceId} has the most, ` +
        `the others are ${examples(others)}`,
    );
  }

  return {
    traceId,
    spans: new NodeMapView(nodes, (node) => node.span),
    times: nodes,
    nodes,
    roots: rootNodes.map((node) => node.spanId),
    rootNodes,
    children: new NodeMapView(nodes, childIdsOf),
    parents: new NodeMapView(nodes, (node) => node.parent?.spanId),
    depth: new NodeMapView(nodes, (node) => node.depth),
    startMs: nodeList.length === 0 ? 0 : startMs,
    endMs: nodeList.length === 0 ? 0 : endMs,
    spanCount: nodeList.length,
    inFlightCount,
    orphanCount: repairs.orphans.length,
    duplicateCount: repairs.duplicateCount,
    replacedInFlightCount: repairs.replacedInFlightCount,
    replacedEndedCount: repairs.replacedEnded.length,
    renamedCount: repairs.renamed.length,
    clampedCount: repairs.clamped.length,
    cycleBreakCount: repairs.cycles.length,
    warnings: repairs.describe(),
  };
}

/** What {@link assembleTrace} repaired, gathered so each kind of repair gives one warning line. */
class Repairs {
  duplicateCount = 0;
  duplicateIds = new Set<string>();
  replacedInFlightCount = 0;
  replacedEnded: string[] = [];
  renamed: string[] = [];
  clamped: string[] = [];
  orphans: string[] = [];
  cycles: string[] = [];
  warnings: string[] = [];

  describe(): string[] {
    const lines: string[] = [];
    if (this.duplicateCount > 0) {
      lines.push(`dropped ${this.duplicateCount} exact duplicate span(s): ${examples([...this.duplicateIds].sort())}`);
    }
    if (this.replacedEnded.length > 0) {
      lines.push(
        `dropped ${this.replacedEnded.length} ended version(s) of a span that arrived ended in another version too (the fuller kept): ${examples([...new Set(this.replacedEnded)].sort())}`,
      );
    }
    if (this.renamed.length > 0) {
      lines.push(
        `${this.renamed.length} span(s) shared a span id with a different span and were kept under a new id: ${examples(this.renamed.sort())}`,
      );
    }
    if (this.orphans.length > 0) {
      lines.push(
        `${this.orphans.length} span(s) have a parent that is not in the trace and are shown as roots: ${examples(this.orphans.sort())}`,
      );
    }
    if (this.clamped.length > 0) {
      lines.push(`${this.clamped.length} span(s) ended before they started; their end was set to their start: ${examples(this.clamped.sort())}`);
    }
    if (this.cycles.length > 0) {
      lines.push(`${this.cycles.length} span(s) were made roots to break a cycle of parent ids: ${examples(this.cycles.sort())}`);
    }
    return [...lines, ...this.warnings];
  }
}

function examples(items: readonly string[]): string {
  const shown = items.slice(0, MAX_EXAMPLES).join(', ');
  return items.length > MAX_EXAMPLES ? `${shown} and ${items.length - MAX_EXAMPLES} more` : shown;
}

/**
 * Reduces the versions of one span id to the distinct spans behind it, in a deterministic order: drops
 * exact duplicates and in-flight versions that a fuller version supersedes.
 */
function resolveVersions(versions: readonly SpanRecord[], repairs: Repairs): SpanRecord[] {
  const distinct = new Map<string, SpanRecord>();
  for (const span of versions) {
    const json = canonicalJson(span);
    if (distinct.has(json)) {
      repairs.duplicateCount += 1;
      repairs.duplicateIds.add(span.spanId);
    } else {
      distinct.set(json, span);
    }
  }
  // Group the distinct versions by identity: versions of one span share trace, parent and start.
  const groups = new Map<string, Array<{ span: SpanRecord; json: string }>>();
  for (const [json, span] of distinct) {
    const identity = `${span.traceId}|${span.parentSpanId ?? ''}|${span.startTimeUnixNano}`;
    const group = groups.get(identity);
    if (group === undefined) groups.set(identity, [{ span, json }]);
    else group.push({ span, json });
  }
  const survivors: Array<{ span: SpanRecord; json: string }> = [];
  for (const group of groups.values()) {
    let best = group[0]!;
    for (const version of group.slice(1)) if (compareSpanVersions(version.span, best.span) > 0) best = version;
    for (const version of group) {
      if (version === best) continue;
      if (version.span.endTimeUnixNano === undefined) repairs.replacedInFlightCount += 1;
      else repairs.replacedEnded.push(version.span.spanId);
    }
    survivors.push(best);
  }
  survivors.sort(
    (a, b) => compareNanos(a.span.startTimeUnixNano, b.span.startTimeUnixNano) || (a.json < b.json ? -1 : a.json > b.json ? 1 : 0),
  );
  return survivors.map((version) => version.span);
}

/** Sets the depth of every node under `starts` (depth-first, without recursion: a trace can be a chain thousands of spans deep); returns how many it reached. */
function setDepths(starts: readonly MutableNode[]): number {
  let reached = 0;
  const stack: MutableNode[] = [];
  for (const start of starts) {
    start.depth = 0;
    stack.push(start);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    reached += 1;
    for (const child of node.children) {
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  return reached;
}

/**
 * Nodes not reached from a root hang in (or under) a cycle of parent ids. For each such cycle, its
 * earliest node (in sorted order) becomes a root. Returns the new, sorted, roots.
 */
function breakCycles(sorted: readonly MutableNode[], roots: readonly MutableNode[], reachedSoFar: number, repairs: Repairs): MutableNode[] {
  const order = new Map<MutableNode, number>();
  sorted.forEach((node, index) => order.set(node, index));
  const newRoots: MutableNode[] = [];
  let reached = reachedSoFar;
  for (const start of sorted) {
    if (reached === sorted.length) break;
    if (start.depth >= 0) continue;
    // Walk up until a node repeats: the nodes from its first visit on form the cycle. (A chain without
    // a cycle ends at a root, and everything under a root has its depth already.)
    const seen = new Map<MutableNode, number>();
    const path: MutableNode[] = [];
    let node: MutableNode | undefined = start;
    while (node !== undefined && !seen.has(node)) {
      seen.set(node, path.length);
      path.push(node);
      node = node.parent;
    }
    if (node === undefined) continue;
    const cycle = path.slice(seen.get(node));
    const root = cycle.reduce((best, candidate) => (order.get(candidate)! < order.get(best)! ? candidate : best));
    const parent = root.parent!;
    parent.children = parent.children.filter((sibling) => sibling !== root);
    root.parent = undefined;
    newRoots.push(root);
    repairs.cycles.push(root.spanId);
    reached += setDepths([root]);
  }
  return [...roots, ...newRoots].sort((a, b) => order.get(a)! - order.get(b)!);
}
