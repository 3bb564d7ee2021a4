/**
 * `@overlap/runner/redis`: gates shared across processes through Redis. A shared semaphore and a shared
 * token bucket implement the same `Gate` interface as `Semaphore` and `RateLimiter`, so a tool switches
 * from a local gate to a shared one by configuration. Needs the `ioredis` peer dependency; the core
 * entry point never loads it.
 *
 * @packageDocumentation
 */
export { createSharedGates } from './createSharedGates.js';
export type { SharedGates, SharedGatesOptions } from './createSharedGates.js';
export { SharedGate } from './SharedGate.js';
export type { SharedGateMode } from './SharedGate.js';
export type { ConnectionState } from './ConnectionState.js';
export type { RedisDownPolicy, SharedGateOptions } from './SharedGateOptions.js';
export { SharedSemaphore } from './SharedSemaphore.js';
export type { SharedSemaphoreOptions } from './SharedSemaphore.js';
export { SharedRateLimiter } from './SharedRateLimiter.js';
export type { SharedRateLimiterOptions } from './SharedRateLimiter.js';
export { GateUnavailableError, isGateUnavailableError } from './GateUnavailableError.js';
export type { GateUnavailableReason } from './GateUnavailableError.js';
