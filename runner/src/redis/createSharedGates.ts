import type { RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { validateOption } from '../validateOption.js';
import { GateUnavailableError } from './GateUnavailableError.js';
import type { SharedGate } from './SharedGate.js';
import type { ConnectionState } from './ConnectionState.js';
import { SharedGateConnection } from './engine/SharedGateConnection.js';
import { SharedRateLimiter, type SharedRateLimiterOptions } from './SharedRateLimiter.js';
import { SharedSemaphore, type SharedSemaphoreOptions } from './SharedSemaphore.js';

/** Options of {@link createSharedGates}. */
export interface SharedGatesOptions {
  /**
   * The Redis server: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS.
   * @defaultValue `process.env.REDIS_URL`, else `redis://127.0.0.1:6379`
   */
  url?: string;
  /**
   * Prefix of every key and channel the gates use. Processes share a gate when they use the same Redis,
   * prefix and gate name.
   * @defaultValue `'overlap:'`
   */
  keyPrefix?: string;
  /**
   * ioredis options, merged over these defaults, which make a lost Redis show at once rather than hang:
   * `maxRetriesPerRequest: 0` and `enableOfflineQueue: false` (commands fail at once while disconnected),
   * `commandTimeout: 2000` (a hung server counts as down for that call), and a `retryStrategy` that
   * reconnects after 100, 200, 400... ms, at most 1 s apart.
   * @defaultValue the defaults above
   */
  redis?: RedisOptions;
}

/**
 * Gates shared across processes through one Redis connection (plus one for pub/sub).
 */
export interface SharedGates {
  /** A semaphore of `options.permits` shared by every process using this Redis, prefix and `name`. */
  semaphore(name: string, options: SharedSemaphoreOptions): SharedSemaphore;
  /** A token bucket shared by every process using this Redis, prefix and `name`. */
  rateLimiter(name: string, options: SharedRateLimiterOptions): SharedRateLimiter;
  /** The connection: `connecting`, `up`, `down` (reconnecting) or `closed`. */
  readonly state: ConnectionState;
  /** This process's id in Redis (in queue members and its grant channel's name). */
  readonly clientId: string;
  /**
   * Resolves when Redis is reachable (at once if it is). Calls made before that wait for it, unless the
   * first attempt to connect fails, which applies each gate's `onRedisDown`.
   */
  ready(options?: { signal?: AbortSignal }): Promise<void>;
  /** Resolves when every Redis command sent so far (releases and departures included) has been answered. */
  flush(): Promise<void>;
  /**
   * Gives back every permit and queue place the gates hold in Redis, rejects their waiters with
   * `GateUnavailableError` (`closed`), and closes the connections. Call it when the process is done.
   */
  close(): Promise<void>;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/**
 * Connects to Redis and returns a factory of gates shared across processes: where every worker of an
 * agent calls the same upstream, they share its quota instead of each taking all of it.
 *
 * @example
 * ```ts
 * import { defineTool } from '@overlap/runner';
 * import { createSharedGates } from '@overlap/runner/redis';
 *
 * const shared = createSharedGates({ url: process.env.REDIS_URL });
 * const modelPool = shared.semaphore('model-api', { permits: 5, onRedisDown: 'fail-open' });
 * const modelRate = shared.rateLimiter('model-api', { limit: 20, burst: 5, onRedisDown: 'fail-open' });
 * const callModel = defineTool({ name: 'call_model', input, gates: [modelPool, modelRate], run: ... });
 * // ... run the agent ...
 * await shared.close();
 * ```
 */
export function createSharedGates(options: SharedGatesOptions = {}): SharedGates {
  const o = validateOption.object('createSharedGates options', options) as SharedGatesOptions;
  const url = o.url ?? process.env['REDIS_URL'] ?? DEFAULT_URL;
  if (typeof url !== 'string' || !/^rediss?:\/\/./.test(url)) {
    throw new InvalidOptionError('createSharedGates.url', 'a redis:// or rediss:// URL', url);
  }
  const keyPrefix = o.keyPrefix === undefined ? 'overlap:' : validateOption.nonEmptyString('createSharedGates.keyPrefix', o.keyPrefix);
  const redisOptions = o.redis === undefined ? {} : (validateOption.object('createSharedGates.redis', o.redis) as RedisOptions);
  const connection = new SharedGateConnection(url, keyPrefix, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    commandTimeout: 2000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    ...redisOptions,
  });
  const gates = new Set<SharedGate>();
  let closing: Promise<void> | undefined;
  const create = <G extends SharedGate>(name: string, make: () => G): G => {
    if (closing !== undefined) throw new GateUnavailableError(String(name), 'closed');
    const gate = make();
    gates.add(gate);
    return gate;
  };
  return {
    semaphore: (name, semaphoreOptions) => create(name, () => new SharedSemaphore(connection, name, semaphoreOptions)),
    rateLimiter: (name, rateOptions) => create(name, () => new SharedRateLimiter(connection, name, rateOptions)),
    get state() {
      return connection.state;
    },
    clientId: connection.clientId,
    ready: (readyOptions = {}) => connection.ready(readyOptions.signal),
    flush: () => connection.flush(),
    close: () => {
      closing ??= (async () => {
        await Promise.all([...gates].map((gate) => gate.close()));
        await connection.close();
      })();
      return closing;
    },
  };
}
