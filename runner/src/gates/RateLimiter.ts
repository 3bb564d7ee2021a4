import type { TimerHandle } from '../Clock.js';
import { validateOption } from '../validateOption.js';
import type { GateWaiter, Permit } from './Gate.js';
import { LocalGate, type LocalGateOptions } from './LocalGate.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions extends LocalGateOptions {
  /** Calls allowed per `intervalMs` in the long run; > 0. */
  limit: number;
  /**
   * Length of the interval `limit` refers to.
   * @defaultValue 1000
   */
  intervalMs?: number;
  /**
   * Most calls let through back to back after a quiet spell (the bucket's size). Any window of
   * `intervalMs` sees at most `limit + burst` calls; lower it for upstreams that count strictly.
   * @defaultValue `limit` (rounded up)
   */
  burst?: number;
}

let releasePermit: (limiter: RateLimiter, permit: RatePermit) => void;

/**
 * A token bucket: `limit` calls per `intervalMs`, with bursts up to `burst`. It paces when calls start
 * and holds nothing while they run; `inFlight` counts calls that passed and have not finished.
 *
 * @example
 * ```ts
 * // The weather API allows 5 requests per second.
 * const weatherRate = new RateLimiter({ name: 'weather-api', limit: 5, intervalMs: 1000 });
 * ```
 */
export class RateLimiter extends LocalGate {
  readonly kind = 'rate_limit';
  readonly holdsPermits = false;
  readonly limit: number;
  readonly intervalMs: number;
  readonly burst: number;
  /** Tokens per millisecond. */
  readonly #rate: number;
  #tokens: number;
  #refilledAt: number;
  #timer: TimerHandle | undefined;
  #inFlight = 0;

  constructor(options: RateLimiterOptions) {
    const o = validateOption.object('RateLimiter options', options) as Partial<RateLimiterOptions>;
    super('RateLimiter', o);
    this.limit = validateOption.finite('RateLimiter.limit', o.limit, Number.MIN_VALUE);
    this.intervalMs = validateOption.finite('RateLimiter.intervalMs', o.intervalMs ?? 1000, Number.MIN_VALUE);
    this.burst = validateOption.integer('RateLimiter.burst', o.burst ?? Math.ceil(this.limit), 1);
    this.#rate = this.limit / this.intervalMs;
    this.#tokens = this.burst;
    this.#refilledAt = this.clock.now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Tokens in the bucket now (fractional). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  enter(waiter: GateWaiter): Permit | undefined {
    if (this.queued === 0) {
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#inFlight += 1;
        return this.granted(undefined, new RatePermit(this, this.clock.now()));
      }
    }
    this.enqueue(waiter);
    this.#arm();
    return undefined;
  }

  #release(permit: RatePermit): void {
    this.#inFlight -= 1;
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({
        gate: this.name,
        heldMs: this.clock.now() - permit.grantedAt,
        inFlight: this.#inFlight,
        queued: this.queued,
      });
    }
    this.checkIdle();
  }

  static {
    // Permits live outside the class; this lets them reach its private release, and nothing else can.
    releasePermit = (limiter, permit) => limiter.#release(permit);
  }

  /** With nobody waiting, the refill timer has nothing to do. */
  protected override queueChanged(): void {
    if (this.queued === 0 && this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.#rate);
      this.#refilledAt = now;
    }
  }

  /** Sets the timer for the moment the next token is due, when someone waits and no timer is set. */
  #arm(): void {
    if (this.#timer !== undefined || this.queued === 0) return;
    this.#refill();
    const waitMs = Math.max(0, Math.ceil((1 - this.#tokens) / this.#rate));
    this.#timer = this.clock.setTimeout(() => this.#onTimer(), waitMs);
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#refill();
    // A token counts as whole within a hair, so float rounding cannot cost a whole extra timer tick.
    while (this.queued > 0 && this.#tokens >= 1 - 1e-9) {
      const node = this.takeNext()!;
      this.#tokens = Math.max(0, this.#tokens - 1);
      this.#inFlight += 1;
      this.granted(node, new RatePermit(this, this.clock.now()));
    }
    this.#arm();
  }
}

class RatePermit implements Permit {
  released = false;

  constructor(
    readonly limiter: RateLimiter,
    readonly grantedAt: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    releasePermit(this.limiter, this);
  }

  /** A rate permit holds no capacity, so giving it back early costs nothing. */
  reclaim(): boolean {
    return true;
  }
}
