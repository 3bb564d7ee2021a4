import type { GateWaiter } from '../../gates/Gate.js';
import type { ScheduledTimeout, TimeoutTarget } from '../../engine/TimeoutScheduler.js';

/**
 * Where a waiter at a shared gate stands:
 * - `pending`: Redis is still connecting; the ticket is sent once it is up;
 * - `entering`: the `enter` script is on its way;
 * - `queued`: it has a place (`member`) in Redis's queue;
 * - `fallback`: Redis is down and the gate fails open, so it waits at the local gate;
 * - `left`: it left (abort, timeout) before Redis answered `enter`; the answer is given back;
 * - `done`: granted, rejected or withdrawn; late news about it is ignored or given back.
 */
export type TicketState = 'pending' | 'entering' | 'queued' | 'fallback' | 'left' | 'done';

/** One waiter's ticket at a shared gate. */
export class Ticket implements TimeoutTarget {
  state: TicketState = 'pending';
  /** Its queue member once Redis assigned one. */
  member: string | undefined = undefined;
  /** Bumped at each `enter` sent, so a late answer to an earlier one is recognised. */
  generation = 0;
  timeout: ScheduledTimeout | undefined = undefined;
  /** What stands for it at the local fallback gate. */
  proxy: GateWaiter | undefined = undefined;
  /**
   * Monotonic ms at which the last command that set its place's life in Redis was sent (its `enter`, or a
   * renewing `sync`): its place, and a lease granted from it, live their TTL from no earlier.
   */
  aliveFrom = 0;

  constructor(
    /** `{client id}:{n}`, the tail of its queue member. */
    readonly id: string,
    readonly waiter: GateWaiter,
    /** Monotonic ms at which it arrived. */
    readonly enqueuedAt: number,
    readonly expire: (ticket: Ticket) => void,
  ) {}

  onTimeout(): void {
    this.timeout = undefined;
    this.expire(this);
  }
}
