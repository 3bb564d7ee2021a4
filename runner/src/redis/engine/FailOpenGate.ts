import type { Clock } from '../../Clock.js';
import type { Gate, GateWaiter, Permit } from '../../gates/Gate.js';
import type { Ticket } from './Ticket.js';

/** What the fail-open decorator tells the shared gate it serves. */
export interface FailOpenHost {
  readonly clock: Clock;
  /** Takes a ticket out of the shared gate's books: its waiter is being granted or failed now. */
  settle(ticket: Ticket): void;
  /** Reports a grant as the shared gate's own acquire event. */
  emitAcquire(waitMs: number): void;
  /** Reports a waiter queued at the local gate as the shared gate's queue event. */
  emitQueue(ahead: number): void;
  /** Reports a permit given back as the shared gate's own release event. */
  emitRelease(heldMs: number): void;
  checkIdle(): void;
}

/**
 * Fail-open for a shared gate (`onRedisDown: 'fail-open'`): while Redis is down, its waiters pass a
 * local gate (a `Semaphore` or `RateLimiter` holding this process's share of the limit), and this
 * decorates that local gate so the shared gate stays one gate to its callers:
 *
 * - its waiters are proxies, so a grant that arrives after the waiter went back to Redis (it came back
 *   up) or left is given back at once, and a rejection reaches the waiter only while it still waits here;
 * - its permits are wrapped, so the shared gate counts them in its `inFlight` ({@link FailOpenGate.inFlight})
 *   and reports their acquire and release as its own events.
 *
 * The shared gate sends a ticket here with {@link FailOpenGate.enter} when Redis cannot serve it, and
 * takes it back with {@link FailOpenGate.leave}. A fail-closed gate has no such decorator: it rejects.
 */
export class FailOpenGate {
  readonly #host: FailOpenHost;
  readonly #createLocal: () => Gate;
  #local: Gate | undefined = undefined;
  #inFlight = 0;

  /** @param createLocal - builds a local gate sized to this process's share, as it stands when called */
  constructor(host: FailOpenHost, createLocal: () => Gate) {
    this.#host = host;
    this.#createLocal = createLocal;
  }

  /** Permits the local gate granted and the shared gate's callers have not given back. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * The local gate: the current one while it still serves someone, otherwise a fresh one sized to the
   * share as it stands now (the number of processes may have changed since Redis last went down).
   */
  local(): Gate {
    const current = this.#local;
    if (current !== undefined && (current.inFlight > 0 || current.queued > 0)) return current;
    this.#local = this.#createLocal();
    return this.#local;
  }

  /**
   * Sends a ticket (already in state `fallback`) to the local gate. A permit granted at once is returned
   * when `direct` (the shared gate's `enter` returns it), otherwise granted to the waiter; a ticket that
   * must wait stays queued at the local gate and the function returns undefined.
   */
  enter(ticket: Ticket, direct: boolean): Permit | undefined {
    const local = this.local();
    const proxy: GateWaiter = {
      priority: ticket.waiter.priority,
      grant: (permit) => {
        if (ticket.state !== 'fallback' || ticket.proxy !== proxy) {
          permit.release();
          return;
        }
        ticket.waiter.grant(this.#wrap(ticket, permit));
      },
      reject: (error) => {
        if (ticket.state !== 'fallback' || ticket.proxy !== proxy) return;
        this.#host.settle(ticket);
        ticket.waiter.reject(error);
        this.#host.checkIdle();
      },
    };
    ticket.proxy = proxy;
    const permit = local.enter(proxy);
    if (permit === undefined) {
      this.#host.emitQueue(local.queued - 1);
      return undefined;
    }
    const granted = this.#wrap(ticket, permit);
    if (direct) return granted;
    ticket.waiter.grant(granted);
    return undefined;
  }

  /** Withdraws a ticket waiting at the local gate; false when it is not waiting there (it was granted). */
  leave(ticket: Ticket): boolean {
    const proxy = ticket.proxy;
    if (proxy === undefined || this.#local === undefined) return false;
    return this.#local.leave(proxy);
  }

  /** A local permit as the shared gate's: counted in `inFlight`, its acquire and release reported as the shared gate's. */
  #wrap(ticket: Ticket, inner: Permit): Permit {
    const host = this.#host;
    host.settle(ticket);
    this.#inFlight += 1;
    const grantedAt = host.clock.now();
    host.emitAcquire(grantedAt - ticket.enqueuedAt);
    let released = false;
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      this.#inFlight -= 1;
    };
    return {
      release: () => {
        if (released) return;
        released = true;
        inner.release();
        const wasCounted = counted;
        uncount();
        if (wasCounted) host.emitRelease(host.clock.now() - grantedAt);
        host.checkIdle();
      },
      reclaim: () => {
        if (released || !counted) return true;
        if (!inner.reclaim()) return false;
        uncount();
        host.checkIdle();
        return true;
      },
    };
  }
}
