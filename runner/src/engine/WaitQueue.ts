import type { ScheduledTimeout, TimeoutTarget } from './TimeoutScheduler.js';

/**
 * One waiter's place in a {@link WaitQueue}. It lives as long as its waiter queues (100,000 of them at
 * times), so it holds only what serving and leaving need: what the queue knows once (the timeout
 * handler) is on the queue, and what is reported once (waiters ahead) is computed when asked.
 */
export class WaitNode<T> implements TimeoutTarget {
  prev: WaitNode<T> | undefined = undefined;
  next: WaitNode<T> | undefined = undefined;
  /** The queue-timeout set for this waiter, if any. */
  timeout: ScheduledTimeout | undefined = undefined;

  constructor(
    readonly value: T,
    readonly level: Level<T>,
    /** Monotonic ms at which the waiter joined. */
    readonly enqueuedAt: number,
  ) {}

  /** Its queue timeout fired: {@link WaitQueue.onExpire} decides. */
  onTimeout(): void {
    this.level.queue.onExpire?.(this);
  }
}

class Level<T> {
  head: WaitNode<T> | undefined = undefined;
  tail: WaitNode<T> | undefined = undefined;
  count = 0;
  constructor(
    readonly priority: number,
    readonly queue: WaitQueue<T>,
  ) {}
}

/**
 * Where a waiter that is in at most one queue at a time (a runner's call passes its gates one after
 * another) keeps its node, so that the gate finds it without a map from waiters to nodes.
 */
export const waitNodeSlot: unique symbol = Symbol('overlap.waitNode');

/** A waiter with a {@link waitNodeSlot}. */
export interface SlottedWaiter {
  /** Written and read by the queue's owner only. */
  [waitNodeSlot]: unknown;
}

/**
 * Waiters in order: higher priority first, first-come first-served within a priority. Push, shift and
 * remove are O(1) apart from finding a priority level, which is linear in the number of distinct
 * priorities waiting (one, unless callers use priorities).
 */
export class WaitQueue<T> {
  #levels: Level<T>[] = [];
  #size = 0;
  /** Called when a node's queue timeout fires (see {@link WaitNode.timeout}). */
  onExpire: ((node: WaitNode<T>) => void) | undefined = undefined;

  get size(): number {
    return this.#size;
  }

  push(value: T, priority: number, enqueuedAt: number): WaitNode<T> {
    let index = 0;
    while (index < this.#levels.length && this.#levels[index]!.priority > priority) index += 1;
    let level = this.#levels[index];
    if (level === undefined || level.priority !== priority) {
      level = new Level<T>(priority, this);
      this.#levels.splice(index, 0, level);
    }
    const node = new WaitNode(value, level, enqueuedAt);
    node.prev = level.tail;
    if (level.tail) level.tail.next = node;
    else level.head = node;
    level.tail = node;
    level.count += 1;
    this.#size += 1;
    return node;
  }

  /** Waiters that will be served before `node`, which waits here: those of its priority that came first, and every higher one. */
  ahead(node: WaitNode<T>): number {
    let ahead = -1;
    for (const level of this.#levels) {
      if (level.priority < node.level.priority) break;
      ahead += level.count;
    }
    return ahead;
  }

  /** The next waiter to serve, without removing it. */
  peek(): WaitNode<T> | undefined {
    return this.#levels[0]?.head;
  }

  /** Removes and returns the next waiter to serve. */
  shift(): WaitNode<T> | undefined {
    const node = this.peek();
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Whether `node` waits in this queue now. */
  holds(node: WaitNode<T>): boolean {
    return node.level.queue === this && (node.prev !== undefined || node.level.head === node);
  }

  /** Removes a waiter; returns false when it had already left. */
  remove(node: WaitNode<T>): boolean {
    const level = node.level;
    if (node.prev === undefined && level.head !== node) return false;
    if (node.prev) node.prev.next = node.next;
    else level.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else level.tail = node.prev;
    node.prev = undefined;
    node.next = undefined;
    level.count -= 1;
    this.#size -= 1;
    if (level.head === undefined) this.#levels.splice(this.#levels.indexOf(level), 1);
    return true;
  }
}
