import type { Clock } from '../Clock.js';
import { TimeoutScheduler } from '../engine/TimeoutScheduler.js';
import { QueueFullError } from '../errors/QueueFullError.js';
import { QueueTimeoutError } from '../errors/QueueTimeoutError.js';
import { GateBase, type Gate, type GateRejectEvent, type GateScope, type GateWaiter, type Permit } from '../gates/Gate.js';
import { FailOpenGate } from './engine/FailOpenGate.js';
import { LeaseRenewal } from './engine/LeaseRenewal.js';
import type { ResolvedSharedGateOptions } from './engine/resolveSharedGateOptions.js';
import { decodeEnterReply, decodeReleaseReply, decodeSyncReply, type EnterReply, type GateState } from './engine/scriptReply.js';
import type { ConnectionListener, GateScript, SharedGateConnection } from './engine/SharedGateConnection.js';
import { Ticket, type TicketState } from './engine/Ticket.js';
import { GateUnavailableError, type GateUnavailableReason } from './GateUnavailableError.js';
import type { RedisDownPolicy } from './SharedGateOptions.js';

/**
 * How a shared gate serves calls now: through Redis (`shared`), through its local fallback while Redis is
 * down (`local`, failing open), not at all while Redis is down (`unavailable`, failing closed), or never
 * again (`closed`).
 */
export type SharedGateMode = 'shared' | 'local' | 'unavailable' | 'closed';

/**
 * What every gate shared through Redis has: tickets for waiters, the `enter`/`leave` protocol of
 * {@link Gate} on top of Redis scripts, grants over pub/sub with polling as a fallback, queue limits and
 * timeouts, and the failure policy while Redis is down. {@link SharedSemaphore} and
 * {@link SharedRateLimiter} add what their permits mean.
 *
 * Its parts, each in its own module under `redis/engine/`: the scripts' replies are read by typed
 * decoders (`scriptReply.ts`), leases and waiters' places are renewed on one timer (`LeaseRenewal.ts`),
 * and failing open is a decorator over a local gate (`FailOpenGate.ts`); this class keeps the waiters'
 * tickets and the protocol that ties them together.
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
  /** @internal */
  protected readonly clock: Clock;
  /** @internal */
  protected readonly connection: SharedGateConnection;
  readonly #keys: readonly string[];
  /** Routes grant messages to this gate. */
  readonly #gateId: string;
  readonly #ttlMs: number;
  readonly #expectedProcesses: number | undefined;
  readonly #scheduler: TimeoutScheduler;
  readonly #renewal: LeaseRenewal;
  readonly #failOpen: FailOpenGate | undefined;
  readonly #disposeListener: () => void;
  readonly #byWaiter = new Map<GateWaiter, Ticket>();
  /** Tickets still waiting, by id (the tail of their queue member). */
  readonly #byId = new Map<string, Ticket>();
  #queuedInRedis = 0;
  /** Queue members and leases to give back once Redis is reachable again. */
  #giveBackLater: string[] = [];
  #syncing = false;
  #syncAgain = false;
  #syncAgainFull = false;
  #closed = false;
  #seenCount = 0;
  #seenQueued = 0;
  #seenProcesses = 0;
  readonly #expire = (ticket: Ticket): void => this.#onQueueTimeout(ticket);

  /**
   * @param ttlMs - the lease (semaphore) or waiter (rate limit) time to live
   * @internal
   */
  protected constructor(
    name: string,
    kindKey: 's' | 'r',
    connection: SharedGateConnection,
    options: ResolvedSharedGateOptions,
    ttlMs: number,
  ) {
    super(name);
    this.onRedisDown = options.onRedisDown;
    this.maxQueue = options.maxQueue;
    this.queueTimeoutMs = options.queueTimeoutMs;
    this.pollIntervalMs = options.pollIntervalMs;
    this.clock = options.clock;
    this.#ttlMs = ttlMs;
    this.#expectedProcesses = options.expectedProcesses;
    this.#scheduler = new TimeoutScheduler(this.clock);
    this.#renewal = new LeaseRenewal(this.clock, ttlMs, options.pollIntervalMs, (renew) => this.sync(renew));
    this.#failOpen =
      options.onRedisDown === 'fail-open'
        ? new FailOpenGate(
            {
              clock: this.clock,
              settle: (ticket) => this.#remove(ticket, 'done'),
              emitAcquire: (waitMs) => this.#emitAcquire(waitMs),
              emitQueue: (ahead) => this.#emitQueue(ahead),
              emitRelease: (heldMs) => this.emitRelease(heldMs),
              checkIdle: () => this.checkIdle(),
            },
            () => this.createFallback(this.sharingProcesses),
          )
        : undefined;
    this.connection = connection;
    this.#keys = connection.keysOf(kindKey, name);
    this.#gateId = `${kindKey}:${name}`;
    const listener: ConnectionListener = {
      gateId: this.#gateId,
      onUp: () => this.#onUp(),
      onDown: (error) => this.#onDown(error),
      onGrant: (member) => this.#onGrant(member),
      onResync: () => this.sync(true),
    };
    this.#disposeListener = connection.listen(listener);
  }

  /** Which script serves this kind of gate. @internal */
  protected abstract readonly script: GateScript;
  /** The script's two gate parameters (`ARGV[6]`, `ARGV[7]`). @internal */
  protected abstract scriptParams(): [string | number, string | number];
  /** Makes the permit for a grant from Redis (`member` is its lease or grant record). @internal */
  protected abstract grantShared(member: string, grantedAt: number): Permit;
  /** Leases this process holds, renewed at each sync. @internal */
  protected abstract heldMembers(): string[];
  /** How many leases this process holds. @internal */
  protected abstract get heldCount(): number;
  /** Builds the local gate used while Redis is down, sized for `processes` sharing the limit. @internal */
  protected abstract createFallback(processes: number): Gate;
  /** Forgets the permits held now and returns their leases to give back (on close). @internal */
  protected abstract dropHeld(): string[];
  /** Shared state for `describe()`, such as `3/5 permits held, 2 queued across 4 processes`. @internal */
  protected abstract describeShared(): string;

  /** Called when the gate starts failing open, with the local gate that now serves it. @internal */
  protected onFailOpen(_local: Gate): void {}

  /** Called when a renewal found `count` of this process's leases had lapsed (run out or lost). @internal */
  protected onLapsed(_count: number): void {}

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

  /** How many processes share the gate: `expectedProcesses`, or as last seen in Redis (at least 1). @internal */
  protected get sharingProcesses(): number {
    return this.#expectedProcesses ?? Math.max(1, this.#seenProcesses);
  }

  /** The count in Redis's last answer: leases held (semaphore) or thousandths of a token (rate limit). @internal */
  protected get seenCount(): number {
    return this.#seenCount;
  }

  /** Permits granted by the local fallback and not yet given back. @internal */
  protected get fallbackInFlight(): number {
    return this.#failOpen?.inFlight ?? 0;
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
    if (down && this.#failOpen === undefined) {
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
    this.#renewal.stop();
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
   * Runs the `sync` script; at most one at a time. A full sync (a renewal, or `full`) renews this
   * process's leases and waiters' places and asks for its waiters' states; a light one (when a token or
   * an expiring lease is due) only lets Redis serve the queue's head. Whatever it decides, while leases
   * are held or waiters queue, a renewal timer is set or a sync is on its way.
   *
   * @internal
   */
  protected sync(full = false): void {
    if (this.#closed || this.connection.state !== 'up') return;
    if (this.#syncing) {
      this.#syncAgain = true;
      this.#syncAgainFull ||= full;
      return;
    }
    const now = this.clock.now();
    const renew = full || this.#renewal.isDue(now, this.#queuedInRedis > 0);
    const waiting: Ticket[] = [];
    let held: string[] = [];
    if (renew) {
      if (this.#queuedInRedis > 0) for (const ticket of this.#byId.values()) if (ticket.state === 'queued') waiting.push(ticket);
      held = this.heldMembers();
      if (waiting.length === 0 && held.length === 0) return;
      this.#renewal.renewed(now);
      for (const ticket of waiting) ticket.aliveFrom = now;
    } else if (this.#queuedInRedis === 0) {
      this.#scheduleRenewal(-1);
      return;
    }
    const members = waiting.map((ticket) => ticket.member!);
    this.#syncing = true;
    this.#run('sync', [held.length, ...held, ...members])
      .then(
        (raw) => {
          const reply = decodeSyncReply(raw, members.length);
          this.#observe(reply);
          if (reply.lapsed > 0) this.onLapsed(reply.lapsed);
          waiting.forEach((ticket, i) => {
            if (ticket.state !== 'queued' || ticket.member !== members[i]) return;
            const status = reply.waiters[i];
            if (status === 'granted') this.#grant(ticket, members[i]!);
            else if (status === 'gone') this.#sendEnter(ticket);
          });
          this.#scheduleRenewal(reply.dueMs);
        },
        // Down: #onDown takes over. Any other error: the next renewal tries again.
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
          this.#scheduleRenewal(-1);
        }
      });
  }

  /** Gives leases or queue places back in Redis now, or once it is reachable again. @internal */
  protected giveBack(members: string[]): void {
    if (members.length === 0) return;
    if (this.connection.state !== 'up') {
      this.#giveBackLater.push(...members);
      return;
    }
    this.#run('release', members).then(
      (raw) => {
        const reply = decodeReleaseReply(raw);
        this.#observe(reply);
        this.#scheduleRenewal(reply.dueMs);
      },
      // The lease or place runs out by itself within its time to live.
      () => undefined,
    );
  }

  /** Emits a release event; subclasses call it when a permit comes back. @internal */
  protected emitRelease(heldMs: number): void {
    if (this.releaseEvents.hasListeners) {
      this.releaseEvents.emit({ gate: this.name, heldMs, inFlight: this.inFlight, queued: this.queued });
    }
  }

  #run(op: 'enter' | 'release' | 'sync', args: ReadonlyArray<string | number>): Promise<unknown> {
    const [p1, p2] = this.scriptParams();
    const connection = this.connection;
    return connection.run(this.script, this.#keys, [op, connection.channelPrefix, this.#gateId, connection.clientId, Math.ceil(this.#ttlMs), p1, p2, ...args]);
  }

  #scheduleRenewal(dueMs: number): void {
    if (this.#closed || this.connection.state !== 'up') return;
    this.#renewal.schedule(this.heldCount > 0, this.#queuedInRedis > 0, dueMs);
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
    ticket.aliveFrom = this.clock.now();
    const generation = ticket.generation;
    const priority = Number.isFinite(ticket.waiter.priority) ? ticket.waiter.priority : 0;
    this.#run('enter', [ticket.id, priority, this.maxQueue === Infinity ? -1 : this.maxQueue]).then(
      (raw) => this.#onEntered(ticket, generation, decodeEnterReply(raw)),
      (error: unknown) => this.#onEnterFailed(ticket, generation, error),
    );
  }

  #onEntered(ticket: Ticket, generation: number, reply: EnterReply): void {
    this.#observe(reply);
    if (ticket.generation !== generation || ticket.state !== 'entering') {
      // Too late: the waiter left, was granted through pub/sub, or moved to the local gate meanwhile.
      if (reply.status !== 'queue_full' && reply.member !== ticket.member) this.giveBack([reply.member]);
      return;
    }
    if (reply.status === 'granted') {
      this.#grant(ticket, reply.member);
      return;
    }
    if (reply.status === 'queue_full') {
      this.#remove(ticket, 'done');
      this.#emitReject('queue_full');
      ticket.waiter.reject(new QueueFullError(this.name, this.maxQueue, this.inFlight));
      this.checkIdle();
      return;
    }
    this.#setState(ticket, 'queued');
    ticket.member = reply.member;
    this.#emitQueue(reply.ahead);
    this.#renewal.startFrom(ticket.aliveFrom);
    this.#scheduleRenewal(reply.dueMs);
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
    if (this.#failOpen !== undefined) {
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
    // A lease lives its TTL from when the command that made it (or renewed the place it came from) was sent.
    this.#renewal.startFrom(ticket.aliveFrom);
    this.#scheduleRenewal(-1);
    this.#emitAcquire(now - ticket.enqueuedAt);
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
    else if (state === 'fallback') this.#failOpen?.leave(ticket);
  }

  #onQueueTimeout(ticket: Ticket): void {
    if (this.#byId.get(ticket.id) !== ticket) return;
    this.#withdraw(ticket);
    this.#emitReject('queue_timeout');
    ticket.waiter.reject(new QueueTimeoutError(this.name, this.queueTimeoutMs, this.inFlight, Math.max(this.queued, this.#seenQueued)));
    this.checkIdle();
  }

  #observe(state: GateState): void {
    this.#seenCount = state.count;
    this.#seenQueued = state.queued;
    if (state.processes > 0) this.#seenProcesses = state.processes;
  }

  #onUp(): void {
    if (this.#closed) return;
    const members = this.#giveBackLater;
    this.#giveBackLater = [];
    this.giveBack(members);
    for (const ticket of [...this.#byId.values()]) {
      if (ticket.state === 'pending') this.#sendEnter(ticket);
      else if (ticket.state === 'fallback' && this.#failOpen?.leave(ticket) === true) {
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
    this.#renewal.stop();
    // Permits held now count against the local share first, so the process stays within it.
    if (this.#failOpen !== undefined) this.onFailOpen(this.#failOpen.local());
    for (const ticket of [...this.#byId.values()]) {
      if (ticket.state === 'fallback') continue;
      if (ticket.state === 'queued') this.#giveBackLater.push(ticket.member!);
      this.#unserved(ticket, 'redis_down', error);
    }
  }

  /** Sends a waiter to the local gate; with `direct`, returns a permit granted at once instead of granting it. */
  #toFallback(ticket: Ticket, direct: boolean): Permit | undefined {
    this.#setState(ticket, 'fallback');
    ticket.member = undefined;
    return this.#failOpen!.enter(ticket, direct);
  }

  #emitAcquire(waitMs: number): void {
    if (this.acquireEvents.hasListeners) {
      this.acquireEvents.emit({ gate: this.name, waitMs, inFlight: this.inFlight, queued: this.queued });
    }
  }

  #emitQueue(ahead: number): void {
    if (this.queueEvents.hasListeners) {
      this.queueEvents.emit({ gate: this.name, ahead, inFlight: this.inFlight, queued: this.queued });
    }
  }

  #emitReject(reason: GateRejectEvent['reason']): void {
    if (this.rejectEvents.hasListeners) {
      this.rejectEvents.emit({ gate: this.name, reason, inFlight: this.inFlight, queued: this.queued });
    }
  }
}
