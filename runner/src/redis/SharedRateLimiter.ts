import type { Gate, Permit } from '../gates/Gate.js';
import { RateLimiter } from '../gates/RateLimiter.js';
import { validateOption } from '../validateOption.js';
import { SharedGate } from './SharedGate.js';
import type { SharedGateConnection } from './engine/SharedGateConnection.js';
import { resolveSharedGateOptions } from './engine/resolveSharedGateOptions.js';
import type { SharedGateOptions } from './SharedGateOptions.js';

/** Options of {@link SharedRateLimiter}; every process using the same name must pass the same values. */
export interface SharedRateLimiterOptions extends SharedGateOptions {
  /** Calls allowed per `intervalMs` across all processes in the long run; > 0. */
  limit: number;
  /**
   * Length of the interval `limit` refers to.
   * @defaultValue 1000
   */
  intervalMs?: number;
  /**
   * Most calls let through back to back after a quiet spell (the bucket's size). Any window of
   * `intervalMs` sees at most `limit + burst` calls across all processes.
   * @defaultValue `limit` (rounded up)
   */
  burst?: number;
  /**
   * Calls per `intervalMs` this process may make while Redis is down and the gate fails open (its burst
   * is the same fraction of `burst`, at least 1).
   * @defaultValue `limit / expectedProcesses`
   */
  localShare?: number;
  /**
   * Spacing added to every `intervalMs` of refill, to absorb the network between the gate and the
   * upstream: calls granted exactly `intervalMs` apart can arrive a few milliseconds closer together, and
   * an upstream that counts requests per window would then see one too many. The long-run rate becomes
   * `limit` per `intervalMs + jitterMarginMs`.
   * @defaultValue `min(20, intervalMs / 50)` (2 % of a 1-second interval)
   */
  jitterMarginMs?: number;
  /**
   * How long a queued waiter keeps its place when its process stops renewing it (it crashed). Live
   * processes renew their waiters at every poll.
   * @defaultValue 10000
   */
  waiterTtlMs?: number;
}

/**
 * A token bucket shared by every process that uses the same Redis and name: `limit` calls per
 * `intervalMs` across all of them, bursts up to `burst`, the bucket kept on Redis's clock. Waiters from
 * every process form one queue, served by priority, then in arrival order; when the next token is due,
 * whichever waiting process looks first serves the queue's head, whoever owns it. It paces when calls
 * start and holds nothing while they run.
 *
 * Create it with {@link SharedGates.rateLimiter}.
 *
 * @example
 * ```ts
 * const shared = createSharedGates();
 * // 20 requests per second per account, bursts of 5, across every worker.
 * const searchRate = shared.rateLimiter('search-api', { limit: 20, burst: 5, onRedisDown: 'fail-closed' });
 * const search = defineTool({ name: 'search', input, gates: [searchRate], run: ... });
 * ```
 */
export class SharedRateLimiter extends SharedGate {
  readonly kind = 'shared_rate_limit';
  readonly holdsPermits = false;
  readonly limit: number;
  readonly intervalMs: number;
  readonly jitterMarginMs: number;
  readonly burst: number;
  readonly waiterTtlMs: number;
  /** @internal */
  protected readonly script = 'rateLimiter';
  readonly #localShare: number | undefined;
  /** Refill rate in tokens per ms, as the script reads it. */
  readonly #ratePerMs: string;
  #inFlight = 0;
  /** Bumped on close, so permits from before it no longer count. */
  #epoch = 0;

  /** Use {@link SharedGates.rateLimiter}. */
  constructor(connection: SharedGateConnection, name: string, options: SharedRateLimiterOptions) {
    const at = 'SharedRateLimiter';
    const o = validateOption.object(`${at} options`, options) as Partial<SharedRateLimiterOptions>;
    const gateName = validateOption.nonEmptyString(`${at}.name`, name);
    const common = resolveSharedGateOptions(at, o);
    const limit = validateOption.finite(`${at}.limit`, o.limit, Number.MIN_VALUE);
    const intervalMs = validateOption.finite(`${at}.intervalMs`, o.intervalMs ?? 1000, Number.MIN_VALUE);
    const burst = validateOption.integer(`${at}.burst`, o.burst ?? Math.ceil(limit), 1);
    const localShare = o.localShare === undefined ? undefined : validateOption.finite(`${at}.localShare`, o.localShare, Number.MIN_VALUE);
    const waiterTtlMs = validateOption.finite(`${at}.waiterTtlMs`, o.waiterTtlMs ?? 10_000, 100);
    const jitterMarginMs = validateOption.finite(`${at}.jitterMarginMs`, o.jitterMarginMs ?? Math.min(20, intervalMs / 50), 0);
    super(gateName, 'r', connection, common, waiterTtlMs);
    this.limit = limit;
    this.intervalMs = intervalMs;
    this.burst = burst;
    this.waiterTtlMs = waiterTtlMs;
    this.#localShare = localShare;
    this.jitterMarginMs = jitterMarginMs;
    this.#ratePerMs = String(limit / (intervalMs + jitterMarginMs));
  }

  /** Calls of this process that passed and have not finished. */
  get inFlight(): number {
    return this.#inFlight + this.fallbackInFlight;
  }

  /** Tokens in the shared bucket when Redis last answered (fractional). */
  get tokens(): number {
    return this.seenCount / 1000;
  }

  /** Calls per `intervalMs` this process would make if Redis went down now and the gate failed open. */
  get localShare(): number {
    return this.#shareFor(this.sharingProcesses);
  }

  /** @internal */
  protected get heldCount(): number {
    return 0;
  }

  /** @internal */
  protected scriptParams(): [string, number] {
    return [this.#ratePerMs, this.burst];
  }

  /** @internal */
  protected grantShared(_member: string, grantedAt: number): Permit {
    this.#inFlight += 1;
    const epoch = this.#epoch;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (epoch !== this.#epoch) return;
        this.#inFlight -= 1;
        this.emitRelease(this.clock.now() - grantedAt);
        this.checkIdle();
      },
      // A rate permit holds no capacity, so giving it back early costs nothing.
      reclaim: () => true,
    };
  }

  /** @internal */
  protected heldMembers(): string[] {
    return [];
  }

  /** @internal */
  protected createFallback(processes: number): Gate {
    const share = this.#shareFor(processes);
    return new RateLimiter({
      name: this.name,
      limit: share,
      intervalMs: this.intervalMs,
      burst: Math.max(1, Math.ceil((this.burst * share) / this.limit)),
      clock: this.clock,
    });
  }

  /** @internal */
  protected dropHeld(): string[] {
    this.#epoch += 1;
    this.#inFlight = 0;
    return [];
  }

  /** @internal */
  protected describeShared(): string {
    return `${this.tokens.toFixed(1)}/${this.burst} tokens, ${this.sharedQueued} queued across ${this.processes} process(es)`;
  }

  #shareFor(processes: number): number {
    return this.#localShare ?? this.limit / Math.max(1, processes);
  }
}
