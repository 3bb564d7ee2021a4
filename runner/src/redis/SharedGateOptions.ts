import type { Clock } from '../Clock.js';

/**
 * What a shared gate does while Redis is unreachable:
 * - `'fail-closed'`: calls fail at once with `GateUnavailableError`, and waiters queued at that moment are
 *   rejected with it. Pick it when going over the upstream's quota costs more than failing the call.
 * - `'fail-open'`: calls go through a local gate holding this process's share of the limit
 *   (`localShare`), and waiters queued at that moment move to it. Pick it when the agent must keep working.
 *
 * Either way, when Redis is back, new calls use it again.
 */
export type RedisDownPolicy = 'fail-closed' | 'fail-open';

/** Options every shared gate has. */
export interface SharedGateOptions {
  /** What the gate does while Redis is unreachable. No default: choose it for each gate. */
  onRedisDown: RedisDownPolicy;
  /**
   * Most waiters allowed in the gate's queue across all processes; one more fails with `QueueFullError`
   * (at once when this process alone already has that many waiting, otherwise when Redis answers).
   * @defaultValue Infinity
   */
  maxQueue?: number;
  /**
   * Longest a waiter may queue before it fails with `QueueTimeoutError`, measured in this process.
   * @defaultValue Infinity (wait for as long as the caller's signal allows)
   */
  queueTimeoutMs?: number;
  /**
   * How many processes share the gate, to size the local share when failing open.
   * @defaultValue the number of processes that used the gate within its time to live, as last seen in
   * Redis (1 before Redis was ever reached)
   */
  expectedProcesses?: number;
  /**
   * How often a process with queued waiters asks Redis for their state, in case a grant message was lost
   * (grants normally arrive at once over pub/sub). Also bounds how long a waiter's place lives without it.
   * @defaultValue 1000
   */
  pollIntervalMs?: number;
  /**
   * Time source and timers for local waits (queue timeouts, polling). Leases and the token bucket always
   * run on Redis's clock (`TIME`).
   * @defaultValue the system clock
   */
  clock?: Clock;
}
