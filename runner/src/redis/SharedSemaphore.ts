import type { Gate, GateWaiter, Permit } from '../gates/Gate.js';
import { Semaphore } from '../gates/Semaphore.js';
import { validateOption } from '../validateOption.js';
import { SharedGate } from './SharedGate.js';
import type { SharedGateConnection } from './engine/SharedGateConnection.js';
import { resolveSharedGateOptions } from './engine/resolveSharedGateOptions.js';
import type { SharedGateOptions } from './SharedGateOptions.js';

/** Options of {@link SharedSemaphore}; every process using the same name must pass the same values. */
export interface SharedSemaphoreOptions extends SharedGateOptions {
  /** How many calls may hold a permit at once across all processes; an integer >= 1. */
  permits: number;
  /**
   * Life of a lease without renewal, in ms. A running call's lease is renewed every third of it, so a
   * process killed with SIGKILL gives its permits back within this time. Its queued waiters expire within
   * it too. A holder that sends nothing to Redis for over two thirds of it (a blocked event loop, a
   * stalled machine) may share its permit with another process until its call ends: see
   * {@link SharedSemaphore.lapsedLeases}.
   * @defaultValue 10000
   */
  leaseTtlMs?: number;
  /**
   * Permits this process may use while Redis is down and the gate fails open. Permits it still holds
   * count against it.
   * @defaultValue `ceil(permits / expectedProcesses)`
   */
  localShare?: number;
  /**
   * Most permits this process takes back from bodies that run on past their timeout (their lease is given
   * back in Redis at once) while those bodies still run. The decision is this process's own, made at
   * once: across `P` processes the upstream may see up to `permits + P × maxReclaimed` calls.
   * @defaultValue 1
   */
  maxReclaimed?: number;
}

let releasePermit: (semaphore: SharedSemaphore, permit: SharedSemaphorePermit) => void;
let reclaimPermit: (semaphore: SharedSemaphore, permit: SharedSemaphorePermit) => boolean;

/**
 * A counting semaphore shared by every process that uses the same Redis and name: at most `permits`
 * calls hold a permit at once across all of them, and the rest wait in one queue, served by priority,
 * then in arrival order whatever their process. A permit is a lease in Redis renewed while the call
 * runs, so a crashed process's permits come back within `leaseTtlMs`.
 *
 * Create it with {@link SharedGates.semaphore}; it is a {@link Gate} like `Semaphore`, so a tool switches
 * from one to the other by configuration.
 *
 * @example
 * ```ts
 * const shared = createSharedGates({ url: process.env.REDIS_URL });
 * // The model API allows 5 concurrent requests per account, whatever the number of workers.
 * const modelPool = shared.semaphore('model-api', { permits: 5, onRedisDown: 'fail-open' });
 * const callModel = defineTool({ name: 'call_model', input, gates: [modelPool], run: ... });
 * ```
 */
export class SharedSemaphore extends SharedGate {
  readonly kind = 'shared_semaphore';
  readonly holdsPermits = true;
  readonly permits: number;
  readonly leaseTtlMs: number;
  readonly maxReclaimed: number;
  /** @internal */
  protected readonly script = 'semaphore';
  readonly #localShare: number | undefined;
  readonly #held = new Map<string, SharedSemaphorePermit>();
  #reclaimedRunning = 0;
  #reclaimedTotal = 0;
  #lapsedLeases = 0;

  /** Use {@link SharedGates.semaphore}. */
  constructor(connection: SharedGateConnection, name: string, options: SharedSemaphoreOptions) {
    const at = 'SharedSemaphore';
    const o = validateOption.object(`${at} options`, options) as Partial<SharedSemaphoreOptions>;
    const gateName = validateOption.nonEmptyString(`${at}.name`, name);
    const common = resolveSharedGateOptions(at, o);
    const permits = validateOption.integer(`${at}.permits`, o.permits, 1);
    const leaseTtlMs = validateOption.finite(`${at}.leaseTtlMs`, o.leaseTtlMs ?? 10_000, 100);
    const localShare = o.localShare === undefined ? undefined : validateOption.integer(`${at}.localShare`, o.localShare, 1);
    const maxReclaimed = validateOption.integer(`${at}.maxReclaimed`, o.maxReclaimed ?? 1, 0);
    super(gateName, 's', connection, common, leaseTtlMs);
    this.permits = permits;
    this.leaseTtlMs = leaseTtlMs;
    this.#localShare = localShare;
    this.maxReclaimed = maxReclaimed;
  }

  /** Permits held by this process (through Redis, or through the local share while Redis is down). */
  get inFlight(): number {
    return this.#held.size + this.fallbackInFlight;
  }

  /** Leases held across all processes, as Redis last said. */
  get sharedInFlight(): number {
    return this.seenCount;
  }

  /** Bodies of this process whose permit was taken back while they still run. */
  get reclaimedRunning(): number {
    return this.#reclaimedRunning;
  }

  /** Permits this process took back from bodies past their timeout, since creation. */
  get reclaimedTotal(): number {
    return this.#reclaimedTotal;
  }

  /**
   * Leases of this process found lapsed when it renewed them, since creation: the process could not renew
   * them for longer than `leaseTtlMs` (its event loop or machine stalled, Redis was out of reach or
   * restarted), so another process may have been granted those permits while these calls still ran. The
   * renewal re-creates them, so the gate grants no more until they end. See "What bounds two holders of
   * one permit" in the shared gates guide.
   */
  get lapsedLeases(): number {
    return this.#lapsedLeases;
  }

  /** Permits this process would use if Redis went down now and the gate failed open. */
  get localShare(): number {
    return this.#shareFor(this.sharingProcesses);
  }

  /** @internal */
  protected get heldCount(): number {
    return this.#held.size;
  }

  /** @internal */
  protected scriptParams(): [number, number] {
    return [this.permits, 0];
  }

  /** @internal */
  protected grantShared(member: string, grantedAt: number): Permit {
    const permit = new SharedSemaphorePermit(this, member, grantedAt);
    this.#held.set(member, permit);
    return permit;
  }

  /** @internal */
  protected heldMembers(): string[] {
    return [...this.#held.keys()];
  }

  /** @internal */
  protected override onLapsed(count: number): void {
    this.#lapsedLeases += count;
  }

  /** @internal */
  protected createFallback(processes: number): Gate {
    return new Semaphore({ name: this.name, permits: this.#shareFor(processes), maxReclaimed: this.maxReclaimed, clock: this.clock });
  }

  /** The permits held when Redis goes down take local permits first, so the process keeps to its share. @internal */
  protected override onFailOpen(fallback: Gate): void {
    for (const permit of this.#held.values()) {
      if (permit.adopted !== undefined) continue;
      const holder: GateWaiter = { priority: Infinity, grant: (p) => p.release(), reject: () => undefined };
      const local = fallback.enter(holder);
      if (local === undefined) fallback.leave(holder);
      else permit.adopted = local;
    }
  }

  /** @internal */
  protected dropHeld(): string[] {
    const members = [...this.#held.keys()];
    for (const permit of this.#held.values()) permit.adopted?.release();
    this.#held.clear();
    return members;
  }

  /** @internal */
  protected describeShared(): string {
    return `${this.sharedInFlight}/${this.permits} permits held, ${this.sharedQueued} queued across ${this.processes} process(es)`;
  }

  #release(permit: SharedSemaphorePermit): void {
    if (permit.reclaimed) {
      this.#reclaimedRunning -= 1;
      return;
    }
    if (this.#held.get(permit.member) !== permit) return;
    this.#held.delete(permit.member);
    permit.adopted?.release();
    this.giveBack([permit.member]);
    this.emitRelease(this.clock.now() - permit.grantedAt);
    this.checkIdle();
  }

  #reclaim(permit: SharedSemaphorePermit): boolean {
    if (this.#held.get(permit.member) !== permit) return true;
    if (this.#reclaimedRunning >= this.maxReclaimed) return false;
    this.#held.delete(permit.member);
    this.#reclaimedRunning += 1;
    this.#reclaimedTotal += 1;
    permit.reclaimed = true;
    permit.adopted?.release();
    this.giveBack([permit.member]);
    this.checkIdle();
    return true;
  }

  static {
    // Permits live outside the class; these let them reach its private release and reclaim, and nothing else can.
    releasePermit = (semaphore, permit) => semaphore.#release(permit);
    reclaimPermit = (semaphore, permit) => semaphore.#reclaim(permit);
  }

  #shareFor(processes: number): number {
    return this.#localShare ?? Math.ceil(this.permits / Math.max(1, processes));
  }
}

class SharedSemaphorePermit implements Permit {
  released = false;
  reclaimed = false;
  /** The local permit it took when the gate started failing open. */
  adopted: Permit | undefined = undefined;

  constructor(
    readonly semaphore: SharedSemaphore,
    /** Its lease in Redis. */
    readonly member: string,
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
