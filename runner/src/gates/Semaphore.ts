import { validateOption } from '../validateOption.js';
import type { GateWaiter, Permit } from './Gate.js';
import { LocalGate, type LocalGateOptions } from './LocalGate.js';

/** Options of {@link Semaphore}. */
export interface SemaphoreOptions extends LocalGateOptions {
  /** How many calls may hold a permit at once; an integer >= 1. */
  permits: number;
  /**
   * Most permits taken back from bodies that run on past their timeout while those bodies still run.
   * Past it, such a permit stays held until its body settles, so the upstream never sees more than
   * `permits + maxReclaimed` calls at once.
   * @defaultValue `permits`
   */
  maxReclaimed?: number;
}

let releasePermit: (semaphore: Semaphore, permit: SemaphorePermit) => void;
let reclaimPermit: (semaphore: Semaphore, permit: SemaphorePermit) => boolean;

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
export class Semaphore extends LocalGate {
  readonly kind = 'semaphore';
  readonly holdsPermits = true;
  readonly permits: number;
  readonly maxReclaimed: number;
  #available: number;
  #reclaimedRunning = 0;
  #reclaimedTotal = 0;

  constructor(options: SemaphoreOptions) {
    const o = validateOption.object('Semaphore options', options) as Partial<SemaphoreOptions>;
    super('Semaphore', o);
    this.permits = validateOption.integer('Semaphore.permits', o.permits, 1);
    this.maxReclaimed = validateOption.integer('Semaphore.maxReclaimed', o.maxReclaimed ?? this.permits, 0);
    this.#available = this.permits;
  }

  get inFlight(): number {
    return this.permits - this.#available;
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
    if (this.#available > 0 && this.queued === 0) {
      this.#available -= 1;
      return this.granted(undefined, new SemaphorePermit(this, this.clock.now()));
    }
    this.enqueue(waiter);
    return undefined;
  }

  #release(permit: SemaphorePermit): void {
    if (permit.reclaimed) {
      this.#reclaimedRunning -= 1;
      return;
    }
    this.#available += 1;
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({
        gate: this.name,
        heldMs: this.clock.now() - permit.grantedAt,
        inFlight: this.inFlight,
        queued: this.queued,
      });
    }
    this.#dispatch();
    this.checkIdle();
  }

  #reclaim(permit: SemaphorePermit): boolean {
    if (this.#reclaimedRunning >= this.maxReclaimed) return false;
    this.#reclaimedRunning += 1;
    this.#reclaimedTotal += 1;
    permit.reclaimed = true;
    this.#available += 1;
    this.#dispatch();
    this.checkIdle();
    return true;
  }

  static {
    // Permits live outside the class; these let them reach its private release and reclaim, and nothing else can.
    releasePermit = (semaphore, permit) => semaphore.#release(permit);
    reclaimPermit = (semaphore, permit) => semaphore.#reclaim(permit);
  }

  #dispatch(): void {
    while (this.#available > 0) {
      const node = this.takeNext();
      if (node === undefined) return;
      this.#available -= 1;
      this.granted(node, new SemaphorePermit(this, this.clock.now()));
    }
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
    releasePermit(this.semaphore, this);
  }

  reclaim(): boolean {
    if (this.released || this.reclaimed) return true;
    return reclaimPermit(this.semaphore, this);
  }
}
