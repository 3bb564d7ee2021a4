import type { Disposer } from '../Disposer.js';
import { EventChannel } from '../engine/EventChannel.js';

/**
 * The right to proceed through a gate. Give it back with {@link Permit.release} exactly once; later calls
 * do nothing.
 */
export interface Permit {
  /** Returns the permit to its gate. */
  release(): void;
  /**
   * Asks the gate to take the permit back while its holder is still running (a call timed out and its
   * body ignored the abort). Returns whether the gate agreed; a gate refuses once too many such bodies
   * run on (its `maxReclaimed`). A reclaimed permit is still released when the body settles.
   */
  reclaim(): boolean;
}

/** A party waiting at a gate, told the result exactly once unless it leaves first. */
export interface GateWaiter {
  /** Higher is served first; equal priorities are served in arrival order. */
  readonly priority: number;
  grant(permit: Permit): void;
  reject(error: unknown): void;
}

/** Where a gate keeps its state: in this process, or shared across processes. */
export type GateScope = 'local' | 'shared';

/** Emitted when a permit is granted. */
export interface GateAcquireEvent {
  gate: string;
  /** Milliseconds the waiter queued (0 when a permit was free). */
  waitMs: number;
  inFlight: number;
  queued: number;
}

/** Emitted when a permit is given back. */
export interface GateReleaseEvent {
  gate: string;
  /** Milliseconds the permit was held. */
  heldMs: number;
  inFlight: number;
  queued: number;
}

/** Emitted when a waiter joins the queue. */
export interface GateQueueEvent {
  gate: string;
  /** Waiters ahead of it. */
  ahead: number;
  inFlight: number;
  queued: number;
}

/** Emitted when a waiter is turned away or leaves: queue full, queue timeout, or it left (aborted). */
export interface GateRejectEvent {
  gate: string;
  reason: 'queue_full' | 'queue_timeout' | 'left';
  inFlight: number;
  queued: number;
}

/** Options of {@link GateBase.acquire} and {@link GateBase.run}. */
export interface AcquireOptions {
  /** Aborting it while queued leaves the queue at once and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Higher is served first.
   * @defaultValue 0
   */
  priority?: number;
}

/**
 * A gate a call passes before it runs: a semaphore, a rate limit, a shared (Redis) semaphore...
 *
 * The runner talks to gates through {@link Gate.enter} and {@link Gate.leave} only, so a new kind of gate
 * is one class that extends {@link GateBase}. Gates whose permits are held while the call runs
 * (`holdsPermits`, like semaphores) are acquired first, in the order the gates were created, which rules
 * out deadlock between calls that pass several gates; gates that only pace calls (rate limits) come last.
 */
export interface Gate {
  readonly name: string;
  /** Kind, as traces show it: `semaphore`, `rate_limit`... */
  readonly kind: string;
  readonly scope: GateScope;
  /** Whether the permit is held while the call runs (true) or only paces its start (false). */
  readonly holdsPermits: boolean;
  /** Order of acquisition among gates of the same `holdsPermits`. */
  readonly order: number;
  /** Permits held now. */
  readonly inFlight: number;
  /** Waiters queued now. */
  readonly queued: number;
  /**
   * Asks for a permit. Returns it when one is free now; otherwise queues `waiter` and returns undefined,
   * and later calls `waiter.grant` or `waiter.reject` once. Throws `QueueFullError` when the queue is full.
   */
  enter(waiter: GateWaiter): Permit | undefined;
  /** Withdraws a queued waiter; returns false when it is not queued (granted, rejected or never came). */
  leave(waiter: GateWaiter): boolean;
  /** Short state for messages: `orders: 2 running, 5 queued`. */
  describe(): string;
}

let nextGateOrder = 0;

/**
 * What every gate shares: typed events with disposers, `onIdle()`, and the promise forms
 * {@link GateBase.acquire} and {@link GateBase.run} built on `enter`/`leave`.
 */
export abstract class GateBase implements Gate {
  abstract readonly kind: string;
  abstract readonly holdsPermits: boolean;
  abstract readonly inFlight: number;
  abstract readonly queued: number;
  readonly scope: GateScope = 'local';
  readonly order = nextGateOrder++;
  protected readonly acquireEvents = new EventChannel<GateAcquireEvent>();
  protected readonly releaseEvents = new EventChannel<GateReleaseEvent>();
  protected readonly queueEvents = new EventChannel<GateQueueEvent>();
  protected readonly rejectEvents = new EventChannel<GateRejectEvent>();
  #idleWaiters: Array<() => void> = [];

  constructor(readonly name: string) {}

  abstract enter(waiter: GateWaiter): Permit | undefined;
  abstract leave(waiter: GateWaiter): boolean;

  describe(): string {
    return `${this.name}: ${this.inFlight} running, ${this.queued} queued`;
  }

  /** Listens for granted permits. */
  onAcquire(listener: (event: GateAcquireEvent) => void): Disposer {
    return this.acquireEvents.on(listener);
  }

  /** Listens for released permits. */
  onRelease(listener: (event: GateReleaseEvent) => void): Disposer {
    return this.releaseEvents.on(listener);
  }

  /** Listens for waiters joining the queue. */
  onQueue(listener: (event: GateQueueEvent) => void): Disposer {
    return this.queueEvents.on(listener);
  }

  /** Listens for waiters turned away or leaving. */
  onReject(listener: (event: GateRejectEvent) => void): Disposer {
    return this.rejectEvents.on(listener);
  }

  /** Resolves when nothing holds a permit and nothing waits; at once if that is already so. */
  onIdle(): Promise<void> {
    if (this.inFlight === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Subclasses call this after a release or a departure. */
  protected checkIdle(): void {
    if (this.#idleWaiters.length === 0 || this.inFlight !== 0 || this.queued !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Waits for a permit.
   *
   * @example
   * ```ts
   * const permit = await pool.acquire({ signal });
   * try { await work(); } finally { permit.release(); }
   * ```
   */
  acquire(options: AcquireOptions = {}): Promise<Permit> {
    const { signal, priority = 0 } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.leave(waiter)) reject(signal!.reason);
      };
      const waiter: GateWaiter = {
        priority,
        grant: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const permit = this.enter(waiter);
      if (permit !== undefined) resolve(permit);
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Runs `fn` holding a permit, and releases it however `fn` ends.
   *
   * @example
   * ```ts
   * const pool = new Semaphore({ name: 'db', permits: 3 });
   * const rows = await pool.run(() => db.query(sql));
   * ```
   */
  async run<T>(fn: () => T | PromiseLike<T>, options: AcquireOptions = {}): Promise<T> {
    const permit = await this.acquire(options);
    try {
      return await fn();
    } finally {
      permit.release();
    }
  }
}
