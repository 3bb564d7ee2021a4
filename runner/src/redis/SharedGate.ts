import { QueueFullError } from '../errors/QueueFullError.js';
import { QueueTimeoutError } from '../errors/QueueTimeoutError.js';
import { GateBase, type Gate, type GateRejectEvent, type GateScope, type GateWaiter, type Permit } from '../gates/Gate.js';
import type { Clock, TimerHandle } from '../Clock.js';
import { TimeoutScheduler } from '../engine/TimeoutScheduler.js';
import { GateUnavailableError, type GateUnavailableReason } from './GateUnavailableError.js';
import type { ConnectionListener, GateScript, ScriptReply, SharedGateConnection } from './engine/SharedGateConnection.js';
import type { RedisDownPolicy, ResolvedSharedGateOptions } from './SharedGateOptions.js';
import { Ticket, type TicketState } from './engine/Ticket.js';

/**
 * How a shared gate serves calls now: through Redis (`shared`), through its local fallback while Redis is
 * down (`local`, failing open), not at all while Redis is down (`unavailable`, failing closed), or never
 * again (`closed`).
 */
export type SharedGateMode = 'shared' | 'local' | 'unavailable' | 'closed';

/** Status codes of the scripts' replies. */
const GRANTED = 1;
const QUEUE_FULL = 2;
const GONE = -1;
/** Where the per-waiter statuses start in a `sync` reply. */
const STATUSES_AT = 7;

/**
 * What every gate shared through Redis has: tickets for waiters, the `enter`/`leave` protocol of
 * {@link Gate} on top of Redis scripts, grants over pub/sub with polling as a fallback, queue limits and
 * timeouts, and the failure policy while Redis is down. {@link SharedSemaphore} and
 * {@link SharedRateLimiter} add what their permits mean.
 *
 * `enter` never returns a permit at once while Redis serves the gate: the answer needs a round trip, so
 * every call waits in the queue at least that long, and its queue span (kind `shared_semaphore` or
 * `shared_rate_limit`, `overlap.gate.scope = "shared"`) shows it.
 */
export abstract class SharedGate extends GateBase {
  override readonly scope: GateScope = 'shared';
  readonly onRedisDown: RedisDownPolicy;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly pollIntervalMs: number;
  protected readonly clock: Clock;
  protected readonly connection: SharedGateConnection;
  /** The gate's Redis keys, all in one hash slot. */
  protected readonly keys: readonly string[];
  /** Routes grant messages to this gate. */
  protected readonly gateId: string;
  readonly #expectedProcesses: number | undefined;
  readonly #scheduler: TimeoutScheduler;
  readonly #disposeListener: () => void;
  readonly #byWaiter = new Map<GateWaiter, Ticket>();
  /** Tickets still waiting, by id (the tail of their queue member). */
  readonly #byId = new Map<string, Ticket>();
  #queuedInRedis = 0;
  /** Queue members and leases to give back once Redis is reachable again. */
  #giveBackLater: string[] = [];
  #fallback: Gate | undefined;
  #fallbackInFlight = 0;
  #pollTimer: TimerHandle | undefined;
  #pollAt = Infinity;
  #syncing = false;
  #syncAgain = false;
  #syncAgainFull = false;
  /** Whether leases or waiters' places need renewing, and when they last were (all of them). */
  #renewing = false;
  #renewedAt = -Infinity;
  #closed = false;
  #seenCount = 0;
  #seenQueued = 0;
  #seenProcesses = 0;
  readonly #expire = (ticket: Ticket): void => this.#onQueueTimeout(ticket);

  protected constructor(name: string, kindKey: 's' | 'r', connection: SharedGateConnection, options: ResolvedSharedGateOptions) {
    super(name);
    this.onRedisDown = options.onRedisDown;
    this.maxQueue = options.maxQueue;
    this.queueTimeoutMs = options.queueTimeoutMs;
    this.pollIntervalMs = options.pollIntervalMs;
    this.clock = options.clock;
    this.#expectedProcesses = options.expectedProcesses;
    this.#scheduler = new TimeoutScheduler(this.clock);
    this.connection = connection;
    this.keys = connection.keysOf(kindKey, name);
    this.gateId = `${kindKey}:${name}`;
    const listener: ConnectionListener = {
      gateId: this.gateId,
      onUp: () => this.#onUp(),
      onDown: (error) => this.#onDown(error),
      onGrant: (member) => this.#onGrant(member),
      onResync: () => this.sync(true),
    };
    this.#disposeListener = connection.listen(listener);
  }

  /** Which script serves this kind of gate. */
  protected abstract readonly script: GateScript;
  /** The lease (semaphore) or waiter (rate limit) time to live, in ms. */
  protected abstract readonly ttlMs: number;
  /** The script's two gate parameters (`ARGV[6]`, `ARGV[7]`). */
  protected abstract scriptParams(): [string | number, string | number];
  /** Makes the permit for a grant from Redis (`member` is its lease or grant record). */
  protected abstract grantShared(member: string, grantedAt: number): Permit;
  /** Leases this process holds, renewed at each sync. */
  protected abstract heldMembers(): string[];
  /** How many leases this process holds. */
  protected abstract get heldCount(): number;
  /** Builds the local gate used while Redis is down, sized for `processes` sharing the limit. */
  protected abstract createFallback(processes: number): Gate;
  /** Forgets the permits held now and returns their leases to give back (on close). */
  protected abstract dropHeld(): string[];
  /** Shared state for `describe()`, such as `3/5 permits held, 2 queued across 4 processes`. */
  protected abstract describeShared(): string;

  /** Called when the gate starts failing open, with the fallback that now serves it. */
  protected onFailOpen(_fallback: Gate): void {}

  get queued(): number {
    return this.#byWaiter.size;
  }

  /** How the gate serves calls now. */
  get mode(): SharedGateMode {
    if (this.#closed) return 'closed';
    if (this.connection.state === 'down' || this.connection.state === 'closed') {
      return this.onRedisDown === 'fail-open' ? 'local' : 'unavailable';
    }
    return 'shared';
  }

  /** Waiters in the gate's queue across all processes, as Redis last said. */
  get sharedQueued(): number {
    return this.#seenQueued;
  }

  /** Processes that used the gate within its time to live, as Redis last said (0 before it answered). */
  get processes(): number {
    return this.#seenProcesses;
  }

  /** How many processes share the gate: `expectedProcesses`, or as last seen in Redis (at least 1). */
  protected get sharingProcesses(): number {
    return this.#expectedProcesses ?? Math.max(1, this.#seenProcesses);
  }

  /** The count in Redis's last answer: leases held (semaphore) or thousandths of a token (rate limit). */
  protected get seenCount(): number {
    return this.#seenCount;
  }

  /** Permits granted by the local fallback and not yet given back. */
  protected get fallbackInFlight(): number {
    return this.#fallbackInFlight;
  }

  /** The local fallback gate, if Redis was ever down while the gate failed open. */
  protected get fallback(): Gate | undefined {
    return this.#fallback;
  }

  override describe(): string {
    const here = `${this.name}: ${this.inFlight} running, ${this.queued} queued here`;
    switch (this.mode) {
      case 'shared':
        return `${here}; ${this.describeShared()}`;
      case 'local':
        return `${here}; Redis down, serving this process's share locally`;
      case 'unavailable':
        return `${here}; Redis down, failing closed`;
      case 'closed':
        return `${here}; closed`;
    }
  }

  enter(waiter: GateWaiter): Permit | undefined {
    if (this.#closed) throw new GateUnavailableError(this.name, 'closed');
    const state = this.connection.state;
    const down = state === 'down' || state === 'closed';
    if (down && this.onRedisDown === 'fail-closed') {
      throw new GateUnavailableError(this.name, 'redis_down', { cause: this.connection.lastError });
    }
    if (this.#byWaiter.size >= this.maxQueue) {
      this.#emitReject('queue_full');
      throw new QueueFullError(this.name, this.maxQueue, this.inFlight);
    }
    const ticket = new Ticket(this.connection.nextTicketId(), waiter, this.clock.now(), this.#expire);
    this.#byWaiter.set(waiter, ticket);
    this.#byId.set(ticket.id, ticket);
    if (down) {
      const permit = this.#toFallback(ticket, true);
      if (permit !== undefined) return permit;
    } else if (state === 'up') {
      this.#sendEnter(ticket);
    }
    if (this.queueTimeoutMs !== Infinity) ticket.timeout = this.#scheduler.schedule(this.queueTimeoutMs, ticket);
    return undefined;
  }

  leave(waiter: GateWaiter): boolean {
    const ticket = this.#byWaiter.get(waiter);
    if (ticket === undefined) return false;
    this.#withdraw(ticket);
    this.#emitReject('left');
    this.checkIdle();
    return true;
  }

  /**
   * Gives back every lease and queue place of this gate in Redis, rejects its waiters with
   * `GateUnavailableError` (`closed`), and stops its timers. Permits still held are forgotten: releasing
   * them later does nothing. Called by `SharedGates.close()`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearPoll();
    const members = this.#giveBackLater;
    this.#giveBackLater = [];
    const error = new GateUnavailableError(this.name, 'closed');
    for (const ticket of [...this.#byId.values()]) {
      if (ticket.state === 'queued') members.push(ticket.member!);
      this.#withdraw(ticket, false);
      ticket.waiter.reject(error);
    }
    members.push(...this.dropHeld());
    if (members.length > 0 && this.connection.state === 'up') {
      await this.#run('release', members).catch(() => undefined);
    }
    this.#disposeListener();
    this.checkIdle();
  }

  /**
   * Runs the `sync` script; at most one at a time. A full sync (every renewal interval, or `full`) renews
   * this process's leases and waiters' places and asks for its waiters' states; in between, when a token
   * or an expiring lease is due, a light one only lets Redis serve the queue's head.
   */
  protected sync(full = false): void {
    if (this.#closed || this.connection.state !== 'up') return;
    if (this.#syncing) {
      this.#syncAgain = true;
      this.#syncAgainFull ||= full;
      return;
    }
    const now = this.clock.now();
    const renew = full || now >= this.#renewedAt + this.#renewIntervalMs() - 1;
    const waiting: Ticket[] = [];
    let held: string[] = [];
    if (renew) {
      if (this.#queuedInRedis > 0) for (const ticket of this.#byId.values()) if (ticket.state === 'queued') waiting.push(ticket);
      held = this.heldMembers();
      if (waiting.length === 0 && held.length === 0) return;
      this.#renewedAt = now;
    } else if (this.#queuedInRedis === 0) {
      return;
    }
    const members = waiting.map((ticket) => ticket.member!);
    this.#syncing = true;
    this.#run('sync', [held.length, ...held, ...members])
      .then(
        (reply) => {
          this.#observe(reply);
          waiting.forEach((ticket, i) => {
            const status = reply[STATUSES_AT + i];
            if (ticket.state !== 'queued' || ticket.member !== members[i]) return;
            if (status === GRANTED) this.#grant(ticket, members[i]!);
            else if (status === GONE) this.#sendEnter(ticket);
          });
          this.#schedulePoll(reply[6]);
        },
        // Down: #onDown takes over. Any other error: the next poll tries again.
        () => undefined,
      )
      .finally(() => {
        this.#syncing = false;
        if (this.#syncAgain) {
          const again = this.#syncAgainFull;
          this.#syncAgain = false;
          this.#syncAgainFull = false;
          this.sync(again);
        } else {
          this.#schedulePoll(-1);
        }
      });
  }

  /** Gives leases or queue places back in Redis now, or once it is reachable again. */
  protected giveBack(members: string[]): void {
    if (members.length === 0) return;
    if (this.connection.state !== 'up') {
      this.#giveBackLater.push(...members);
      return;
    }
    this.#run('release', members).then(
      (reply) => {
        this.#observe(reply);
        this.#schedulePoll(reply[6]);
      },
      // The lease or place runs out by itself within its time to live.
      () => undefined,
    );
  }

  /** Emits a release event; subclasses call it when a permit comes back. */
  protected emitRelease(heldMs: number): void {
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({ gate: this.name, heldMs, inFlight: this.inFlight, queued: this.queued });
    }
  }

  /** Makes sure held leases get renewed (after a grant). */
  protected keepRenewing(): void {
    this.#schedulePoll(-1);
  }

  #run(op: 'enter' | 'release' | 'sync', args: ReadonlyArray<string | number>): Promise<ScriptReply> {
    const [p1, p2] = this.scriptParams();
    const connection = this.connection;
    return connection.run(this.script, this.keys, [op, connection.channelPrefix, this.gateId, connection.clientId, Math.ceil(this.ttlMs), p1, p2, ...args]);
  }

  #setState(ticket: Ticket, state: TicketState): void {
    if (ticket.state === 'queued') this.#queuedInRedis -= 1;
    if (state === 'queued') this.#queuedInRedis += 1;
    ticket.state = state;
  }

  #sendEnter(ticket: Ticket): void {
    this.#setState(ticket, 'entering');
    ticket.member = undefined;
    ticket.generation += 1;
    const generation = ticket.generation;
    const priority = Number.isFinite(ticket.waiter.priority) ? ticket.waiter.priority : 0;
    this.#run('enter', [ticket.id, priority, this.maxQueue === Infinity ? -1 : this.maxQueue]).then(
      (reply) => this.#onEntered(ticket, generation, reply),
      (error: unknown) => this.#onEnterFailed(ticket, generation, error),
    );
  }

  #onEntered(ticket: Ticket, generation: number, reply: ScriptReply): void {
    this.#observe(reply);
    const [code, member, , , , ahead, dueMs] = reply;
    if (ticket.generation !== generation || ticket.state !== 'entering') {
      // Too late: the waiter left, was granted through pub/sub, or moved to the local gate meanwhile.
      if (code !== QUEUE_FULL && member !== ticket.member) this.giveBack([member]);
      return;
    }
    if (code === GRANTED) {
      this.#grant(ticket, member);
      return;
    }
    if (code === QUEUE_FULL) {
      this.#remove(ticket, 'done');
      this.#emitReject('queue_full');
      ticket.waiter.reject(new QueueFullError(this.name, this.maxQueue, this.inFlight));
      this.checkIdle();
      return;
    }
    this.#setState(ticket, 'queued');
    ticket.member = member;
    if (this.queueEvents.hasListeners) {
      this.queueEvents.emit({ gate: this.name, ahead, inFlight: this.inFlight, queued: this.queued });
    }
    this.#schedulePoll(dueMs);
  }

  #onEnterFailed(ticket: Ticket, generation: number, error: unknown): void {
    if (ticket.generation !== generation) return;
    // Redis may have run the script without the answer getting here (a timeout, a lost connection):
    // give back whatever it made of this ticket, unless a grant message told us already.
    if (ticket.member === undefined) this.giveBack([`?${ticket.id}`]);
    // A lost connection is handled by #onDown, which already moved the ticket on.
    if (ticket.state !== 'entering') return;
    this.#unserved(ticket, this.connection.state === 'up' ? 'redis_error' : 'redis_down', error);
  }

  /** Redis cannot serve this waiter: fail it, or send it to the local gate. */
  #unserved(ticket: Ticket, reason: GateUnavailableReason, cause: unknown): void {
    if (this.onRedisDown === 'fail-open') {
      this.#toFallback(ticket, false);
      return;
    }
    this.#remove(ticket, 'done');
    ticket.waiter.reject(new GateUnavailableError(this.name, reason, { cause }));
    this.checkIdle();
  }

  #grant(ticket: Ticket, member: string): void {
    this.#remove(ticket, 'done');
    ticket.member = member;
    const now = this.clock.now();
    const permit = this.grantShared(member, now);
    if (this.acquireEvents.hasListeners) {
      this.acquireEvents.emit({ gate: this.name, waitMs: now - ticket.enqueuedAt, inFlight: this.inFlight, queued: this.queued });
    }
    ticket.waiter.grant(permit);
  }

  #onGrant(member: string): void {
    const ticket = this.#byId.get(member.slice(member.indexOf(':') + 1));
    // Unknown: granted already (this is a duplicate notice) or withdrawn (its give-back covers the grant).
    if (ticket === undefined) return;
    if (ticket.state === 'entering' || (ticket.state === 'queued' && ticket.member === member)) {
      this.#grant(ticket, member);
    } else {
      this.giveBack([member]);
    }
  }

  /** Takes a ticket out of the gate's books and sets its final state. */
  #remove(ticket: Ticket, state: TicketState): void {
    this.#byWaiter.delete(ticket.waiter);
    this.#byId.delete(ticket.id);
    if (ticket.timeout !== undefined) {
      this.#scheduler.cancel(ticket.timeout);
      ticket.timeout = undefined;
    }
    this.#setState(ticket, state);
  }

  /** A waiter leaves (abort, queue timeout, close): give back whatever Redis or the fallback holds for it. */
  #withdraw(ticket: Ticket, giveBack = true): void {
    const state = ticket.state;
    const member = ticket.member;
    // An `entering` ticket becomes `left`, and its answer is given back when it arrives.
    this.#remove(ticket, state === 'entering' ? 'left' : 'done');
    if (state === 'queued' && giveBack) this.giveBack([member!]);
    else if (state === 'fallback') this.#fallback?.leave(ticket.proxy!);
  }

  #onQueueTimeout(ticket: Ticket): void {
    if (this.#byId.get(ticket.id) !== ticket) return;
    this.#withdraw(ticket);
    this.#emitReject('queue_timeout');
    ticket.waiter.reject(new QueueTimeoutError(this.name, this.queueTimeoutMs, this.inFlight, Math.max(this.queued, this.#seenQueued)));
    this.checkIdle();
  }

  #observe(reply: ScriptReply): void {
    this.#seenCount = reply[2];
    this.#seenQueued = reply[3];
    if (reply[4] > 0) this.#seenProcesses = reply[4];
  }

  /** How often leases and waiters' places are renewed: a third of their TTL, and the poll interval while waiters queue. */
  #renewIntervalMs(): number {
    return this.#queuedInRedis > 0 ? Math.min(this.pollIntervalMs, this.ttlMs / 3) : this.ttlMs / 3;
  }

  /**
   * Sets the timer for the next sync: when the renewal interval is up, or sooner when Redis says a token
   * or an expiring lease is due while this process has waiters.
   */
  #schedulePoll(dueMs: number): void {
    if (this.#closed || this.connection.state !== 'up') return;
    const held = this.heldCount > 0;
    const queued = this.#queuedInRedis > 0;
    if (!held && !queued) {
      this.#clearPoll();
      this.#renewing = false;
      return;
    }
    const now = this.clock.now();
    if (!this.#renewing) {
      // Leases and places that just appeared are fresh: the first renewal is due an interval from now.
      this.#renewing = true;
      this.#renewedAt = now;
    }
    let delayMs = Math.max(0, this.#renewedAt + this.#renewIntervalMs() - now);
    if (queued && dueMs >= 0) delayMs = Math.min(delayMs, dueMs);
    const at = now + delayMs;
    if (this.#pollTimer !== undefined && this.#pollAt <= at) return;
    this.#clearPoll();
    this.#pollAt = at;
    this.#pollTimer = this.clock.setTimeout(() => {
      this.#pollTimer = undefined;
      this.#pollAt = Infinity;
      this.sync();
    }, delayMs);
    (this.#pollTimer as { unref?: () => void } | undefined)?.unref?.();
  }

  #clearPoll(): void {
    if (this.#pollTimer === undefined) return;
    this.clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#pollAt = Infinity;
  }

  #onUp(): void {
    if (this.#closed) return;
    const members = this.#giveBackLater;
    this.#giveBackLater = [];
    this.giveBack(members);
    for (const ticket of [...this.#byId.values()]) {
      if (ticket.state === 'pending') this.#sendEnter(ticket);
      else if (ticket.state === 'fallback' && this.#fallback?.leave(ticket.proxy!) === true) {
        // Back to the shared queue (at its end): the local share is for while Redis is down.
        ticket.proxy = undefined;
        this.#sendEnter(ticket);
      }
    }
    // Redis may have restarted and lost the leases: renew (re-create) them now.
    this.sync(true);
  }

  #onDown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#clearPoll();
    // Permits held now count against the local share first, so the process stays within it.
    if (this.onRedisDown === 'fail-open') this.onFailOpen(this.#ensureFallback());
    for (const ticket of [...this.#byId.values()]) {
      if (ticket.state === 'fallback') continue;
      if (ticket.state === 'queued') this.#giveBackLater.push(ticket.member!);
      this.#unserved(ticket, 'redis_down', error);
    }
  }

  #ensureFallback(): Gate {
    const current = this.#fallback;
    if (current !== undefined && (current.inFlight > 0 || current.queued > 0)) return current;
    this.#fallback = this.createFallback(this.sharingProcesses);
    return this.#fallback;
  }

  /** Sends a waiter to the local gate; with `direct`, returns a permit granted at once instead of granting it. */
  #toFallback(ticket: Ticket, direct: boolean): Permit | undefined {
    const fallback = this.#ensureFallback();
    this.#setState(ticket, 'fallback');
    ticket.member = undefined;
    const proxy: GateWaiter = {
      priority: ticket.waiter.priority,
      grant: (permit) => {
        if (ticket.state !== 'fallback' || ticket.proxy !== proxy) {
          permit.release();
          return;
        }
        ticket.waiter.grant(this.#grantFallback(ticket, permit));
      },
      reject: (error) => {
        if (ticket.state !== 'fallback' || ticket.proxy !== proxy) return;
        this.#remove(ticket, 'done');
        ticket.waiter.reject(error);
        this.checkIdle();
      },
    };
    ticket.proxy = proxy;
    const permit = fallback.enter(proxy);
    if (permit === undefined) {
      if (this.queueEvents.hasListeners) {
        this.queueEvents.emit({ gate: this.name, ahead: fallback.queued - 1, inFlight: this.inFlight, queued: this.queued });
      }
      return undefined;
    }
    const granted = this.#grantFallback(ticket, permit);
    if (direct) return granted;
    ticket.waiter.grant(granted);
    return undefined;
  }

  #grantFallback(ticket: Ticket, inner: Permit): Permit {
    this.#remove(ticket, 'done');
    this.#fallbackInFlight += 1;
    const grantedAt = this.clock.now();
    if (this.acquireEvents.hasListeners) {
      this.acquireEvents.emit({ gate: this.name, waitMs: grantedAt - ticket.enqueuedAt, inFlight: this.inFlight, queued: this.queued });
    }
    let released = false;
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      this.#fallbackInFlight -= 1;
    };
    return {
      release: () => {
        if (released) return;
        released = true;
        inner.release();
        const wasCounted = counted;
        uncount();
        if (wasCounted) this.emitRelease(this.clock.now() - grantedAt);
        this.checkIdle();
      },
      reclaim: () => {
        if (released || !counted) return true;
        if (!inner.reclaim()) return false;
        uncount();
        this.checkIdle();
        return true;
      },
    };
  }

  #emitReject(reason: GateRejectEvent['reason']): void {
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason, inFlight: this.inFlight, queued: this.queued });
    }
  }
}
