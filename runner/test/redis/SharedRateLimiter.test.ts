// The shared token bucket against a real redis-server; each `redis.process()` stands for one process.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, InvalidOptionError, QueueFullError, QueueTimeoutError } from '../../src/index.js';
import type { SharedGate } from '../../src/redis/index.js';
import { tracedRunner } from '../helpers.js';
import { gateKey, track, useRedis } from './fixture.js';

const redis = useRedis();

/** Resolves with `ahead` when Redis answers that a waiter queues. */
function nextQueued(gate: SharedGate): Promise<number> {
  return new Promise((resolve) => {
    const dispose = gate.onQueue((event) => {
      dispose();
      resolve(event.ahead);
    });
  });
}

/** Resolves when Redis answers a waiter, whether it queues or passes (on a slow machine, a token may be due). */
function nextAnswered(gate: SharedGate): Promise<void> {
  return new Promise((resolve) => {
    const disposers = [gate.onQueue(() => done()), gate.onAcquire(() => done())];
    const done = (): void => {
      for (const dispose of disposers) dispose();
      resolve();
    };
  });
}

describe('SharedRateLimiter', () => {
  it('.acquire() - lets `burst` calls through from the bucket, then queues until a token is due', async () => {
    const prefix = redis.prefix('burst');
    // Two tokens a second: the bucket cannot refill a whole token between the calls below.
    const a = (await redis.process(prefix)).rateLimiter('api', { limit: 2, burst: 3, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).rateLimiter('api', { limit: 2, burst: 3, onRedisDown: 'fail-closed' });
    const queues: number[] = [];
    a.onQueue(() => queues.push(1));
    b.onQueue(() => queues.push(1));
    const permits = [await a.acquire(), await b.acquire(), await a.acquire()];
    expect(queues).toHaveLength(0);
    expect(a.inFlight).toBe(2);
    expect(b.inFlight).toBe(1);
    // The bucket is empty now (less the refill of the last milliseconds): the next call queues.
    const queued = nextQueued(b);
    const fourth = b.acquire();
    expect(await queued).toBe(0);
    (await fourth).release();
    for (const p of permits) p.release();
    await Promise.all([a.onIdle(), b.onIdle()]);
  });

  it('.acquire() - serves waiters from several processes in arrival order as tokens come due', async () => {
    const prefix = redis.prefix('fifo');
    const a = (await redis.process(prefix)).rateLimiter('api', { limit: 20, burst: 1, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).rateLimiter('api', { limit: 20, burst: 1, onRedisDown: 'fail-closed' });
    (await a.acquire()).release();
    const served: string[] = [];
    const waits: Array<Promise<void>> = [];
    for (const [label, gate] of [['a1', a], ['b1', b], ['b2', b], ['a2', a], ['b3', b]] as const) {
      const answered = nextAnswered(gate);
      waits.push(gate.acquire().then((permit) => (served.push(label), permit.release())));
      await answered;
    }
    await Promise.all(waits);
    expect(served).toEqual(['a1', 'b1', 'b2', 'a2', 'b3']);
  });

  it('.leave() - an aborted waiter leaves at once and its place in Redis is given back', async () => {
    const prefix = redis.prefix('abort');
    const gates = await redis.process(prefix);
    const rate = gates.rateLimiter('api', { limit: 1, intervalMs: 60_000, burst: 1, onRedisDown: 'fail-closed' });
    (await rate.acquire()).release();
    const controller = new AbortController();
    const queued = nextQueued(rate);
    const waiting = rate.acquire({ signal: controller.signal });
    await queued;
    controller.abort(new Error('gave up'));
    expect(rate.queued).toBe(0);
    await expect(waiting).rejects.toThrow('gave up');
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 'r', 'api', 'queue'))).toBe(0);
    expect(await redis.redis.zcard(gateKey(prefix, 'r', 'api', 'alive'))).toBe(0);
  });

  it('.leave() - a waiter that leaves before Redis answers gets its token refunded', async () => {
    const prefix = redis.prefix('refund');
    const gates = await redis.process(prefix);
    // Without the refund, the next call would queue for a minute and time out.
    const rate = gates.rateLimiter('api', { limit: 1, intervalMs: 60_000, burst: 1, queueTimeoutMs: 2000, onRedisDown: 'fail-closed' });
    const controller = new AbortController();
    const waiting = rate.acquire({ signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(waiting).rejects.toThrow('changed my mind');
    await gates.flush();
    // The one token of the minute is back: the next call passes without queueing.
    const queues: number[] = [];
    rate.onQueue(() => queues.push(1));
    (await rate.acquire()).release();
    expect(queues).toEqual([]);
  });

  it('queueTimeoutMs - a waiter queued too long fails with QueueTimeoutError and leaves the Redis queue', async () => {
    const prefix = redis.prefix('queue-timeout');
    const gates = await redis.process(prefix);
    const rate = gates.rateLimiter('api', { limit: 1, intervalMs: 60_000, queueTimeoutMs: 100, onRedisDown: 'fail-closed' });
    (await rate.acquire()).release();
    await expect(rate.acquire()).rejects.toBeInstanceOf(QueueTimeoutError);
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 'r', 'api', 'queue'))).toBe(0);
  });

  it('maxQueue - holds across processes: one waiter too many fails with QueueFullError', async () => {
    const prefix = redis.prefix('max-queue');
    const a = (await redis.process(prefix)).rateLimiter('api', { limit: 1, intervalMs: 60_000, maxQueue: 1, onRedisDown: 'fail-closed' });
    const bGates = await redis.process(prefix);
    const b = bGates.rateLimiter('api', { limit: 1, intervalMs: 60_000, maxQueue: 1, onRedisDown: 'fail-closed' });
    (await a.acquire()).release();
    const controller = new AbortController();
    const queued = nextQueued(a);
    const first = track(a.acquire({ signal: controller.signal }));
    await queued;
    await expect(b.acquire()).rejects.toBeInstanceOf(QueueFullError);
    controller.abort(new Error('done'));
    await bGates.flush();
    expect(first.settled).toBe(true);
  });

  it('Runner - a call waiting at a shared rate limit gets a queue span with kind shared_rate_limit and scope shared', async () => {
    const prefix = redis.prefix('span');
    const gates = await redis.process(prefix);
    const rate = gates.rateLimiter('search-api', { limit: 100, burst: 1, onRedisDown: 'fail-closed' });
    const { runner, byName } = tracedRunner();
    const tool = defineTool({ name: 'search', input: z.object({}), gates: [rate], run: () => 'ok' });
    expect(await Promise.all([runner.call(tool, {}), runner.call(tool, {}), runner.call(tool, {})])).toEqual(['ok', 'ok', 'ok']);
    const spans = byName('queue search-api');
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.attributes['overlap.gate.scope']).toBe('shared');
      expect(span.attributes['overlap.gate.kind']).toBe('shared_rate_limit');
    }
    expect(rate.inFlight).toBe(0);
  });

  it('rateLimiter() - rejects bad options with an InvalidOptionError naming the option', async () => {
    const gates = await redis.process(redis.prefix('options'));
    const bad = (options: unknown) => () => gates.rateLimiter('api', options as never);
    expect(bad({ limit: 0, onRedisDown: 'fail-open' })).toThrow(InvalidOptionError);
    expect(bad({ limit: 0, onRedisDown: 'fail-open' })).toThrow(/SharedRateLimiter\.limit/);
    expect(bad({ limit: 5, onRedisDown: 'sometimes' })).toThrow(/SharedRateLimiter\.onRedisDown/);
    expect(bad({ limit: 5, burst: 0, onRedisDown: 'fail-open' })).toThrow(/SharedRateLimiter\.burst/);
    expect(bad({ limit: 5, onRedisDown: 'fail-open', pollIntervalMs: 0 })).toThrow(/SharedRateLimiter\.pollIntervalMs/);
  });
});
