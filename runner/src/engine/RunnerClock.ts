import type { HrTime } from '@opentelemetry/api';
import { systemClock, type Clock, type TimerHandle } from '../Clock.js';

/**
 * The one clock of a runner. Every duration, timer and span time of its runs and calls is read from the
 * injected {@link Clock}, so a call's `overlap.queue.wait_ms` and its queue span's length are the same
 * number, whatever the clock.
 *
 * Span times are the clock's milliseconds plus a fixed offset to the epoch, as explicit `HrTime`s: the
 * OpenTelemetry SDK would otherwise stamp a span's start from `Date.now()` (whole milliseconds) plus an
 * offset it measures per span, and, for a span given an explicit start, its end and events from
 * `Date.now()` alone, so spans drawn side by side could disagree by a millisecond or more. The system
 * clock's offset is `performance.timeOrigin`, so its span times are `performance.timeOrigin +
 * performance.now()`; another clock's offset is measured once, when the runner is built.
 *
 * **One instant per hand-off.** A call that gives its permits back hands them to the calls waiting next,
 * synchronously, inside its release. {@link RunnerClock.beginInstant} freezes `now()` for that moment,
 * so the releaser's span end and the next holder's queue-span end are one timestamp, and a trace never
 * shows a semaphore of 2 with 3 holders.
 */
export class RunnerClock implements Clock {
  readonly #clock: Clock;
  readonly #epochOffsetMs: number;
  #instant: number | undefined = undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#epochOffsetMs =
      clock === systemClock ? performance.timeOrigin : performance.timeOrigin + performance.now() - clock.now();
  }

  /** Monotonic milliseconds: the frozen instant during a hand-off, else the clock's time. */
  now(): number {
    return this.#instant ?? this.#clock.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.#clock.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#clock.clearTimeout(handle);
  }

  /** A time of this clock (`now()` by default) as a span time. */
  spanTime(ms: number = this.now()): HrTime {
    const epochMs = this.#epochOffsetMs + ms;
    const seconds = Math.floor(epochMs / 1000);
    const nanos = Math.round((epochMs - seconds * 1000) * 1e6);
    return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
  }

  /**
   * Freezes `now()` until {@link RunnerClock.endInstant}; returns false (and changes nothing) when an
   * instant is already frozen, so nested hand-offs share the outermost one. Always pair it in a `finally`.
   *
   * @example
   * ```ts
   * const froze = clock.beginInstant();
   * try { releasePermits(); span.end(clock.spanTime()); } finally { if (froze) clock.endInstant(); }
   * ```
   */
  beginInstant(): boolean {
    if (this.#instant !== undefined) return false;
    this.#instant = this.#clock.now();
    return true;
  }

  /** Lets `now()` follow the clock again. */
  endInstant(): void {
    this.#instant = undefined;
  }
}
