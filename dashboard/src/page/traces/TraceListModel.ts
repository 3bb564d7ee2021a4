import type { TraceSummary } from '@overlap/shared';

/** Options of {@link TraceListModel}. */
export interface TraceListModelOptions {
  /**
   * Most traces listed; past it the oldest are dropped from the list (the server may still hold them).
   * @defaultValue 500
   */
  maxTraces?: number;
}

/** What {@link TraceListModel.apply} changed. */
export interface TraceListChange {
  /** Ids of traces listed for the first time. */
  readonly added: readonly string[];
  /** Ids of listed traces whose summary changed. */
  readonly updated: readonly string[];
  /** Ids no longer listed (evicted by the server, or dropped past `maxTraces`). */
  readonly removed: readonly string[];
}

/** Default of {@link TraceListModelOptions.maxTraces}. */
export const DEFAULT_LIST_MAX_TRACES = 500;

/**
 * The trace list's data: summaries by trace id, newest start first (ties by trace id), merged from the
 * first REST page and the live `traces` events. Summaries passed in are kept, not changed.
 *
 * @example
 * ```ts
 * const list = new TraceListModel();
 * list.apply((await api.listTraces(100)).traces, []);
 * socket.on('traces', (event) => list.apply(event.traces, event.evicted));
 * list.newest()?.traceId;
 * ```
 */
export class TraceListModel {
  private readonly byId = new Map<string, TraceSummary>();
  private sorted: TraceSummary[] = [];
  private readonly maxTraces: number;

  constructor(options: TraceListModelOptions = {}) {
    const maxTraces = options.maxTraces ?? DEFAULT_LIST_MAX_TRACES;
    if (!Number.isInteger(maxTraces) || maxTraces < 1) throw new RangeError(`maxTraces: expected an integer >= 1, received ${String(maxTraces)}`);
    this.maxTraces = maxTraces;
  }

  /** The listed summaries, newest first. Do not change the array. */
  get traces(): readonly TraceSummary[] {
    return this.sorted;
  }

  /** The summary of a listed trace. */
  get(traceId: string): TraceSummary | undefined {
    return this.byId.get(traceId);
  }

  /** The newest listed trace. */
  newest(): TraceSummary | undefined {
    return this.sorted[0];
  }

  /** Forgets every listed trace (the filter changed: the list is loaded again). */
  reset(): void {
    this.byId.clear();
    this.sorted = [];
  }

  /** Merges new and changed summaries and drops evicted traces. */
  apply(summaries: readonly TraceSummary[], evicted: readonly string[]): TraceListChange {
    const added: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    for (const traceId of evicted) {
      if (this.byId.delete(traceId)) removed.push(traceId);
    }
    for (const summary of summaries) {
      if (this.byId.has(summary.traceId)) updated.push(summary.traceId);
      else added.push(summary.traceId);
      this.byId.set(summary.traceId, summary);
    }
    if (added.length === 0 && updated.length === 0 && removed.length === 0) return { added, updated, removed };
    this.sorted = [...this.byId.values()].sort(newestFirst);
    if (this.sorted.length > this.maxTraces) {
      for (const dropped of this.sorted.splice(this.maxTraces)) {
        this.byId.delete(dropped.traceId);
        removed.push(dropped.traceId);
      }
    }
    const listed = (traceId: string): boolean => this.byId.has(traceId);
    return { added: added.filter(listed), updated: updated.filter(listed), removed };
  }
}

function newestFirst(a: TraceSummary, b: TraceSummary): number {
  return b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
}
