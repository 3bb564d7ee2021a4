import type { CircuitBreakerPolicy, CircuitState } from '../CircuitBreakerOptions.js';

/** A change of state, as reported to the span of the call that caused it. */
export interface CircuitStateChange {
  from: CircuitState;
  to: CircuitState;
}

/**
 * A per-tool circuit breaker: after `failureThreshold` failures within `windowMs` it opens and calls fail
 * fast; after `halfOpenAfterMs` one probe goes through: success closes it, failure opens it again.
 * Failures are errors and timeouts of attempts; cancellations and rejected input do not count.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly windowMs: number;
  readonly halfOpenAfterMs: number;
  #state: CircuitState = 'closed';
  #failures: number[] = [];
  #openedAt = 0;
  #probeInFlight = false;

  /** @param policy - options `defineTool` already checked, so building a breaker never throws */
  constructor(policy: CircuitBreakerPolicy) {
    this.failureThreshold = policy.failureThreshold;
    this.windowMs = policy.windowMs;
    this.halfOpenAfterMs = policy.halfOpenAfterMs;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Asks to start an attempt at time `now`. Returns `{ allowed: true, probe }` or
   * `{ allowed: false, retryInMs }`, and the state change the question caused, if any.
   */
  admit(now: number): { allowed: boolean; probe: boolean; retryInMs: number; change?: CircuitStateChange } {
    if (this.#state === 'closed') return { allowed: true, probe: false, retryInMs: 0 };
    if (this.#state === 'open') {
      const retryInMs = this.#openedAt + this.halfOpenAfterMs - now;
      if (retryInMs > 0) return { allowed: false, probe: false, retryInMs };
      this.#state = 'half_open';
      this.#probeInFlight = true;
      return { allowed: true, probe: true, retryInMs: 0, change: { from: 'open', to: 'half_open' } };
    }
    if (this.#probeInFlight) return { allowed: false, probe: false, retryInMs: this.halfOpenAfterMs };
    this.#probeInFlight = true;
    return { allowed: true, probe: true, retryInMs: 0 };
  }

  /** Records a successful attempt; returns the state change it caused, if any. */
  recordSuccess(probe: boolean): CircuitStateChange | undefined {
    if (probe) this.#probeInFlight = false;
    if (this.#state === 'half_open' && probe) {
      this.#state = 'closed';
      this.#failures = [];
      return { from: 'half_open', to: 'closed' };
    }
    return undefined;
  }

  /** Records a failed attempt at time `now`; returns the state change it caused, if any. */
  recordFailure(probe: boolean, now: number): CircuitStateChange | undefined {
    if (probe) this.#probeInFlight = false;
    if (this.#state === 'half_open') {
      if (!probe) return undefined;
      this.#state = 'open';
      this.#openedAt = now;
      return { from: 'half_open', to: 'open' };
    }
    if (this.#state === 'open') return undefined;
    const windowStart = now - this.windowMs;
    this.#failures = this.#failures.filter((t) => t > windowStart);
    this.#failures.push(now);
    if (this.#failures.length >= this.failureThreshold) {
      this.#state = 'open';
      this.#openedAt = now;
      this.#failures = [];
      return { from: 'closed', to: 'open' };
    }
    return undefined;
  }

  /** Releases a probe that ended without a verdict (cancelled), so another may be tried. */
  abandonProbe(probe: boolean): void {
    if (probe) this.#probeInFlight = false;
  }
}
