import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RateLimiter, Semaphore, defineAgent, defineTool } from '../src/index.js';
import { seededRandom, sleep, tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('calls through several gates', () => {
  it('call() - per-tool 2, shared pool 8 and 5 calls/s together: every limit holds and nothing deadlocks', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'shared-pool', permits: 8 });
    const rate = new RateLimiter({ name: 'api-rate', limit: 5, intervalMs: 1000, burst: 5 });
    const inFlight = new Map<string, number>();
    const maxInFlight = new Map<string, number>();
    const starts: number[] = [];
    let poolRunning = 0;
    let poolMax = 0;
    const makeTool = (name: string, gates: Array<Semaphore | RateLimiter>) =>
      defineTool({
        name,
        input: z.number(),
        concurrency: 2,
        gates,
        async run(ms, { signal }) {
          starts.push(performance.now());
          inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
          maxInFlight.set(name, Math.max(maxInFlight.get(name) ?? 0, inFlight.get(name)!));
          poolRunning += 1;
          poolMax = Math.max(poolMax, poolRunning);
          try {
            await sleep(ms, signal);
          } finally {
            inFlight.set(name, inFlight.get(name)! - 1);
            poolRunning -= 1;
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
            const tool = [a, b, c][i % 3]!;
            return ctx.call(tool, 50 + Math.floor(random() * 200));
          }),
        ),
    });
    const done = t.runner.run(agent, undefined);
    await vi.runAllTimersAsync();
    expect(await done).toHaveLength(60);
    for (const name of ['a', 'b', 'c']) expect(maxInFlight.get(name)).toBe(2);
    expect(poolMax).toBeLessThanOrEqual(8);
    expect([pool.inFlight, pool.queued, rate.queued]).toEqual([0, 0, 0]);
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
