import type { Clock, TimerHandle } from '../Clock.js';

/** Something to call back when its time is up. */
export interface TimeoutTarget {
  onTimeout(): void;
}

/** A scheduled timeout; pass it to {@link TimeoutScheduler.cancel}. */
export interface ScheduledTimeout {
  readonly deadline: number;
}

class Entry implements ScheduledTimeout {
  cancelled = false;
  constructor(
    readonly deadline: number,
    /** Dropped when the entry is cancelled or fires: a bucket may hold on to a dead entry for a while. */
    public target: TimeoutTarget | undefined,
    readonly bucket: Bucket,
  ) {}
}

class Bucket {
  /** Entries from `head` on; the slots before `head` are cleared. */
  entries: Array<Entry | undefined> = [];
  head = 0;
  live = 0;
  timer: TimerHandle | undefined;
  constructor(readonly delayMs: number) {}
}

/** Compact a bucket's array once this many dead entries sit before its head. */
const COMPACT_AFTER = 1024;

/**
 * Many timeouts of the same few durations on one timer each.
 *
 * Calls of a tool share its `timeoutMs`, so their deadlines arrive in the order they were set. Each
 * distinct duration gets a FIFO bucket with a single timer armed for its oldest live entry; cancelling
 * marks an entry dead in O(1). That replaces a `setTimeout`/`clearTimeout` pair per call, which is a
 * large part of a call's cost when the body itself does little.
 *
 * Invariant: in a bucket, entries from `head` on are in nondecreasing deadline order, and the timer
 * (when set) fires no later than the first live entry's deadline.
 */
export class TimeoutScheduler {
  readonly #clock: Clock;
  readonly #buckets = new Map<number, Bucket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `target.onTimeout()` after `delayMs`, unless cancelled first. */
  schedule(delayMs: number, target: TimeoutTarget): ScheduledTimeout {
    let bucket = this.#buckets.get(delayMs);
    if (bucket === undefined) {
      bucket = new Bucket(delayMs);
      this.#buckets.set(delayMs, bucket);
    }
    const entry = new Entry(this.#clock.now() + delayMs, target, bucket);
    bucket.entries.push(entry);
    bucket.live += 1;
    if (bucket.timer === undefined) this.#arm(bucket, delayMs);
    return entry;
  }

  /** Cancels a scheduled timeout; cancelling one that fired or was cancelled does nothing. */
  cancel(timeout: ScheduledTimeout): void {
    const entry = timeout as Entry;
    if (entry.cancelled) return;
    entry.cancelled = true;
    entry.target = undefined;
    const bucket = entry.bucket;
    bucket.live -= 1;
    if (bucket.live === 0) {
      this.#drop(bucket);
      return;
    }
    while (bucket.head < bucket.entries.length && bucket.entries[bucket.head]!.cancelled) {
      // Clear the slot: a long-lived array's slots would keep dead entries (and their targets) alive.
      bucket.entries[bucket.head] = undefined;
      bucket.head += 1;
    }
    this.#compact(bucket);
  }

  /** Live timeouts, over all durations. */
  get size(): number {
    let size = 0;
    for (const bucket of this.#buckets.values()) size += bucket.live;
    return size;
  }

  #arm(bucket: Bucket, delayMs: number): void {
    bucket.timer = this.#clock.setTimeout(() => this.#fire(bucket), Math.max(0, delayMs));
  }

  #drop(bucket: Bucket): void {
    if (bucket.timer !== undefined) this.#clock.clearTimeout(bucket.timer);
    bucket.timer = undefined;
    bucket.entries = [];
    bucket.head = 0;
    if (this.#buckets.get(bucket.delayMs) === bucket) this.#buckets.delete(bucket.delayMs);
  }

  #compact(bucket: Bucket): void {
    if (bucket.head >= COMPACT_AFTER && bucket.head * 2 >= bucket.entries.length) {
      bucket.entries = bucket.entries.slice(bucket.head);
      bucket.head = 0;
    }
  }

  #fire(bucket: Bucket): void {
    bucket.timer = undefined;
    const now = this.#clock.now();
    const due: Entry[] = [];
    while (bucket.head < bucket.entries.length) {
      const entry = bucket.entries[bucket.head]!;
      if (!entry.cancelled) {
        if (entry.deadline > now) break;
        entry.cancelled = true;
        bucket.live -= 1;
        due.push(entry);
      }
      bucket.entries[bucket.head] = undefined;
      bucket.head += 1;
    }
    if (bucket.live === 0) this.#drop(bucket);
    else {
      this.#compact(bucket);
      this.#arm(bucket, Math.ceil(bucket.entries[bucket.head]!.deadline - now));
    }
    // Call back after the bucket is consistent: a target may schedule or cancel in this same bucket.
    for (const entry of due) {
      const target = entry.target!;
      entry.target = undefined;
      target.onTimeout();
    }
  }
}
