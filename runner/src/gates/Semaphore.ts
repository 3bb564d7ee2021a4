import { QueueFullError } from '../errors/QueueFullError.js';
import { QueueTimeoutError } from '../errors/QueueTimeoutError.js';
import { systemClock, type Clock } from '../timing/Clock.js';
import { TimeoutScheduler } from '../timing/TimeoutScheduler.js';
import { validateOption } from '../validateOption.js';
import { GateBase, type GateWaiter, type Permit } from './Gate.js';
import { WaitNode, WaitQueue } from './WaitQueue.js';

/** Options of {@link Semaphore}. */
export interface SemaphoreOptions {
  /** Name shown in traces and errors. */
  name: string;
  /** How many calls may hold a permit at once; an integer >= 1. */
  permits: number;
  /**
   * Most waiters allowed in the queue; one more fails at once with `QueueFullError`.
   * @defaultValue Infinity
   */
  maxQueue?: number;
  /**
   * Longest a waiter may queue before it fails with `QueueTimeoutError`.
   * @defaultValue Infinity (wait for as long as the caller's signal allows)
   */
  queueTimeoutMs?: number;
  /**
   * Most permits taken back from bodies that run on past their timeout while those bodies still run.
   * Past it, such a permit stays held until its body settles, so the upstream never sees more than
   * `permits + maxReclaimed` calls at once.
   * @defaultValue `permits`
   */
  maxReclaimed?: number;
  /**
   * Time source and timers.
   * @defaultValue the system clock
   */
  clock?: Clock;
}

/**
 * A counting semaphore: at most `permits` calls hold a permit at once; the rest wait in order (higher
 * priority first, then first come, first served).
 *
 * @example
 * ```ts
 * const modelPool = new Semaphore({ name: 'model-api', permits: 8, maxQueue: 100 });
 * const callLlm = defineTool({ name: 'call_llm', input, gates: [modelPool], run: ... });
 * ```
 */
export class Semaphore extends GateBase {
  readonly kind = 'semaphore';
  readonly holdsPermits = true;
  readonly permits: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly maxReclaimed: number;
  readonly #clock: Clock;
  readonly #scheduler: TimeoutScheduler;
  readonly #queue = new WaitQueue<GateWaiter>();
  readonly #nodes = new Map<GateWaiter, WaitNode<GateWaiter>>();
  #available: number;
  #reclaimedRunning = 0;
  #reclaimedTotal = 0;
  readonly #expire = (node: WaitNode<GateWaiter>): void => this.#onQueueTimeout(node);

  constructor(options: SemaphoreOptions) {
    const o = validateOption.object('Semaphore options', options) as Partial<SemaphoreOptions>;
    super(validateOption.nonEmptyString('Semaphore.name', o.name));
    this.permits = validateOption.integer('Semaphore.permits', o.permits, 1);
    this.maxQueue = validateOption.integerOrInfinity('Semaphore.maxQueue', o.maxQueue ?? Infinity, 0);
    this.queueTimeoutMs = validateOption.durationOrInfinity('Semaphore.queueTimeoutMs', o.queueTimeoutMs ?? Infinity);
    this.maxReclaimed = validateOption.integer('Semaphore.maxReclaimed', o.maxReclaimed ?? this.permits, 0);
    this.#clock = o.clock ?? systemClock;
    this.#scheduler = new TimeoutScheduler(this.#clock);
    this.#available = this.permits;
  }

  get inFlight(): number {
    return this.permits - this.#available;
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** Permits free now. */
  get available(): number {
    return this.#available;
  }

  /** Bodies whose permit was taken back while they still run. */
  get reclaimedRunning(): number {
    return this.#reclaimedRunning;
  }

  /** Permits taken back from bodies past their timeout, since creation. */
  get reclaimedTotal(): number {
    return this.#reclaimedTotal;
  }

  enter(waiter: GateWaiter): Permit | undefined {
    if (this.#available > 0 && this.#queue.size === 0) {
      this.#available -= 1;
      if (this.acquireEvents.hasListeners) {
        this.acquireEvents.emit({ gate: this.name, waitMs: 0, inFlight: this.inFlight, queued: 0 });
      }
      return new SemaphorePermit(this, this.#clock.now());
    }
    if (this.#queue.size >= this.maxQueue) {
      if (this.rejectEvents.hasListeners) {
        this.rejectEvents.emit({ gate: this.name, reason: 'queue_full', inFlight: this.inFlight, queued: this.queued });
      }
      throw new QueueFullError(this.name, this.maxQueue, this.inFlight);
    }
    const node = this.#queue.push(waiter, waiter.priority, this.#clock.now());
    this.#nodes.set(waiter, node);
    if (this.queueTimeoutMs !== Infinity) {
      node.expire = this.#expire;
      node.timeout = this.#scheduler.schedule(this.queueTimeoutMs, node);
    }
    if (this.queueEvents.hasListeners) {
      this.queueEvents.emit({ gate: this.name, ahead: node.ahead, inFlight: this.inFlight, queued: this.queued });
    }
    return undefined;
  }

  leave(waiter: GateWaiter): boolean {
    const node = this.#nodes.get(waiter);
    if (node === undefined) return false;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'left', inFlight: this.inFlight, queued: this.queued });
    }
    this.checkIdle();
    return true;
  }

  /** @internal Called by a permit. */
  releasePermit(permit: SemaphorePermit): void {
    if (permit.reclaimed) {
      this.#reclaimedRunning -= 1;
      return;
    }
    this.#available += 1;
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({
        gate: this.name,
        heldMs: this.#clock.now() - permit.grantedAt,
        inFlight: this.inFlight,
        queued: this.queued,
      });
    }
    this.#dispatch();
    this.checkIdle();
  }

  /** @internal Called by a permit. */
  reclaimPermit(permit: SemaphorePermit): boolean {
    if (this.#reclaimedRunning >= this.maxReclaimed) return false;
    this.#reclaimedRunning += 1;
    this.#reclaimedTotal += 1;
    permit.reclaimed = true;
    this.#available += 1;
    this.#dispatch();
    this.checkIdle();
    return true;
  }

  #remove(node: WaitNode<GateWaiter>): void {
    this.#queue.remove(node);
    this.#nodes.delete(node.value);
    if (node.timeout !== undefined) this.#scheduler.cancel(node.timeout);
  }

  #dispatch(): void {
    while (this.#available > 0 && this.#queue.size > 0) {
      const node = this.#queue.peek()!;
      this.#remove(node);
      this.#available -= 1;
      const now = this.#clock.now();
      if (this.acquireEvents.hasListeners) {
        this.acquireEvents.emit({
          gate: this.name,
          waitMs: now - node.enqueuedAt,
          inFlight: this.inFlight,
          queued: this.queued,
        });
      }
      node.value.grant(new SemaphorePermit(this, now));
    }
  }

  #onQueueTimeout(node: WaitNode<GateWaiter>): void {
    node.timeout = undefined;
    if (this.#nodes.get(node.value) !== node) return;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'queue_timeout', inFlight: this.inFlight, queued: this.queued });
    }
    node.value.reject(new QueueTimeoutError(this.name, this.queueTimeoutMs, this.inFlight, this.queued));
    this.checkIdle();
  }
}

class SemaphorePermit implements Permit {
  released = false;
  reclaimed = false;

  constructor(
    readonly semaphore: Semaphore,
    readonly grantedAt: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.semaphore.releasePermit(this);
  }

  reclaim(): boolean {
    if (this.released || this.reclaimed) return true;
    return this.semaphore.reclaimPermit(this);
  }
}
