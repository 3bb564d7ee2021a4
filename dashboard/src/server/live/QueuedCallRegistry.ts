import type { DequeuedCall, QueuedCall } from '@overlap/shared';
import { validateOption } from '@overlap/shared';

/** Default of {@link QueuedCallRegistry}'s `maxCalls`. */
export const DEFAULT_MAX_QUEUED_CALLS = 20_000;

interface Held {
  readonly call: QueuedCall;
  /** The runner connection that announced it: only it may withdraw it, and its leaving withdraws it. */
  readonly owner: string;
}

/**
 * The calls runner processes have announced as waiting at a gate (`QueuedCall`), by trace, until each
 * leaves its queue or its runner disconnects. Not part of the trace store: a queued call is not a span,
 * is never exported, and disappears once the call's real spans exist. Bounded by `maxCalls` (a record
 * past it is refused and counted), so a runner with 100,000 queued calls cannot fill the server.
 *
 * @example
 * ```ts
 * const registry = new QueuedCallRegistry();
 * registry.add(socket.id, call);
 * registry.forTrace(call.traceId); // [call]
 * registry.remove(call.traceId, call.queueId, socket.id);
 * ```
 */
export class QueuedCallRegistry {
  readonly #byTrace = new Map<string, Map<string, Held>>();
  readonly #byOwner = new Map<string, Map<string, DequeuedCall>>();
  #size = 0;
  #refused = 0;
  /** Most calls held at once. */
  readonly maxCalls: number;

  constructor(maxCalls: number = DEFAULT_MAX_QUEUED_CALLS) {
    this.maxCalls = validateOption.integer('QueuedCallRegistry.maxCalls', maxCalls, 0);
  }

  /** Calls held. */
  get size(): number {
    return this.#size;
  }

  /** Calls refused because `maxCalls` were held. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Holds a call announced by `owner` (a call announced again, after a reconnection, replaces its
   * record). Returns false when it was refused: `maxCalls` are held.
   */
  add(owner: string, call: QueuedCall): boolean {
    let calls = this.#byTrace.get(call.traceId);
    const previous = calls?.get(call.queueId);
    if (previous === undefined && this.#size >= this.maxCalls) {
      this.#refused += 1;
      return false;
    }
    if (previous !== undefined) this.#forget(previous);
    if (calls === undefined) {
      calls = new Map();
      this.#byTrace.set(call.traceId, calls);
    }
    calls.set(call.queueId, { call, owner });
    let owned = this.#byOwner.get(owner);
    if (owned === undefined) {
      owned = new Map();
      this.#byOwner.set(owner, owned);
    }
    owned.set(ownerKey(call), { traceId: call.traceId, queueId: call.queueId });
    this.#size += 1;
    return true;
  }

  /** Withdraws a call `owner` announced; returns whether it was held (by that owner). */
  remove(traceId: string, queueId: string, owner: string): boolean {
    const held = this.#byTrace.get(traceId)?.get(queueId);
    if (held === undefined || held.owner !== owner) return false;
    this.#forget(held);
    return true;
  }

  /** Withdraws every call `owner` announced (its runner disconnected); returns them. */
  removeOwner(owner: string): DequeuedCall[] {
    const owned = this.#byOwner.get(owner);
    if (owned === undefined) return [];
    const removed = [...owned.values()];
    for (const { traceId, queueId } of removed) {
      const held = this.#byTrace.get(traceId)?.get(queueId);
      if (held !== undefined) this.#forget(held);
    }
    this.#byOwner.delete(owner);
    return removed;
  }

  /** The calls of a trace waiting now (a new array), in the order they were announced. */
  forTrace(traceId: string): QueuedCall[] {
    const calls = this.#byTrace.get(traceId);
    return calls === undefined ? [] : [...calls.values()].map((held) => held.call);
  }

  #forget(held: Held): void {
    const calls = this.#byTrace.get(held.call.traceId)!;
    calls.delete(held.call.queueId);
    if (calls.size === 0) this.#byTrace.delete(held.call.traceId);
    const owned = this.#byOwner.get(held.owner);
    owned?.delete(ownerKey(held.call));
    if (owned?.size === 0) this.#byOwner.delete(held.owner);
    this.#size -= 1;
  }
}

function ownerKey(call: DequeuedCall): string {
  return `${call.traceId}\u0000${call.queueId}`;
}
