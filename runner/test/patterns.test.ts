import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineTool, type AgentContext } from '../src/index.js';
import { deferred, sleep, tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const wait = defineTool({
  name: 'wait',
  input: z.object({ label: z.string(), ms: z.number(), fail: z.boolean().optional() }),
  timeoutMs: 60_000,
  async run({ label, ms, fail }, { signal }) {
    await sleep(ms, signal);
    if (fail) throw new Error(`${label} failed`);
    return label;
  },
});

/** Runs `body` as an agent and advances fake time until it settles. */
async function runAgent<T>(body: (ctx: AgentContext) => Promise<T>) {
  const t = tracedRunner();
  const start = performance.now();
  const p = t.runner.run(defineAgent({ name: 'patterns', run: (ctx) => body(ctx) }), undefined).then(
    (value) => ({ ok: true as const, value, at: performance.now() - start }),
    (error: unknown) => ({ ok: false as const, error, at: performance.now() - start }),
  );
  await vi.runAllTimersAsync();
  return { result: await p, t };
}

describe('patterns', () => {
  it('all() - infers a typed tuple and a typed object', async () => {
    const { result } = await runAgent(async (ctx) => {
      const [a, b] = await ctx.all([ctx.call(wait, { label: 'a', ms: 10 }), (c) => c.call(wait, { label: 'b', ms: 5 }).then((s) => s.length)]);
      expectTypeOf(a).toEqualTypeOf<string>();
      expectTypeOf(b).toEqualTypeOf<number>();
      const o = await ctx.all({ x: (c) => c.call(wait, { label: 'x', ms: 1 }), y: Promise.resolve(3) });
      expectTypeOf(o).toEqualTypeOf<{ x: string; y: number }>();
      return { a, b, o };
    });
    expect(result).toMatchObject({ ok: true, value: { a: 'a', b: 1, o: { x: 'x', y: 3 } } });
  });

  it('all() - the first failure rejects at once and cancels the others', async () => {
    const { result, t } = await runAgent((ctx) =>
      ctx.all([(c) => c.call(wait, { label: 'slow', ms: 1000 }), (c) => c.call(wait, { label: 'bad', ms: 100, fail: true })]),
    );
    expect(result).toMatchObject({ ok: false, at: 100 });
    expect((result as { error: Error }).error.message).toBe('bad failed');
    const outcomes = t.byName('execute_tool wait').map((s) => s.attributes['overlap.outcome']);
    expect(outcomes.sort()).toEqual(['cancelled', 'error']);
    expect(t.recorder.open.size).toBe(0);
  });

  it('allSettled() - reports every outcome in the same shape', async () => {
    const { result } = await runAgent((ctx) =>
      ctx.allSettled({ good: (c) => c.call(wait, { label: 'good', ms: 10 }), bad: (c) => c.call(wait, { label: 'bad', ms: 20, fail: true }) }),
    );
    expect(result.ok).toBe(true);
    const value = (result as { value: { good: PromiseSettledResult<string>; bad: PromiseSettledResult<string> } }).value;
    expect(value.good).toEqual({ status: 'fulfilled', value: 'good' });
    expect(value.bad.status).toBe('rejected');
  });

  it('race() - settles with the first and cancels the losers', async () => {
    const { result, t } = await runAgent((ctx) =>
      ctx.race([(c) => c.call(wait, { label: 'fast', ms: 50 }), (c) => c.call(wait, { label: 'slow', ms: 500 })]),
    );
    expect(result).toMatchObject({ ok: true, value: 'fast', at: 50 });
    const slow = t.byName('execute_tool wait').find((s) => s.attributes['overlap.outcome'] === 'cancelled');
    expect(slow).toBeDefined();
    expect(slow!.events.find((e) => e.name === 'overlap.cancelled')?.attributes?.['overlap.error.message']).toBe(
      'cancelled: another task won the race',
    );
  });

  it('any() - skips failures, takes the first success, and rejects with AggregateError when all fail', async () => {
    const { result } = await runAgent((ctx) =>
      ctx.any([(c) => c.call(wait, { label: 'bad', ms: 10, fail: true }), (c) => c.call(wait, { label: 'good', ms: 30 })]),
    );
    expect(result).toMatchObject({ ok: true, value: 'good', at: 30 });
    const { result: allBad } = await runAgent((ctx) =>
      ctx.any([(c) => c.call(wait, { label: 'a', ms: 10, fail: true }), (c) => c.call(wait, { label: 'b', ms: 30, fail: true })]),
    );
    expect((allBad as { error: unknown }).error).toBeInstanceOf(AggregateError);
  });

  it('fallback() - a timed-out main model falls back to the second model, with an event', async () => {
    const main = defineTool({
      name: 'main_model',
      input: z.string(),
      timeoutMs: 300,
      run: async (prompt, { signal }) => (await sleep(2000, signal), `main: ${prompt}`),
    });
    const backup = defineTool({
      name: 'fallback_model',
      input: z.string(),
      run: async (prompt, { signal }) => (await sleep(100, signal), `fallback: ${prompt}`),
    });
    const { result, t } = await runAgent((ctx) =>
      ctx.fallback(
        (c) => c.call(main, 'hi'),
        (c) => c.call(backup, 'hi'),
      ),
    );
    expect(result).toMatchObject({ ok: true, value: 'fallback: hi', at: 400 });
    const agentSpan = t.one('invoke_agent patterns');
    const event = agentSpan.events.find((e) => e.name === 'overlap.fallback');
    expect(event?.attributes).toMatchObject({ 'error.type': 'OVERLAP_TOOL_TIMEOUT', 'overlap.fallback.index': 1 });
    expect(t.one('execute_tool main_model').attributes['overlap.outcome']).toBe('timeout');
  });

  it('fallback() - rejects with the last error when every option fails', async () => {
    const { result } = await runAgent((ctx) =>
      ctx.fallback(
        (c) => c.call(wait, { label: 'one', ms: 1, fail: true }),
        (c) => c.call(wait, { label: 'two', ms: 1, fail: true }),
      ),
    );
    expect((result as { error: Error }).error.message).toBe('two failed');
  });

  it('hedge() - starts a duplicate when the first is slow, keeps the first answer, cancels the other', async () => {
    const latencies = [1000, 100];
    let started = 0;
    const model = defineTool({
      name: 'model',
      input: z.object({}),
      async run(_i, { signal }) {
        const ms = latencies[started]!;
        started += 1;
        await sleep(ms, signal);
        return `answered after ${ms} ms`;
      },
    });
    const { result, t } = await runAgent((ctx) => ctx.hedge((c) => c.call(model, {}), { afterMs: 200 }));
    // The hedge starts at 200 ms and answers at 300 ms; the first copy is cancelled.
    expect(result).toMatchObject({ ok: true, value: 'answered after 100 ms', at: 300 });
    expect(started).toBe(2);
    expect(t.byName('execute_tool model').map((s) => s.attributes['overlap.outcome']).sort()).toEqual(['cancelled', 'ok']);
    expect(t.one('invoke_agent patterns').events.filter((e) => e.name === 'overlap.hedge.start')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hedge() - a fast answer starts no duplicate', async () => {
    let started = 0;
    const model = defineTool({ name: 'model', input: z.object({}), run: async (_i, { signal }) => (started++, await sleep(50, signal), 'fast') });
    const { result } = await runAgent((ctx) => ctx.hedge((c) => c.call(model, {}), { afterMs: 200 }));
    expect(result).toMatchObject({ ok: true, value: 'fast', at: 50 });
    expect(started).toBe(1);
  });

  it('map() - keeps at most `concurrency` in progress and returns results in input order', async () => {
    let running = 0;
    let max = 0;
    const job = defineTool({
      name: 'job',
      input: z.number(),
      async run(i, { signal }) {
        running += 1;
        max = Math.max(max, running);
        await sleep(100 - i * 3, signal).finally(() => (running -= 1));
        return i * 2;
      },
    });
    const { result } = await runAgent((ctx) => ctx.map([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], (i, _n, c) => c.call(job, i), { concurrency: 4 }));
    expect(result).toMatchObject({ ok: true, value: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18] });
    expect(max).toBe(4);
  });

  it('map() - the first failure stops the rest and cancels what is in progress', async () => {
    let starts = 0;
    const job = defineTool({
      name: 'job',
      input: z.number(),
      async run(i, { signal }) {
        starts += 1;
        await sleep(i === 1 ? 10 : 100, signal);
        if (i === 1) throw new Error('item 1 failed');
        return i;
      },
    });
    const { result, t } = await runAgent((ctx) => ctx.map([0, 1, 2, 3, 4, 5], (i, _n, c) => c.call(job, i), { concurrency: 2 }));
    expect((result as { error: Error }).error.message).toBe('item 1 failed');
    expect(starts).toBe(2);
    expect(t.byName('execute_tool job').map((s) => s.attributes['overlap.outcome']).sort()).toEqual(['cancelled', 'error']);
  });

  it('run() - sub-agent spans nest under the calling agent, and their calls under them', async () => {
    const child = defineAgent({ name: 'researcher', run: (ctx, topic: string) => ctx.call(wait, { label: topic, ms: 10 }) });
    const { result, t } = await runAgent((ctx) => ctx.all([ctx.run(child, 'a'), ctx.run(child, 'b')]));
    expect(result).toMatchObject({ ok: true, value: ['a', 'b'] });
    const parent = t.one('invoke_agent patterns');
    const children = t.byName('invoke_agent researcher');
    expect(children).toHaveLength(2);
    for (const c of children) expect(c.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    for (const call of t.byName('execute_tool wait')) {
      expect(children.map((c) => c.spanContext().spanId)).toContain(call.parentSpanContext?.spanId);
    }
  });

  it('run() - calls the agent left running are cancelled when the run ends', async () => {
    const { result, t } = await runAgent(async (ctx) => {
      void ctx.call(wait, { label: 'forgotten', ms: 5000 }).catch(() => {});
      return 'done';
    });
    expect(result).toMatchObject({ ok: true, value: 'done', at: 0 });
    const forgotten = t.one('execute_tool wait');
    expect(forgotten.attributes['overlap.outcome']).toBe('cancelled');
    expect(t.recorder.open.size).toBe(0);
  });

  it('race() - a tool body that ignores cancellation still lets the race settle at the winner', async () => {
    const never = deferred<string>();
    const ignoring = defineTool({ name: 'ignoring', input: z.object({}), timeoutMs: 1000, run: () => never.promise });
    const { result } = await runAgent((ctx) => ctx.race([(c) => c.call(ignoring, {}), (c) => c.call(wait, { label: 'w', ms: 20 })]));
    expect(result).toMatchObject({ ok: true, value: 'w', at: 20 });
  });
  it('hedge() and map() - bad options reject the promise; the call never throws', async () => {
    const thrown: unknown[] = [];
    const { result } = await runAgent(async (ctx) => {
      const settled: Array<Promise<unknown>> = [];
      try {
        settled.push(ctx.hedge((c) => c.call(wait, { label: 'h', ms: 1 }), { afterMs: -1 }));
        settled.push(ctx.map([1, 2], (n) => n, { concurrency: 0 }));
      } catch (error) {
        thrown.push(error);
      }
      return Promise.allSettled(settled);
    });
    expect(thrown).toEqual([]);
    expect(result.ok && result.value.map((r) => r.status === 'rejected' && String(r.reason))).toEqual([
      'InvalidOptionError: hedge.afterMs: expected a finite number >= 0, received -1',
      'InvalidOptionError: map.concurrency: expected an integer >= 1, or Infinity, received 0',
    ]);
  });
});
