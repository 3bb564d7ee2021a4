import { QueueFullError } from '../errors/QueueFullError.js';
import { QueueTimeoutError } from '../errors/QueueTimeoutError.js';
import { systemClock, type Clock } from '../Clock.js';
import { TimeoutScheduler } from '../engine/TimeoutScheduler.js';
import { validateOption } from '../validateOption.js';
import { GateBase, type GateWaiter, type Permit } from './Gate.js';
import { waitNodeSlot, WaitNode, WaitQueue, type SlottedWaiter } from '../engine/WaitQueue.js';

/** Options every gate in this process has. */
export interface LocalGateOptions {
  /** Name shown in traces and errors. */
  name: string;
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
   * Time source and timers.
   * @defaultValue the system clock
   */
  clock?: Clock;
}

/**
 * What the gates of this process share: their queue of waiters (priority, then arrival), `maxQueue`,
 * queue timeouts, leaving, and the events of each. A subclass decides when a permit is free: it calls
 * {@link LocalGate.enqueue} when a waiter must wait, and {@link LocalGate.takeNext} and
 * {@link LocalGate.granted} when one can go.
 */
export abstract class LocalGate extends GateBase {
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  protected readonly clock: Clock;
  readonly #scheduler: TimeoutScheduler;
  readonly #queue = new WaitQueue<GateWaiter>();
  /** Nodes of waiters without a {@link waitNodeSlot} (a runner's calls have one, and need no entry here). */
  readonly #nodes = new Map<GateWaiter, WaitNode<GateWaiter>>();

  /** @param kind - the class name, for option errors (`Semaphore.maxQueue: ...`) */
  constructor(kind: string, options: Partial<LocalGateOptions>) {
    super(validateOption.nonEmptyString(`${kind}.name`, options.name));
    this.maxQueue = validateOption.integerOrInfinity(`${kind}.maxQueue`, options.maxQueue ?? Infinity, 0);
    this.queueTimeoutMs = validateOption.durationOrInfinity(`${kind}.queueTimeoutMs`, options.queueTimeoutMs ?? Infinity);
    this.clock = options.clock ?? systemClock;
    this.#scheduler = new TimeoutScheduler(this.clock);
    this.#queue.onExpire = (node) => this.#onQueueTimeout(node);
  }

  get queued(): number {
    return this.#queue.size;
  }

  leave(waiter: GateWaiter): boolean {
    const node = this.#nodeOf(waiter);
    if (node === undefined || !this.#queue.holds(node)) return false;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'left', inFlight: this.inFlight, queued: this.queued });
    }
    this.queueChanged();
    this.checkIdle();
    return true;
  }

  /** Queues `waiter`; throws `QueueFullError` when `maxQueue` waiters already wait. */
  protected enqueue(waiter: GateWaiter): void {
    if (this.#queue.size >= this.maxQueue) {
      if (this.rejectEvents.hasListeners) {
        this.rejectEvents.emit({ gate: this.name, reason: 'queue_full', inFlight: this.inFlight, queued: this.queued });
      }
      throw new QueueFullError(this.name, this.maxQueue, this.inFlight);
    }
    const node = this.#queue.push(waiter, waiter.priority, this.clock.now());
    if (waitNodeSlot in waiter) (waiter as SlottedWaiter)[waitNodeSlot] = node;
    else this.#nodes.set(waiter, node);
    if (this.queueTimeoutMs !== Infinity) node.timeout = this.#scheduler.schedule(this.queueTimeoutMs, node);
    if (this.queueEvents.hasListeners) {
      this.queueEvents.emit({ gate: this.name, ahead: this.#queue.ahead(node), inFlight: this.inFlight, queued: this.queued });
    }
  }

  /** Removes and returns the next waiter to serve, or undefined when none waits. */
  protected takeNext(): WaitNode<GateWaiter> | undefined {
    const node = this.#queue.peek();
    if (node !== undefined) this.#remove(node);
    return node;
  }

  /** Reports a permit given at once (`node` undefined) or to a waiter that queued, and hands it over. */
  protected granted(node: WaitNode<GateWaiter> | undefined, permit: Permit): Permit {
    if (this.acquireEvents.hasListeners) {
      const waitMs = node === undefined ? 0 : this.clock.now() - node.enqueuedAt;
      this.acquireEvents.emit({ gate: this.name, waitMs, inFlight: this.inFlight, queued: this.queued });
    }
    node?.value.grant(permit);
    return permit;
  }

  /** Called when waiters left other than by being served (they left, or timed out). */
  protected queueChanged(): void {}

  #nodeOf(waiter: GateWaiter): WaitNode<GateWaiter> | undefined {
    if (waitNodeSlot in waiter) return (waiter as SlottedWaiter)[waitNodeSlot] as WaitNode<GateWaiter> | undefined;
    return this.#nodes.get(waiter);
  }

  #remove(node: WaitNode<GateWaiter>): void {
    this.#queue.remove(node);
    const waiter = node.value;
    if (waitNodeSlot in waiter) (waiter as SlottedWaiter)[waitNodeSlot] = undefined;
    else this.#nodes.delete(waiter);
    if (node.timeout !== undefined) this.#scheduler.cancel(node.timeout);
  }

  #onQueueTimeout(node: WaitNode<GateWaiter>): void {
    node.timeout = undefined;
    if (!this.#queue.holds(node)) return;
    this.#remove(node);
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason: 'queue_timeout', inFlight: this.inFlight, queued: this.queued });
    }
    this.queueChanged();
    node.value.reject(new QueueTimeoutError(this.name, this.queueTimeoutMs, this.inFlight, this.queued));
    this.checkIdle();
  }
}
