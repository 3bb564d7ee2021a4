import type { EndpointName } from './EndpointName.js';
import type { ResolvedEndpointOptions } from './EndpointOptions.js';
import { isScheduled } from './FaultSchedule.js';
import { seededRandom, streamSeed } from './seededRandom.js';

/** What the upstream does with one request. */
export type RequestPlan =
  /** Over the rate limit: answer 429 at once; the window has room again in `retryAfterMs`. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  /** Answer with `status` (200, or a scheduled 5xx) after `latencyMs`. */
  | { readonly kind: 'answer'; readonly index: number; readonly status: number; readonly latencyMs: number; readonly slow: boolean }
  /** Never answer. */
  | { readonly kind: 'hang'; readonly index: number };

/**
 * One endpoint's behaviour: its sliding rate-limit window and its seeded draws. Every admitted request
 * takes exactly one number from each of the endpoint's streams (latency, slow latency, failure, hang,
 * slowness), whatever it turns out to be, so request `n` of an endpoint always gets the same plan for
 * the same seed, however other endpoints are used.
 *
 * @example
 * ```ts
 * const orders = new EndpointBehaviour('orders', DEFAULT_ENDPOINTS.orders, 1, 1);
 * const plan = orders.plan(performance.now()); // { kind: 'answer', index: 0, status: 200, latencyMs: 212.4, ... }
 * ```
 */
export class EndpointBehaviour {
  readonly #options: ResolvedEndpointOptions;
  readonly #latencyScale: number;
  readonly #latency: () => number;
  readonly #slowLatency: () => number;
  readonly #failureDraw: () => number;
  readonly #hangDraw: () => number;
  readonly #slowDraw: () => number;
  /** Admission times inside the current rate-limit window, oldest first. */
  #admittedAt: number[] = [];
  #admitted = 0;

  constructor(
    readonly name: EndpointName,
    options: ResolvedEndpointOptions,
    seed: number,
    latencyScale: number,
  ) {
    this.#options = options;
    this.#latencyScale = latencyScale;
    this.#latency = seededRandom(streamSeed(seed, `${name}.latency`));
    this.#slowLatency = seededRandom(streamSeed(seed, `${name}.slow.latency`));
    this.#failureDraw = seededRandom(streamSeed(seed, `${name}.failures`));
    this.#hangDraw = seededRandom(streamSeed(seed, `${name}.hangs`));
    this.#slowDraw = seededRandom(streamSeed(seed, `${name}.slow`));
  }

  /** Requests admitted so far (past the rate limit). */
  get admitted(): number {
    return this.#admitted;
  }

  /** Decides what to do with a request arriving at `nowMs` (any monotonic milliseconds). */
  plan(nowMs: number): RequestPlan {
    const rateLimit = this.#options.rateLimit;
    if (rateLimit !== null) {
      const windowStart = nowMs - rateLimit.intervalMs;
      while (this.#admittedAt.length > 0 && this.#admittedAt[0]! <= windowStart) this.#admittedAt.shift();
      if (this.#admittedAt.length >= rateLimit.limit) {
        return { kind: 'rate_limited', retryAfterMs: this.#admittedAt[0]! + rateLimit.intervalMs - nowMs };
      }
      this.#admittedAt.push(nowMs);
    }
    const index = this.#admitted;
    this.#admitted += 1;
    const o = this.#options;
    const latency = between(o.latencyMs, this.#latency());
    const slowLatency = o.slow === null ? 0 : between(o.slow.latencyMs, this.#slowLatency());
    const fails = isScheduled(o.failures, index, this.#failureDraw());
    const hangs = isScheduled(o.hangs, index, this.#hangDraw());
    const slow = isScheduled(o.slow, index, this.#slowDraw());
    if (hangs) return { kind: 'hang', index };
    return {
      kind: 'answer',
      index,
      status: fails ? o.failures!.status : 200,
      latencyMs: (slow ? slowLatency : latency) * this.#latencyScale,
      slow,
    };
  }
}

function between([min, max]: readonly [number, number], draw: number): number {
  return min + (max - min) * draw;
}
