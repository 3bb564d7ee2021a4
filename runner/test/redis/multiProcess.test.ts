// Shared gates across real worker processes (worker.ts), a real redis-server and a local HTTP upstream
// that counts what it sees. The tests in this file run one after the other.
import { afterEach, describe, expect, it } from 'vitest';
import type { SharedRateLimiterOptions, SharedSemaphoreOptions } from '../../src/redis/index.js';
import { useRedis } from './fixture.js';
import { startUpstream, type Upstream } from './upstream.js';
import type { WorkerConfig, WorkerMessage } from './worker.js';
import { killAll, spawnWorker, type Worker } from './workers.js';

const redis = useRedis();
let workers: Worker[] = [];
let upstream: Upstream | undefined;

afterEach(async () => {
  killAll(workers);
  workers = [];
  await upstream?.close();
  upstream = undefined;
});

type Done = Extract<WorkerMessage, { type: 'done' }>;
const isReady = (m: WorkerMessage): boolean => m.type === 'ready';
const isDone = (m: WorkerMessage): m is Done => m.type === 'done';

/** Starts `count` workers with the same gate, waits until all are connected, then lets them go together. */
async function runWorkers(count: number, config: Omit<WorkerConfig, 'url'>): Promise<Done[]> {
  workers = Array.from({ length: count }, () => spawnWorker({ url: redis.server.url, ...config }));
  await Promise.all(workers.map((w) => w.waitFor(isReady)));
  for (const w of workers) w.send({ type: 'go' });
  const done = await Promise.all(workers.map((w) => w.waitFor(isDone)));
  const exits = await Promise.all(workers.map((w) => w.exited));
  expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  return done;
}

describe('shared gates across processes', () => {
  it('SharedSemaphore - 4 workers × 50 calls through 5 shared permits: the upstream never sees more than 5 at once, and every call completes', { timeout: 90_000 }, async () => {
    upstream = await startUpstream(20);
    const options: SharedSemaphoreOptions = { permits: 5, onRedisDown: 'fail-closed' };
    const done = await runWorkers(4, {
      keyPrefix: redis.prefix('mp-sem'),
      gate: { kind: 'semaphore', name: 'upstream', options },
      task: { type: 'calls', calls: 50, upstream: upstream.url },
    });
    expect(done.map((d) => d.ok)).toEqual([50, 50, 50, 50]);
    expect(done.map((d) => d.failures)).toEqual([{}, {}, {}, {}]);
    expect(upstream.arrivals).toHaveLength(200);
    expect(upstream.maxInFlight).toBeLessThanOrEqual(5);
    expect(upstream.maxInFlight).toBeGreaterThan(1);
  });

  it('SharedRateLimiter - 20/s with burst 5 across 4 workers: no 1-second window holds more than 25 requests, and throughput is within 10 % of the rate', { timeout: 90_000 }, async () => {
    upstream = await startUpstream(1);
    const options: SharedRateLimiterOptions = { limit: 20, intervalMs: 1000, burst: 5, onRedisDown: 'fail-closed' };
    const done = await runWorkers(4, {
      keyPrefix: redis.prefix('mp-rate'),
      gate: { kind: 'rateLimiter', name: 'upstream', options },
      task: { type: 'calls', calls: 25, upstream: upstream.url },
    });
    expect(done.map((d) => d.ok)).toEqual([25, 25, 25, 25]);
    const arrivals = [...upstream.arrivals].sort((x, y) => x - y);
    expect(arrivals).toHaveLength(100);
    let busiestWindow = 0;
    for (let i = 0, j = 0; i < arrivals.length; i += 1) {
      while (j < arrivals.length && arrivals[j]! < arrivals[i]! + 1000) j += 1;
      busiestWindow = Math.max(busiestWindow, j - i);
    }
    expect(busiestWindow).toBeLessThanOrEqual(25);
    // After the first `burst` requests, the rest come at the refill rate.
    const steadySeconds = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
    const throughput = (arrivals.length - options.burst!) / steadySeconds;
    expect(throughput).toBeGreaterThanOrEqual(18);
    expect(throughput).toBeLessThanOrEqual(22);
  });

  it('SharedSemaphore - a worker killed with SIGKILL while holding permits gives them back within the lease TTL', { timeout: 60_000 }, async () => {
    const leaseTtlMs = 2000;
    const keyPrefix = redis.prefix('mp-kill');
    const options: SharedSemaphoreOptions = { permits: 3, leaseTtlMs, onRedisDown: 'fail-closed' };
    const holder = spawnWorker({ url: redis.server.url, keyPrefix, gate: { kind: 'semaphore', name: 'upstream', options }, task: { type: 'hold', permits: 3 } });
    workers = [holder];
    await holder.waitFor((m) => m.type === 'holding');

    const gates = await redis.process(keyPrefix);
    const sem = gates.semaphore('upstream', options);
    let granted = 0;
    const waiting = Array.from({ length: 3 }, () => sem.acquire().then((permit) => ((granted += 1), permit)));
    await gates.flush();
    expect(sem.sharedInFlight).toBe(3);
    expect(granted).toBe(0);

    const killedAt = performance.now();
    holder.child.kill('SIGKILL');
    const permits = await Promise.all(waiting);
    const elapsedMs = performance.now() - killedAt;
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(granted).toBe(3);
    // The last renewal happened at most a moment before the kill; allow for timers and round trips.
    expect(elapsedMs).toBeLessThanOrEqual(leaseTtlMs + 300);
    for (const permit of permits) permit.release();
  });
});
