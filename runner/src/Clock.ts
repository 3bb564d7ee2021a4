/** Handle of a timer set through a {@link Clock}. */
export type TimerHandle = unknown;

/**
 * Where Overlap reads time and sets timers. The default reads `performance.now()` and the global timer
 * functions at each call, so test frameworks' fake timers apply; inject your own for full control.
 */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()`, `setTimeout`, `clearTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
