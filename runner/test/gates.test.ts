import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RateLimiter, Semaphore, defineAgent, defineTool } from '../src/index.js';
import { seededRandom, sleep, tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('calls through several gates', () => {
  it('call() - per-tool 2, shared pool 5 and 5 calls/s together: each limit binds and holds, and nothing deadlocks', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'shared-pool', permits: 5 });
    const rate = new RateLimiter({ name: 'api-rate', limit: 5, intervalMs: 1000, burst: 5 });
    const inFlight = new Map<string, number>();
    const maxInFlight = new Map<string, number>();
    /** When each call through the rate limit started its body. */
    const rateStarts: number[] = [];
    let poolHolders = 0;
    let poolMax = 0;
    pool.onAcquire(({ inFlight: holders }) => (poolMax = Math.max(poolMax, holders)));
    pool.onRelease(({ inFlight: holders }) => (poolHolders = holders));
    const makeTool = (name: string, gates: Array<Semaphore | RateLimiter>) =>
      defineTool({
        name,
        input: z.number(),
        concurrency: 2,
        gates,
        async run(ms, { signal }) {
          if (gates.includes(rate)) rateStarts.push(performance.now());
          inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
          maxInFlight.set(name, Math.max(maxInFlight.get(name) ?? 0, inFlight.get(name)!));
          try {
            await sleep(ms, signal);
          } finally {
            inFlight.set(name, inFlight.get(name)! - 1);
          }
          return ms;
        },
      });
    // Gates listed in different orders on purpose: acquisition order is global, so no cycle can form.
    const a = makeTool('a', [rate, pool]);
    const b = makeTool('b', [pool, rate]);
    const c = makeTool('c', [pool]);
    const random = seededRandom(7);
    const agent = defineAgent({
      name: 'mixed',
      run: (ctx) =>
        ctx.all(
          Array.from({ length: 60 }, (_, i) => {
            // In runs of three calls of one tool, so a third call of a tool can hold the pool while its
            // tool's own limit of 2 makes it wait.
            const tool = [a, b, c][Math.floor(i / 3) % 3]!;
            return ctx.call(tool, 50 + Math.floor(random() * 200));
          }),
        ),
    });
    const done = t.runner.run(agent, undefined);
    await vi.runAllTimersAsync();
    expect(await done).toHaveLength(60);

    // Each tool's own limit of 2 was reached and never passed, and calls queued for it.
    for (const name of ['a', 'b', 'c']) {
      expect(maxInFlight.get(name), name).toBe(2);
      expect(t.byName(`queue ${name}.concurrency`).length, `calls that waited for ${name}.concurrency`).toBeGreaterThan(0);
    }
    // The pool of 5 (less than the tools' 2 + 2 + 2) was full at times, never over, and calls queued for it.
    expect(poolMax).toBe(5);
    expect(t.byName('queue shared-pool').length).toBeGreaterThan(0);
    // 5 calls/s with bursts of 5: any stretch of starts fits the bucket, and the 42 calls of a and b took
    // the 7.4 s the rate allows after the first burst (unlimited, they would be done in about 2 s).
    expect(rateStarts).toHaveLength(42);
    rateStarts.sort((x, y) => x - y);
    for (let i = 0; i < rateStarts.length; i += 1) {
      for (let j = i; j < rateStarts.length; j += 1) {
        const allowed = 5 + Math.floor(((rateStarts[j]! - rateStarts[i]!) * 5) / 1000);
        expect(j - i + 1, `starts ${i}..${j} within ${rateStarts[j]! - rateStarts[i]!} ms`).toBeLessThanOrEqual(allowed);
      }
    }
    expect(rateStarts[41]! - rateStarts[0]!).toBeGreaterThanOrEqual(7400);
    expect(t.byName('queue api-rate').length).toBeGreaterThan(0);

    expect([poolHolders, pool.inFlight, pool.queued, rate.queued]).toEqual([0, 0, 0, 0]);
    expect(t.recorder.open.size).toBe(0);
    expect(t.byName('execute_tool a').concat(t.byName('execute_tool b'), t.byName('execute_tool c'))).toHaveLength(60);
  });

  it('call() - 2,000 calls with random aborts, timeouts and errors: no permit lost, no span left open', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 4, queueTimeoutMs: 400 });
    const random = seededRandom(42);
    const tool = defineTool({
      name: 'chaos',
      input: z.number(),
      timeoutMs: 100,
      reclaimPermitAfterMs: 50,
      retry: { attempts: 2, baseDelayMs: 10 },
      gates: [pool],
      async run(n, { signal }) {
        const roll = n % 5;
        if (roll === 0) throw Object.assign(new Error('retryable'), { retryable: true });
        if (roll === 1) return new Promise<number>((resolve) => setTimeout(() => resolve(n), 150)); // ignores its signal
        await sleep(5 + (n % 40), signal);
        return n;
      },
    });
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 2000; i += 1) {
      const controller = new AbortController();
      calls.push(t.runner.call(tool, Math.floor(random() * 1000), { signal: controller.signal }).catch((e: unknown) => e));
      if (random() < 0.2) setTimeout(() => controller.abort(new Error('user aborted')), Math.floor(random() * 500));
    }
    await vi.runAllTimersAsync();
    await Promise.all(calls);
    await vi.runAllTimersAsync();
    expect([pool.inFlight, pool.queued, pool.available]).toEqual([0, 0, 4]);
    expect(t.byName('execute_tool chaos')).toHaveLength(2000);
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(t.runner.openCalls).toBe(0);
  });
});
