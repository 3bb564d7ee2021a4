import { assembleTrace, nanosToMs, summarizeTrace } from '@overlap/shared';
import type { TraceSummary } from '@overlap/shared';
import type { Disposer } from '@overlap/shared';
import type { TraceStore } from '../store/TraceStore.js';

/**
 * A summary may be this many times its computing time old before live updates compute it again: a
 * 50,000-span trace growing span by span is summarised in one block of the event loop every few
 * seconds (a fortieth of the loop), so the live channel's spans are rarely held up behind one.
 */
const STALE_FACTOR = 40;

/**
 * Summaries (`summarizeTrace`) of the store's traces, computed on demand and kept beside the trace in
 * the store (`keepSummary`) until the trace changes, so a file-backed store lists its traces after a
 * restart without summarising them again. In-flight spans are summarised up to the trace's latest known
 * time (no clock), so a kept summary stays true until the trace changes.
 *
 * @example
 * ```ts
 * const summaries = new TraceSummaries(store);
 * summaries.get(traceId)?.wallMs;
 * summaries.dispose();
 * ```
 */
export class TraceSummaries {
  /** What the last summary of each trace cost, and when it was computed (`performance.now()`). */
  private readonly timings = new Map<string, { computedAt: number; computeMs: number }>();
  private readonly stopListening: Disposer;

  constructor(private readonly store: TraceStore) {
    this.stopListening = store.onChange(({ evicted }) => {
      for (const traceId of evicted) this.timings.delete(traceId);
    });
  }

  /** The trace's summary, or `undefined` when the store does not hold it. */
  get(traceId: string): TraceSummary | undefined {
    return this.forLive(traceId, false)?.summary;
  }

  /**
   * The summary for live updates: a trace that keeps changing is summarised again at most once per forty
   * times what its last summary cost. Until then the last summary is answered with `stale: true` (its
   * span and in-flight counts and its time range brought up to date from the store, which keeps them
   * as spans arrive), and the caller asks again later. With `allowStale` false it is always current.
   */
  forLive(traceId: string, allowStale = true): { summary: TraceSummary; stale: boolean } | undefined {
    const info = this.store.getInfo(traceId);
    if (info === undefined) return undefined;
    const cached = this.store.cachedSummary(traceId);
    if (cached !== undefined) {
      if (cached.version === info.version) return { summary: cached.summary, stale: false };
      const timing = this.timings.get(traceId);
      if (allowStale && timing !== undefined && performance.now() - timing.computedAt < timing.computeMs * STALE_FACTOR) {
        const startMs = nanosToMs(info.startTimeUnixNano);
        const endMs = startMs + info.durationMs;
        return {
          summary: { ...cached.summary, spanCount: info.spanCount, inFlightCount: info.inFlightCount, startMs, endMs, wallMs: Math.max(cached.summary.wallMs, endMs - startMs) },
          stale: true,
        };
      }
    }
    const started = performance.now();
    const computed = summarizeTrace(assembleTrace(this.store.getSpans(traceId) ?? []));
    const summary: TraceSummary = info.droppedSpans > 0 ? { ...computed, droppedSpans: info.droppedSpans } : computed;
    const computedAt = performance.now();
    this.store.keepSummary(traceId, { version: info.version, summary });
    this.timings.set(traceId, { computedAt, computeMs: computedAt - started });
    return { summary, stale: false };
  }

  /** Stops following the store. */
  dispose(): void {
    this.stopListening();
    this.timings.clear();
  }
}
