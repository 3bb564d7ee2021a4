import { systemClock, type Clock } from '../../Clock.js';
import { InvalidOptionError } from '../../errors/InvalidOptionError.js';
import { validateOption } from '../../validateOption.js';
import type { RedisDownPolicy, SharedGateOptions } from '../SharedGateOptions.js';

/** Common options after validation and defaults. */
export interface ResolvedSharedGateOptions {
  onRedisDown: RedisDownPolicy;
  maxQueue: number;
  queueTimeoutMs: number;
  expectedProcesses: number | undefined;
  pollIntervalMs: number;
  clock: Clock;
}

const POLICIES: readonly RedisDownPolicy[] = ['fail-closed', 'fail-open'];

/** Validates and completes the options every shared gate has; `at` names them in errors. */
export function resolveSharedGateOptions(at: string, options: Partial<SharedGateOptions>): ResolvedSharedGateOptions {
  const onRedisDown = options.onRedisDown;
  if (typeof onRedisDown !== 'string' || !POLICIES.includes(onRedisDown)) {
    throw new InvalidOptionError(`${at}.onRedisDown`, `one of ${POLICIES.map((p) => `'${p}'`).join(', ')}`, onRedisDown);
  }
  return {
    onRedisDown,
    maxQueue: validateOption.integerOrInfinity(`${at}.maxQueue`, options.maxQueue ?? Infinity, 0),
    queueTimeoutMs: validateOption.durationOrInfinity(`${at}.queueTimeoutMs`, options.queueTimeoutMs ?? Infinity),
    expectedProcesses:
      options.expectedProcesses === undefined ? undefined : validateOption.integer(`${at}.expectedProcesses`, options.expectedProcesses, 1),
    pollIntervalMs: validateOption.finite(`${at}.pollIntervalMs`, options.pollIntervalMs ?? 1000, 10),
    clock: options.clock ?? systemClock,
  };
}
