// The scenarios of the tutorial Overlap grew from, as behaviour, on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineTool, Semaphore, ToolTimeoutError } from '../src/index.js';
import { sleep, tracedRunner } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const task = defineTool({
  name: 'task',
  input: z.object({ name: z.string(), delayMs: z.number() }),
  async run({ name, delayMs }, { signal }) {
    await sleep(delayMs, signal);
    return `${name} done`;
  },
});

async function elapsedOf<T>(promise: Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  const pending = promise.then((value) => ({ value, elapsedMs: performance.now() - start }));
  await vi.runAllTimersAsync();
  return pending;
}

describe('seed scenarios', () => {
  it('all() - two 1 s tasks take 1 s together and 2 s in sequence', async () => {
    const { runner } = tracedRunner();
    const together = defineAgent({
      name: 'together',
      run: (ctx) => ctx.all([ctx.call(task, { name: 'A', delayMs: 1000 }), ctx.call(task, { name: 'B', delayMs: 1000 })]),
    });
    const inSequence = defineAgent({
      name: 'in_sequence',
      async run(ctx) {
        const a = await ctx.call(task, { name: 'A', delayMs: 1000 });
        const b = await ctx.call(task, { name: 'B', delayMs: 1000 });
        return [a, b];
      },
    });
    const concurrent = await elapsedOf(runner.run(together, undefined));
    expect(concurrent.value).toEqual(['A done', 'B done']);
    expect(concurrent.elapsedMs).toBe(1000);
    const sequential = await elapsedOf(runner.run(inSequence, undefined));
    expect(sequential.value).toEqual(['A done', 'B done']);
    expect(sequential.elapsedMs).toBe(2000);
  });

  it('all() - a gather of 0.3/0.5/0.2 s returns values in order after the longest', async () => {
    const { runner } = tracedRunner();
    const agent = defineAgent({
      name: 'gather',
      run: (ctx) =>
        ctx.all({
          docs: (c) => c.call(task, { name: 'retrieve_docs', delayMs: 300 }),
          reply: (c) => c.call(task, { name: 'call_model', delayMs: 500 }),
          profile: (c) => c.call(task, { name: 'fetch_user_profile', delayMs: 200 }),
        }),
    });
    const { value, elapsedMs } = await elapsedOf(runner.run(agent, undefined));
    expect(Object.keys(value)).toEqual(['docs', 'reply', 'profile']);
    expect(value).toEqual({ docs: 'retrieve_docs done', reply: 'call_model done', profile: 'fetch_user_profile done' });
    expect(elapsedMs).toBe(500);
  });

  it('Semaphore - 10 tasks of 0.2 s under 3 permits: never more than 3 in flight, input order kept, 0.8 s', async () => {
    const { runner } = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 3 });
    let running = 0;
    let maxRunning = 0;
    const limited = defineTool({
      name: 'limited_task',
      input: z.number(),
      gates: [pool],
      async run(i, { signal }) {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        try {
          await sleep(200, signal);
        } finally {
          running -= 1;
        }
        return `task_${i}`;
      },
    });
    const agent = defineAgent({
      name: 'burst',
      run: (ctx) => ctx.map(Array.from({ length: 10 }, (_, i) => i), (i, _index, c) => c.call(limited, i)),
    });
    const { value, elapsedMs } = await elapsedOf(runner.run(agent, undefined));
    expect(value).toEqual(Array.from({ length: 10 }, (_, i) => `task_${i}`));
    expect(maxRunning).toBe(3);
    expect(elapsedMs).toBe(800);
  });

  it.each([
    [3, 30, 2000],
    [6, 30, 1000],
  ])('Semaphore - 30 tasks of 0.2 s under %i permits: max in flight is the limit, %i done in %i ms', async (permits, count, expectedMs) => {
    const { runner } = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits });
    let running = 0;
    let maxRunning = 0;
    const limited = defineTool({
      name: 'limited_task',
      input: z.number(),
      gates: [pool],
      async run(i, { signal }) {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await sleep(200, signal).finally(() => (running -= 1));
        return i;
      },
    });
    const agent = defineAgent({
      name: 'burst',
      run: (ctx) => ctx.all(Array.from({ length: count }, (_, i) => ctx.call(limited, i))),
    });
    const { value, elapsedMs } = await elapsedOf(runner.run(agent, undefined));
    expect(value).toHaveLength(count);
    expect(maxRunning).toBe(permits);
    expect(elapsedMs).toBe(expectedMs);
  });

  it('timeoutMs - a 2 s task with a 0.5 s timeout fails with ToolTimeoutError at 0.5 s', async () => {
    const { runner } = tracedRunner();
    const slow = defineTool({
      name: 'slow_task',
      input: z.object({}),
      timeoutMs: 500,
      async run(_input, { signal }) {
        await sleep(2000, signal);
        return 'done';
      },
    });
    const start = performance.now();
    const outcome = runner.call(slow, {}).then(
      () => 'resolved',
      (error: unknown) => ({ error, at: performance.now() - start }),
    );
    await vi.runAllTimersAsync();
    const result = (await outcome) as { error: unknown; at: number };
    expect(result.error).toBeInstanceOf(ToolTimeoutError);
    expect(result.at).toBe(500);
  });

  it('handle_request - search_kb 0.3 s and get_user_status 0.2 s together, then call_llm 0.4 s: 0.7 s; a third concurrent tool does not lengthen it', async () => {
    const { runner } = tracedRunner();
    const searchKb = defineTool({
      name: 'search_kb',
      input: z.object({ query: z.string() }),
      run: async ({ query }, { signal }) => (await sleep(300, signal), `knowledge base result: ${query}`),
    });
    const getUserStatus = defineTool({
      name: 'get_user_status',
      input: z.object({ userId: z.number() }),
      run: async ({ userId }, { signal }) => (await sleep(200, signal), { userId, progress: 0.15 }),
    });
    const getOrders = defineTool({
      name: 'get_orders',
      input: z.object({ userId: z.number() }),
      run: async ({ userId }, { signal }) => (await sleep(250, signal), [{ userId, order: 1 }]),
    });
    const callLlm = defineTool({
      name: 'call_llm',
      input: z.object({ prompt: z.string() }),
      run: async ({ prompt }, { signal }) => (await sleep(400, signal), `LLM response: ${prompt}`),
    });
    const handleRequest = defineAgent({
      name: 'handle_request',
      async run(ctx, { query, userId, withOrders }: { query: string; userId: number; withOrders: boolean }) {
        const [kb, status, orders] = await ctx.all([
          ctx.call(searchKb, { query }),
          ctx.call(getUserStatus, { userId }),
          withOrders ? ctx.call(getOrders, { userId }) : Promise.resolve([]),
        ]);
        const prompt = `Please answer based on the following information: ${kb}, user status: ${JSON.stringify(status)}, orders: ${orders.length}`;
        return ctx.call(callLlm, { prompt });
      },
    });
    const base = await elapsedOf(runner.run(handleRequest, { query: 'What is the refund policy?', userId: 1, withOrders: false }));
    expect(base.value).toBe(
      'LLM response: Please answer based on the following information: knowledge base result: What is the refund policy?, user status: {"userId":1,"progress":0.15}, orders: 0',
    );
    expect(base.elapsedMs).toBe(700);
    const more = await elapsedOf(runner.run(handleRequest, { query: 'q', userId: 1, withOrders: true }));
    expect(more.elapsedMs).toBe(700);
  });
});
