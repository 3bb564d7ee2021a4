import type { Clock, TimerHandle } from '../../Clock.js';

/**
 * When a shared gate next renews its leases and its waiters' places in Redis, and the one timer that
 * says so. A lease (or place) lives `ttlMs` from the moment the command that made or renewed it was
 * *sent* (Redis ran it no earlier), so renewals are counted from send times, never from when an answer
 * happened to be read: a busy event loop that reads an answer late must not push the next renewal late.
 *
 * Renewal is due every third of the TTL (and every `pollIntervalMs` while waiters queue, to look for lost
 * grant messages). Between renewals the timer may fire sooner for a light look at Redis, when a token or
 * an expiring lease is due for this process's waiters.
 *
 * The timer knows which of the two it was set for. Node's timers can fire up to 2 ms before their delay
 * has passed by `performance.now()` (they truncate the delay and count whole milliseconds), so a renewal
 * timer that re-checked "is a renewal due now?" could answer no and, with nothing else to do, leave no
 * timer behind: renewal would stop and the lease lapse while its call still runs. A renewal timer renews.
 */
export class LeaseRenewal {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #pollIntervalMs: number;
  readonly #onDue: (renew: boolean) => void;
  /** Whether leases or places are held, so renewals are being counted. */
  #renewing = false;
  /** Send time of the oldest renewal (or creation) of what is held: everything lives `ttlMs` from at least then. */
  #renewedAt = -Infinity;
  #timer: TimerHandle | undefined = undefined;
  #timerAt = Infinity;

  /** @param onDue - called when the timer fires: `renew` true when it was set for a renewal, false for a light look */
  constructor(clock: Clock, ttlMs: number, pollIntervalMs: number, onDue: (renew: boolean) => void) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#pollIntervalMs = pollIntervalMs;
    this.#onDue = onDue;
  }

  /** Milliseconds between renewals: a third of the TTL, and at most `pollIntervalMs` while waiters queue. */
  intervalMs(waiting: boolean): number {
    return waiting ? Math.min(this.#pollIntervalMs, this.#ttlMs / 3) : this.#ttlMs / 3;
  }

  /** Whether a renewal is due at `now` (a millisecond early counts, as timers fire that early). */
  isDue(now: number, waiting: boolean): boolean {
    return now >= this.#renewedAt + this.intervalMs(waiting) - 1;
  }

  /** A renewal of everything held was sent at `sentAt`. */
  renewed(sentAt: number): void {
    this.#renewing = true;
    this.#renewedAt = sentAt;
  }

  /** A lease or place appeared that lives its TTL from `aliveFrom` (when the command that made or last renewed it was sent). */
  startFrom(aliveFrom: number): void {
    if (!this.#renewing) {
      this.#renewing = true;
      this.#renewedAt = aliveFrom;
    } else {
      this.#renewedAt = Math.min(this.#renewedAt, aliveFrom);
    }
  }

  /**
   * Sets the timer for the next renewal, or `dueMs` sooner (a light look) when `waiting` and Redis said a
   * token or lease is due then (-1: nothing due). With nothing `held` and nobody `waiting`, it stops.
   * An earlier timer already set is kept.
   */
  schedule(held: boolean, waiting: boolean, dueMs: number): void {
    if (!held && !waiting) {
      this.stop();
      this.#renewing = false;
      return;
    }
    const now = this.#clock.now();
    if (!this.#renewing) this.startFrom(now);
    let at = Math.max(now, this.#renewedAt + this.intervalMs(waiting));
    let renew = true;
    if (waiting && dueMs >= 0 && now + dueMs < at) {
      at = now + dueMs;
      renew = false;
    }
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.stop();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#onDue(renew);
    }, at - now);
    // Renewal never keeps a process alive by itself: its calls do.
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  }

  /** Clears the timer. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Whether a timer is set (for tests and leak checks). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }
}
