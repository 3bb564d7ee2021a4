import { assembleTrace, summarizeTrace } from '@overlap/shared';
import type { TraceSummary } from '@overlap/shared';
import type { Disposer, TraceStore } from '../store/TraceStore.js';

/**
 * Summaries (`summarizeTrace`) of the store's traces, computed on demand and cached until the trace
 * changes or is evicted. In-flight spans are summarised up to the trace's latest known time (no clock),
 * so a cached summary stays true until the trace changes.
 *
 * @example
 * ```ts
 * const summaries = new TraceSummaries(store);
 * summaries.get(traceId)?.wallMs;
 * summaries.dispose();
 * ```
 */
export class TraceSummaries {
  private readonly cache = new Map<string, { version: number; summary: TraceSummary }>();
  private readonly stopListening: Disposer;

  constructor(private readonly store: TraceStore) {
    this.stopListening = store.onChange(({ evicted }) => {
      for (const traceId of evicted) this.cache.delete(traceId);
    });
  }

  /** The trace's summary, or `undefined` when the store does not hold it. */
  get(traceId: string): TraceSummary | undefined {
    const info = this.store.getInfo(traceId);
    if (info === undefined) return undefined;
    const cached = this.cache.get(traceId);
    if (cached !== undefined && cached.version === info.version) return cached.summary;
    const summary = summarizeTrace(assembleTrace(this.store.getSpans(traceId) ?? []));
    this.cache.set(traceId, { version: info.version, summary });
    return summary;
  }

  /** Stops following the store. */
  dispose(): void {
    this.stopListening();
    this.cache.clear();
  }
}
