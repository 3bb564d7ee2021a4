import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueFullError, QueueTimeoutError, RateLimiter, type Permit } from '../src/index.js';

describe('RateLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function grants(limiter: RateLimiter, count: number) {
    const times: number[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i += 1) {
      const record = (p: Permit) => {
        times.push(Math.round(performance.now() - start));
        p.release();
      };
      const permit = limiter.enter({ priority: 0, grant: record, reject: () => {} });
      if (permit) record(permit);
    }
    return times;
  }

  it('new RateLimiter() - rejects bad options with an error naming the option', () => {
    expect(() => new RateLimiter({ name: 'x', limit: 0 })).toThrow('RateLimiter.limit');
    expect(() => new RateLimiter({ name: 'x', limit: 5, burst: 0 })).toThrow('RateLimiter.burst');
    expect(() => new RateLimiter({ name: 'x', limit: 5, intervalMs: -1 })).toThrow('RateLimiter.intervalMs');
  });

  it('.enter() - lets a burst through at once, then paces at limit per interval', async () => {
    const limiter = new RateLimiter({ name: 'api', limit: 5, intervalMs: 1000, burst: 2 });
    const times = grants(limiter, 6);
    await vi.advanceTimersByTimeAsync(2000);
    expect(times).toEqual([0, 0, 200, 400, 600, 800]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('.enter() - never lets more than limit + burst start in any interval', async () => {
    const limiter = new RateLimiter({ name: 'api', limit: 20, intervalMs: 1000, burst: 5 });
    const times = grants(limiter, 100);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times).toHaveLength(100);
    for (const t of times) {
      const inWindow = times.filter((u) => u >= t && u < t + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(25);
    }
    // 100 calls: 5 at once, then 95 at 20/s.
    expect(times.at(-1)).toBe(4750);
  });

  it('.enter() - queue timeout and maxQueue hold', async () => {
    const limiter = new RateLimiter({ name: 'api', limit: 1, intervalMs: 1000, burst: 1, maxQueue: 1, queueTimeoutMs: 300 });
    limiter.enter({ priority: 0, grant: () => {}, reject: () => {} });
    let error: unknown;
    limiter.enter({ priority: 0, grant: () => {}, reject: (e) => (error = e) });
    expect(() => limiter.enter({ priority: 0, grant: () => {}, reject: () => {} })).toThrow(QueueFullError);
    await vi.advanceTimersByTimeAsync(300);
    expect(error).toBeInstanceOf(QueueTimeoutError);
    expect(limiter.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('.leave() - the last waiter leaving clears the refill timer', () => {
    const limiter = new RateLimiter({ name: 'api', limit: 1, burst: 1 });
    limiter.enter({ priority: 0, grant: () => {}, reject: () => {} });
    const w = { priority: 0, grant: () => {}, reject: () => {} };
    limiter.enter(w);
    expect(vi.getTimerCount()).toBe(1);
    expect(limiter.leave(w)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('Permit.release() - inFlight counts calls that passed and have not finished', () => {
    const limiter = new RateLimiter({ name: 'api', limit: 10 });
    const p = limiter.enter({ priority: 0, grant: () => {}, reject: () => {} })!;
    expect(limiter.inFlight).toBe(1);
    expect(p.reclaim()).toBe(true);
    p.release();
    p.release();
    expect(limiter.inFlight).toBe(0);
  });
});
