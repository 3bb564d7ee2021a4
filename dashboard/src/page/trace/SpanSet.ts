import { compareSpanVersions, spanVersionKey } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';

/** What {@link SpanSet.add} changed. */
export interface SpanSetChange {
  /** Spans seen for the first time (no version of them was held). */
  readonly added: readonly SpanRecord[];
  /** New versions that replaced a held version of the same span (an in-flight span that ended...). */
  readonly replaced: ReadonlyArray<{ readonly previous: SpanRecord; readonly next: SpanRecord }>;
}

/**
 * The spans of one trace as the page holds them: one version per span, merged however the batches
 * arrive (the watch acknowledgement, then `spans` events that may repeat it, in flight or ended).
 *
 * Merge rule: `compareSpanVersions` from `@overlap/shared`, the rule the server's store and the trace
 * assembly follow too (ended beats in flight, then the fuller version), so the page holds the version
 * the server holds, whatever order the batches arrive in. Batches are never changed.
 *
 * @example
 * ```ts
 * const spans = new SpanSet();
 * const { added } = spans.add(ack.spans);
 * spans.add(event.spans); // repeats are ignored
 * ```
 */
export class SpanSet {
  private readonly byKey = new Map<string, SpanRecord>();

  /** How many spans are held. */
  get size(): number {
    return this.byKey.size;
  }

  /** Merges a batch; returns what it changed. Identical repeats change nothing. */
  add(batch: readonly SpanRecord[]): SpanSetChange {
    const added: SpanRecord[] = [];
    const replaced: Array<{ previous: SpanRecord; next: SpanRecord }> = [];
    for (const span of batch) {
      const key = spanVersionKey(span);
      const previous = this.byKey.get(key);
      if (previous === undefined) {
        this.byKey.set(key, span);
        added.push(span);
        continue;
      }
      if (compareSpanVersions(span, previous) <= 0) continue;
      this.byKey.set(key, span);
      replaced.push({ previous, next: span });
    }
    return { added, replaced };
  }

  /**
   * Drops the held versions of these spans (by `spanVersionKey`): the page's placeholders of a queued
   * call, once the call has left its queue. Returns the spans dropped; keys not held are skipped.
   */
  remove(keys: readonly string[]): SpanRecord[] {
    const removed: SpanRecord[] = [];
    for (const key of keys) {
      const held = this.byKey.get(key);
      if (held === undefined) continue;
      this.byKey.delete(key);
      removed.push(held);
    }
    return removed;
  }

  /** Every held span (a new array, in no particular order). */
  values(): SpanRecord[] {
    return [...this.byKey.values()];
  }

  /** The held version of a span, by its version key. */
  get(key: string): SpanRecord | undefined {
    return this.byKey.get(key);
  }
}
