// Per-file set-up of the shared gate tests: a real redis-server for the file, factories of shared gates
// that each stand for one process (own connections, own client id), closed after each test, and a plain
// client to look at the gates' keys.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createSharedGates, type SharedGates, type SharedGatesOptions } from '../../src/redis/index.js';
import { startRedisServer, uniquePrefix, type RedisServer } from './redisServer.js';

/** Key of one part of a gate's state, as the scripts name it. */
export function gateKey(prefix: string, kind: 's' | 'r', name: string, part: 'leases' | 'bucket' | 'queue' | 'alive' | 'granted'): string {
  return `${prefix}{${kind}:${name}}:${part}`;
}

export function useRedis() {
  let server: RedisServer | undefined;
  let inspector: Redis | undefined;
  const open: SharedGates[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    // Waits through restarts: its commands queue until it is connected again.
    inspector = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 50 });
    inspector.on('error', () => undefined);
  }, 30_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((gates) => gates.close()));
  });

  afterAll(async () => {
    inspector?.disconnect();
    await server?.stop();
  });

  return {
    get server(): RedisServer {
      return server!;
    },
    /** A plain client, to read the gates' keys. */
    get redis(): Redis {
      return inspector!;
    },
    /** One "process": shared gates on their own connections, connected, closed after the test. */
    async process(prefix: string, options: SharedGatesOptions = {}): Promise<SharedGates> {
      const gates = createSharedGates({ url: server!.url, keyPrefix: prefix, ...options });
      open.push(gates);
      await gates.ready();
      return gates;
    },
    prefix: uniquePrefix,
  };
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Tracks whether a promise settled, without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}
