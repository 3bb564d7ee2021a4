import { QueueFullError } from '../errors/QueueFullError.js';
import { QueueTimeoutError } from '../errors/QueueTimeoutError.js';
import { systemClock, type Clock, type TimerHandle } from '../timing/Clock.js';
import { TimeoutScheduler } from '../timing/TimeoutScheduler.js';
import { validateOption } from '../validateOption.js';
import { GateBase, type GateWaiter, type Permit } from './Gate.js';
import { WaitNode, WaitQueue } from './WaitQueue.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Name shown in traces and errors. */
  name: string;
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
  /**
   * Most waiters allowed in the queue; one more fails at once with `QueueFullError`.
   * @defaultValue Infinity
   */
  maxQueue?: number;
  /**
   * Longest a waiter may queue before it fails with `QueueTimeoutError`.
   * @defaultValue Infinity
   */
  queueTimeoutMs?: number;
  /**
   * Time source and timers.
   * @defaultValue the system clock
   */
  clock?: Clock;
}

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
export class RateLimiter extends GateBase {
  readonly kind = 'rate_limit';
  readonly holdsPermits = false;
  readonly limit: number;
  readonly intervalMs: number;
  readonly burst: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly #clock: Clock;
  readonly #scheduler: TimeoutScheduler;
  readonly #queue = new WaitQueue<GateWaiter>();
  readonly #nodes = new Map<GateWaiter, WaitNode<GateWaiter>>();
  /** Tokens per millisecond. */
  readonly #rate: number;
  #tokens: number;
  #refilledAt: number;
  #timer: TimerHandle | undefined;
  #inFlight = 0;
  readonly #expire = (node: WaitNode<GateWaiter>): void => this.#onQueueTimeout(node);

  constructor(options: RateLimiterOptions) {
    const o = validateOption.object('RateLimiter options', options) as Partial<RateLimiterOptions>;
    super(validateOption.nonEmptyString('RateLimiter.name', o.name));
    this.limit = validateOption.finite('RateLimiter.limit', o.limit, Number.MIN_VALUE);
    this.intervalMs = validateOption.finite('RateLimiter.intervalMs', o.intervalMs ?? 1000, Number.MIN_VALUE);
    this.burst = validateOption.integer('RateLimiter.burst', o.burst ?? Math.ceil(this.limit), 1);
    this.maxQueue = validateOption.integerOrInfinity('RateLimiter.maxQueue', o.maxQueue ?? Infinity, 0);
    this.queueTimeoutMs = validateOption.durationOrInfinity('RateLimiter.queueTimeoutMs', o.queueTimeoutMs ?? Infinity);
    this.#clock = o.clock ?? systemClock;
    this.#scheduler = new TimeoutScheduler(this.#clock);
    this.#rate = this.limit / this.intervalMs;
    this.#tokens = this.burst;
    this.#refilledAt = this.#clock.now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** Tokens in the bucket now (fractional). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  enter(waiter: GateWaiter): Permit | undefined {
    if (this.#queue.size === 0) {
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#inFlight += 1;
        if (this.acquireEvents.hasListeners) {
          this.acquireEvents.emit({ gate: this.name, waitMs: 0, inFlight: this.#inFlight, queued: 0 });
        }
        return new RatePermit(this, this.#clock.now());
      }
    }
    if (this.#queue.size >= this.maxQueue) {
      if (this.rejectEvents.hasListeners) {
        this.rejectEvents.emit({ gate: this.name, reason: 'queue_full', inFlight: this.#inFlight, queued: this.queued });
      }
      throw new QueueFullError(this.name, this.maxQueue, this.#inFlight);
    }
    const node = this.#queue.push(waiter, waiter.priority, this.#clock.now());
    this.#nodes.set(waiter, node);
    if (this.queueTimeoutMs !== Infinity) {
      node.expire = this.#expire;
      node.timeout = this.#scheduler.schedule(this.queueTimeoutMs, node);
    }
    if (this.queueEvents.hasListeners) {
      this.queueEvents.emit({ gate: this.name, ahead: node.ahead, inFlight: this.#inFlight, queued: this.queued });
    }
    this.#arm();
    return undefined;
  }

  leave(waiter: GateWaiter): boolean {
    const node = this.#nodes.get(waiter);
    if (node === undefined) return false;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'left', inFlight: this.#inFlight, queued: this.queued });
    }
    this.#disarmIfEmpty();
    this.checkIdle();
    return true;
  }

  /** @internal Called by a permit. */
  releasePermit(permit: RatePermit): void {
    this.#inFlight -= 1;
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({
        gate: this.name,
        heldMs: this.#clock.now() - permit.grantedAt,
        inFlight: this.#inFlight,
        queued: this.queued,
      });
    }
    this.checkIdle();
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.#rate);
      this.#refilledAt = now;
    }
  }

  #remove(node: WaitNode<GateWaiter>): void {
    this.#queue.remove(node);
    this.#nodes.delete(node.value);
    if (node.timeout !== undefined) this.#scheduler.cancel(node.timeout);
  }

  /** Sets the timer for the moment the next token is due, when someone waits and no timer is set. */
  #arm(): void {
    if (this.#timer !== undefined || this.#queue.size === 0) return;
    this.#refill();
    const waitMs = Math.max(0, Math.ceil((1 - this.#tokens) / this.#rate));
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), waitMs);
  }

  #disarmIfEmpty(): void {
    if (this.#queue.size === 0 && this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#refill();
    // A token counts as whole within a hair, so float rounding cannot cost a whole extra timer tick.
    while (this.#queue.size > 0 && this.#tokens >= 1 - 1e-9) {
      const node = this.#queue.peek()!;
      this.#remove(node);
      this.#tokens = Math.max(0, this.#tokens - 1);
      this.#inFlight += 1;
      const now = this.#clock.now();
      if (this.acquireEvents.hasListeners) {
        this.acquireEvents.emit({
          gate: this.name,
          waitMs: now - node.enqueuedAt,
          inFlight: this.#inFlight,
          queued: this.queued,
        });
      }
      node.value.grant(new RatePermit(this, now));
    }
    this.#arm();
  }

  #onQueueTimeout(node: WaitNode<GateWaiter>): void {
    node.timeout = undefined;
    if (this.#nodes.get(node.value) !== node) return;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'queue_timeout', inFlight: this.#inFlight, queued: this.queued });
    }
    this.#disarmIfEmpty();
    node.value.reject(new QueueTimeoutError(this.name, this.queueTimeoutMs, this.#inFlight, this.queued));
    this.checkIdle();
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
    this.limiter.releasePermit(this);
  }

  /** A rate permit holds no capacity, so giving it back early costs nothing. */
  reclaim(): boolean {
    return true;
  }
}
