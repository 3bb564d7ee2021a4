/**
 * Typed readers of the shared gate scripts' replies. Both scripts answer every operation with one flat
 * array, `{code, member, count, queued, processes, slot5, dueMs, statuses...}` (see `semaphoreScript.ts`);
 * these functions check its shape once and name each field, so the gate never reads `reply[6]`.
 */

/** What Redis says about the gate as a whole, in every reply. */
export interface GateState {
  /** Leases held across all processes (semaphore), or thousandths of a token in the bucket (rate limit). */
  readonly count: number;
  /** Waiters in the gate's queue across all processes. */
  readonly queued: number;
  /** Processes that used the gate within its time to live; 0 when the operation does not count them. */
  readonly processes: number;
  /**
   * Milliseconds until the next token is due or the earliest lease runs out, when waiters queue for it;
   * -1 when nothing is due.
   */
  readonly dueMs: number;
}

/** The answer to `enter`. */
export interface EnterReply extends GateState {
  /** `granted` at once, `queued`, or turned away because the queue is full. */
  readonly status: 'granted' | 'queued' | 'queue_full';
  /** The waiter's member: its lease or grant when granted, its place when queued. */
  readonly member: string;
  /** Waiters ahead of it when it queued. */
  readonly ahead: number;
}

/** Where one waiter named in a `sync` stands. */
export type WaiterStatus = 'granted' | 'queued' | 'gone';

/** The answer to `sync`. */
export interface SyncReply extends GateState {
  /** One per waiter named in the `sync`, in order. */
  readonly waiters: readonly WaiterStatus[];
  /** Held leases that had run out (or were missing) when this `sync` renewed them. */
  readonly lapsed: number;
}

/** A reply that is not what the scripts send: a bug, or a Redis that is not running these scripts. */
export class ScriptReplyError extends Error {
  constructor(
    readonly operation: string,
    readonly reply: unknown,
  ) {
    super(`unexpected reply from a shared gate script (${operation}): ${JSON.stringify(reply)}`);
    this.name = 'ScriptReplyError';
  }
}

const ENTER_STATUS = { 1: 'granted', 0: 'queued', 2: 'queue_full' } as const;
const WAITER_STATUS = { 1: 'granted', 0: 'queued', '-1': 'gone' } as const;

function fields(operation: string, raw: unknown, length: number): unknown[] {
  if (!Array.isArray(raw) || raw.length < length) throw new ScriptReplyError(operation, raw);
  return raw;
}

function integer(operation: string, raw: unknown, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ScriptReplyError(operation, raw);
  return n;
}

function stateOf(operation: string, raw: unknown, reply: unknown[]): GateState {
  return {
    count: integer(operation, raw, reply[2]),
    queued: integer(operation, raw, reply[3]),
    processes: integer(operation, raw, reply[4]),
    dueMs: integer(operation, raw, reply[6]),
  };
}

/** Reads the reply to `enter`. */
export function decodeEnterReply(raw: unknown): EnterReply {
  const reply = fields('enter', raw, 7);
  const status = ENTER_STATUS[integer('enter', raw, reply[0]) as keyof typeof ENTER_STATUS];
  if (status === undefined || typeof reply[1] !== 'string' || reply[1] === '') throw new ScriptReplyError('enter', raw);
  return { ...stateOf('enter', raw, reply), status, member: reply[1], ahead: integer('enter', raw, reply[5]) };
}

/** Reads the reply to `sync` that named `waiterCount` waiters. */
export function decodeSyncReply(raw: unknown, waiterCount: number): SyncReply {
  const reply = fields('sync', raw, 7 + waiterCount);
  const waiters = reply.slice(7, 7 + waiterCount).map((value) => {
    const status = WAITER_STATUS[String(integer('sync', raw, value)) as keyof typeof WAITER_STATUS];
    if (status === undefined) throw new ScriptReplyError('sync', raw);
    return status;
  });
  return { ...stateOf('sync', raw, reply), waiters, lapsed: integer('sync', raw, reply[5]) };
}

/** Reads the reply to `release`. */
export function decodeReleaseReply(raw: unknown): GateState {
  return stateOf('release', raw, fields('release', raw, 7));
}
