import type { EndpointName } from './EndpointName.js';
import type { ResolvedEndpointOptions } from './EndpointOptions.js';
import { isScheduled } from './FaultSchedule.js';
import { seededRandom, streamSeed } from './seededRandom.js';

/** What the upstream does with one request. */
export type RequestPlan =
  /** Over the rate limit: answer 429 at once; the window has room again in `retryAfterMs`. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  /**
   * Answer with `status` (200, or a scheduled 5xx) after `latencyMs`; a model's tokens then follow every
   * `tokenLatencyMs`.
   */
  | {
      readonly kind: 'answer';
      readonly index: number;
      readonly status: number;
      readonly latencyMs: number;
      readonly tokenLatencyMs: number;
      readonly slow: boolean;
    }
  /** Never answer. */
  | { readonly kind: 'hang'; readonly index: number };

/** Where a sliding window stands, for `x-ratelimit-*` headers. */
export interface WindowState {
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window is full again (0 when it already is). */
  readonly resetMs: number;
}

/** Whether a request's tokens fit the endpoint's token budget, and the budget's state after it. */
export type TokenAdmission =
  | { readonly ok: true; readonly window: WindowState | undefined }
  | { readonly ok: false; readonly retryAfterMs: number; readonly limit: number; readonly used: number };

/**
 * One endpoint's behaviour: its sliding rate-limit windows (requests, and tokens for models) and its
 * seeded draws. Every admitted request takes exactly one number from each of the endpoint's streams
 * (latency, slow latency, failure, hang, slowness, token latency), whatever it turns out to be, so
 * request `n` of an endpoint always gets the same plan for the same seed, however other endpoints are used.
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
  readonly #tokenLatency: () => number;
  /** Admission times inside the current rate-limit window, oldest first. */
  #admittedAt: number[] = [];
  /** Tokens admitted inside the current token window, oldest first. */
  #tokensAt: Array<{ atMs: number; tokens: number }> = [];
  #tokensInWindow = 0;
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
    this.#tokenLatency = seededRandom(streamSeed(seed, `${name}.token.latency`));
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
    const tokenLatency = between(o.tokenLatencyMs, this.#tokenLatency());
    if (hangs) return { kind: 'hang', index };
    return {
      kind: 'answer',
      index,
      status: fails ? o.failures!.status : 200,
      latencyMs: (slow ? slowLatency : latency) * this.#latencyScale,
      tokenLatencyMs: tokenLatency * this.#latencyScale,
      slow,
    };
  }

  /** The request window at `nowMs`, or undefined without a request rate limit. Changes nothing. */
  requestWindow(nowMs: number): WindowState | undefined {
    const rateLimit = this.#options.rateLimit;
    if (rateLimit === null) return undefined;
    const inWindow = this.#admittedAt.filter((at) => at > nowMs - rateLimit.intervalMs);
    return {
      limit: rateLimit.limit,
      remaining: Math.max(0, rateLimit.limit - inWindow.length),
      resetMs: inWindow.length === 0 ? 0 : inWindow[0]! + rateLimit.intervalMs - nowMs,
    };
  }

  /**
   * Admits `tokens` into the token window at `nowMs`, or says when there will be room for them. A
   * request larger than the whole budget is told to wait a full window (it never fits, as with OpenAI).
   * Without a token rate limit every request fits.
   */
  admitTokens(nowMs: number, tokens: number): TokenAdmission {
    const budget = this.#options.tokenRateLimit;
    if (budget === null) return { ok: true, window: undefined };
    const windowStart = nowMs - budget.intervalMs;
    while (this.#tokensAt.length > 0 && this.#tokensAt[0]!.atMs <= windowStart) this.#tokensInWindow -= this.#tokensAt.shift()!.tokens;
    if (this.#tokensInWindow + tokens > budget.tokens) {
      let freed = 0;
      let retryAfterMs = budget.intervalMs;
      if (tokens <= budget.tokens) {
        for (const entry of this.#tokensAt) {
          freed += entry.tokens;
          if (this.#tokensInWindow - freed + tokens <= budget.tokens) {
            retryAfterMs = entry.atMs + budget.intervalMs - nowMs;
            break;
          }
        }
      }
      return { ok: false, retryAfterMs, limit: budget.tokens, used: this.#tokensInWindow };
    }
    this.#tokensAt.push({ atMs: nowMs, tokens });
    this.#tokensInWindow += tokens;
    return {
      ok: true,
      window: { limit: budget.tokens, remaining: budget.tokens - this.#tokensInWindow, resetMs: this.#tokensAt[0]!.atMs + budget.intervalMs - nowMs },
    };
  }
}

function between([min, max]: readonly [number, number], draw: number): number {
  return min + (max - min) * draw;
}
