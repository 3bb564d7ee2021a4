import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  DeadlineExceededError,
  Semaphore,
  ToolTimeoutError,
  defineAgent,
  defineTool,
  isDeadlineExceededError,
} from '../src/index.js';
import { deferred, flush, msOf, sleep, tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('timeouts', () => {
  it('call() - rejects with ToolTimeoutError on time even when the body ignores its signal', async () => {
    const t = tracedRunner();
    const body = deferred<string>();
    const stubborn = defineTool({ name: 'stubborn', input: z.object({}), timeoutMs: 500, run: () => body.promise });
    const start = performance.now();
    const settled = t.runner.call(stubborn, {}).catch((e: unknown) => ({ e, at: performance.now() - start }));
    await vi.advanceTimersByTimeAsync(500);
    const { e, at } = (await settled) as { e: ToolTimeoutError; at: number };
    expect(e).toBeInstanceOf(ToolTimeoutError);
    expect(e.code).toBe('OVERLAP_TOOL_TIMEOUT');
    expect(e.message).toBe('tool "stubborn" timed out after 500 ms (attempt 1)');
    expect(at).toBe(500);
    body.resolve('late');
    await flush();
  });

  it('call() - the signal the body sees aborts with the ToolTimeoutError', async () => {
    const t = tracedRunner();
    let seen: unknown;
    const polite = defineTool({
      name: 'polite',
      input: z.object({}),
      timeoutMs: 100,
      run: (_i, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => ((seen = signal.reason), reject(signal.reason)))),
    });
    const p = t.runner.call(polite, {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await p).toBe(seen);
    expect(seen).toBeInstanceOf(ToolTimeoutError);
  });

  it('call() - a body past its timeout keeps its permit until it settles, then the permit returns', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const body = deferred<string>();
    const stubborn = defineTool({
      name: 'stubborn',
      input: z.object({}),
      timeoutMs: 100,
      reclaimPermitAfterMs: 1000,
      gates: [pool],
      run: () => body.promise,
    });
    const p = t.runner.call(stubborn, {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await p).toBeInstanceOf(ToolTimeoutError);
    expect(pool.inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(300);
    body.resolve('finally');
    await flush();
    expect(pool.inFlight).toBe(0);
    const abandoned = t.one('abandoned stubborn');
    expect(abandoned.attributes['overlap.body.settled']).toBe(true);
    expect(abandoned.attributes['overlap.body.outcome']).toBe('ok');
    expect(abandoned.attributes['overlap.phase']).toBe('abandoned');
    expect(t.parentOf(abandoned)?.name).toBe('execute_tool stubborn');
    const call = t.one('execute_tool stubborn');
    expect(call.attributes['overlap.outcome']).toBe('timeout');
    const timeoutEvent = call.events.find((e) => e.name === 'overlap.timeout');
    expect(timeoutEvent?.attributes?.['overlap.body.running']).toBe(true);
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('call() - a body that never settles gives its permit back after reclaimPermitAfterMs, within maxReclaimed', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 2, maxReclaimed: 1 });
    const never = defineTool({
      name: 'never',
      input: z.object({}),
      timeoutMs: 100,
      reclaimPermitAfterMs: 200,
      gates: [pool],
      run: () => new Promise<string>(() => {}),
    });
    const calls = [t.runner.call(never, {}).catch(() => 'x'), t.runner.call(never, {}).catch(() => 'x')];
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(calls);
    expect(pool.inFlight).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    // One permit reclaimed (maxReclaimed 1), the other stays with its body: the upstream sees at most 3.
    expect(pool.inFlight).toBe(1);
    expect(pool.reclaimedRunning).toBe(1);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toContain('keeps its permit until it settles');
    // The bodies still run, so their abandoned spans stay open, with the reclaim as an event on each.
    const open = [...t.recorder.open].filter((s) => s.name === 'abandoned never');
    expect(open).toHaveLength(2);
    const refusedBy = open.map((s) => s.events.find((e) => e.name === 'overlap.permit.reclaimed')?.attributes?.['overlap.permit.refused_by']);
    expect(refusedBy).toEqual([[], ['pool']]);
    // Until the runner stops watching them (abandonedSpanMaxMs, 60 s by default).
    await vi.advanceTimersByTimeAsync(60_000);
    const abandoned = t.byName('abandoned never');
    expect(abandoned).toHaveLength(2);
    expect(abandoned.every((s) => s.attributes['overlap.body.settled'] === false)).toBe(true);
    expect(abandoned.every((s) => s.events.some((e) => e.name === 'overlap.body.unwatched'))).toBe(true);
    expect(t.recorder.open.size).toBe(0);
  });

  it('abandoned span - stays open past the reclaim, which is an event on it, and ends when the body settles', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    // Ignores its signal and answers at 2,000 ms; the permit is reclaimed at 1,000 ms (reclaimPermitAfterMs = timeoutMs).
    const stubborn = defineTool({ name: 'stubborn', input: z.object({}), timeoutMs: 500, gates: [pool], run: () => sleep(2000).then(() => 'late') });
    const settled = t.runner.call(stubborn, {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled).toBeInstanceOf(ToolTimeoutError);
    const call = t.one('execute_tool stubborn');
    const at = (time: [number, number]) => msOf(time) - msOf(call.startTime);
    expect(at(call.endTime)).toBe(500);

    await vi.advanceTimersByTimeAsync(500);
    expect(pool.inFlight).toBe(0);
    const open = [...t.recorder.open].find((span) => span.name === 'abandoned stubborn')!;
    expect(open).toBeDefined();
    expect(at(open.startTime)).toBe(500);
    expect(open.events.map((e) => [e.name, at(e.time), e.attributes?.['overlap.permit.refused_by']])).toEqual([['overlap.permit.reclaimed', 1000, []]]);

    await vi.advanceTimersByTimeAsync(1000);
    const abandoned = t.one('abandoned stubborn');
    expect(at(abandoned.endTime)).toBe(2000);
    expect(abandoned.attributes).toMatchObject({ 'overlap.body.settled': true, 'overlap.body.outcome': 'ok', 'overlap.phase': 'abandoned' });
    expect(t.warnings).toEqual([]);
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('abandoned span - a tool with no gate has no permit to reclaim: no reclaim event, no warning, open until the body settles', async () => {
    const t = tracedRunner();
    const stubborn = defineTool({ name: 'stubborn', input: z.object({}), timeoutMs: 500, run: () => sleep(2000).then(() => Promise.reject(new TypeError('late and wrong'))) });
    const settled = t.runner.call(stubborn, {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled).toBeInstanceOf(ToolTimeoutError);
    await vi.advanceTimersByTimeAsync(1500);
    const call = t.one('execute_tool stubborn');
    const abandoned = t.one('abandoned stubborn');
    expect(msOf(abandoned.startTime) - msOf(call.startTime)).toBe(500);
    expect(msOf(abandoned.endTime) - msOf(call.startTime)).toBe(2000);
    expect(abandoned.events).toEqual([]);
    expect(abandoned.attributes).toMatchObject({ 'overlap.body.settled': true, 'overlap.body.outcome': 'error', 'error.type': 'TypeError' });
    expect(t.warnings).toEqual([]);
    expect(t.recorder.open.size).toBe(0);
  });

  it('abandonedSpanMaxMs - past it the span ends saying the runner stopped watching; a refused permit still comes back when the body settles', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 1, maxReclaimed: 0 });
    const stubborn = defineTool({
      name: 'stubborn',
      input: z.object({}),
      timeoutMs: 500,
      abandonedSpanMaxMs: 3000,
      gates: [pool],
      run: () => sleep(10_000).then(() => 'very late'),
    });
    void t.runner.call(stubborn, {}).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(3500);
    const abandoned = t.one('abandoned stubborn');
    const call = t.one('execute_tool stubborn');
    expect(msOf(abandoned.endTime) - msOf(call.startTime)).toBe(3500);
    expect(abandoned.attributes['overlap.body.settled']).toBe(false);
    expect(abandoned.events.map((e) => [e.name, e.attributes?.['overlap.permit.refused_by'] ?? e.attributes?.['overlap.abandoned.max_ms']])).toEqual([
      ['overlap.permit.reclaimed', ['pool']],
      ['overlap.body.unwatched', 3000],
    ]);
    expect(t.warnings).toHaveLength(1);
    expect(pool.inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(6500);
    expect(pool.inFlight).toBe(0);
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('abandoned span - starts when the call ends and ends when the body really finished, past the reclaim time (real clock)', async () => {
    vi.useRealTimers();
    const t = tracedRunner();
    // No gate, and the default reclaimPermitAfterMs (30 ms): the span must not end at the reclaim time.
    const stubborn = defineTool({
      name: 'stubborn',
      input: z.object({}),
      timeoutMs: 30,
      run: () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 150)),
    });
    await expect(t.runner.call(stubborn, {})).rejects.toBeInstanceOf(ToolTimeoutError);
    await new Promise((r) => setTimeout(r, 200));
    const call = t.one('execute_tool stubborn');
    const abandoned = t.one('abandoned stubborn');
    const ms = (time: [number, number]) => time[0] * 1e3 + time[1] / 1e6;
    expect(ms(abandoned.startTime) - ms(call.endTime)).toBeGreaterThanOrEqual(-1);
    expect(ms(abandoned.startTime) - ms(call.endTime)).toBeLessThan(50);
    // The body finished about 120 ms after the timeout; allow a slow machine plenty of room.
    expect(ms(abandoned.endTime) - ms(abandoned.startTime)).toBeGreaterThan(60);
    expect(abandoned.attributes['overlap.body.settled']).toBe(true);
  });

  it('run() - the deadline stops every open call with DeadlineExceededError and ends the run on time', async () => {
    const t = tracedRunner();
    const slow = defineTool({
      name: 'slow',
      input: z.number(),
      timeoutMs: 10_000,
      run: async (ms, { signal }) => (await sleep(ms, signal), ms),
    });
    const agent = defineAgent({
      name: 'deadline_agent',
      run: (ctx) => ctx.all([ctx.call(slow, 100), ctx.call(slow, 5000)]),
    });
    const start = performance.now();
    const p = t.runner.run(agent, undefined, { deadlineMs: 1000 }).catch((e: unknown) => ({ e, at: performance.now() - start }));
    await vi.advanceTimersByTimeAsync(1000);
    const { e, at } = (await p) as { e: DeadlineExceededError; at: number };
    expect(isDeadlineExceededError(e)).toBe(true);
    expect(at).toBe(1000);
    const calls = t.byName('execute_tool slow');
    expect(calls.map((s) => s.attributes['overlap.outcome']).sort()).toEqual(['ok', 'timeout']);
    expect(t.one('invoke_agent deadline_agent').attributes['overlap.outcome']).toBe('timeout');
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('run() - rejects at the deadline even when the agent body awaits something that ignores it', async () => {
    const t = tracedRunner();
    const agent = defineAgent({ name: 'sleepy', run: () => new Promise(() => {}) });
    const p = t.runner.run(agent, undefined, { deadlineMs: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await p).toBeInstanceOf(DeadlineExceededError);
  });

  it('run() - a sub-agent never outlives its parent deadline', async () => {
    const t = tracedRunner();
    const slow = defineTool({ name: 'slow', input: z.number(), run: async (ms, { signal }) => (await sleep(ms, signal), ms) });
    const child = defineAgent({ name: 'child', run: (ctx) => ctx.call(slow, 5000) });
    const parent = defineAgent({ name: 'parent', run: (ctx) => ctx.run(child, undefined, { deadlineMs: 60_000 }) });
    const p = t.runner.run(parent, undefined, { deadlineMs: 200 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    expect(await p).toBeInstanceOf(DeadlineExceededError);
    expect(t.one('invoke_agent child').attributes['overlap.outcome']).toBe('timeout');
    expect(t.parentOf(t.one('invoke_agent child'))?.name).toBe('invoke_agent parent');
  });

  it('call() - the caller signal aborts a queued call, which leaves the queue and rejects with the reason', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const hold = deferred<string>();
    const tool = defineTool({ name: 'pooled', input: z.string(), gates: [pool], run: (s) => (s === 'hold' ? hold.promise : s) });
    const first = t.runner.call(tool, 'hold');
    const controller = new AbortController();
    const queued = t.runner.call(tool, 'queued', { signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    expect(pool.queued).toBe(1);
    controller.abort('user left');
    expect(await queued).toBe('user left');
    expect(pool.queued).toBe(0);
    hold.resolve('done');
    expect(await first).toBe('done');
    expect(pool.inFlight).toBe(0);
    const spans = t.byName('execute_tool pooled');
    expect(spans.map((s) => s.attributes['overlap.outcome']).sort()).toEqual(['cancelled', 'ok']);
    const queue = t.one('queue pool');
    expect(queue.attributes['overlap.phase']).toBe('queue');
    expect(queue.status.code).toBe(2);
    expect(t.recorder.open.size).toBe(0);
  });

  it('call() - permits are released on success, error, throw, timeout and abort', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 2 });
    const tool = defineTool({
      name: 'varied',
      input: z.enum(['ok', 'reject', 'throw', 'slow', 'abortable']),
      timeoutMs: 100,
      gates: [pool],
      run(kind, { signal }) {
        if (kind === 'throw') throw new Error('sync throw');
        if (kind === 'reject') return Promise.reject(new Error('async reject'));
        if (kind === 'slow' || kind === 'abortable') return sleep(10_000, signal).then(() => kind);
        return kind;
      },
    });
    const controller = new AbortController();
    const results = Promise.allSettled([
      t.runner.call(tool, 'ok'),
      t.runner.call(tool, 'reject'),
      t.runner.call(tool, 'throw'),
      t.runner.call(tool, 'slow'),
      t.runner.call(tool, 'abortable', { signal: controller.signal }),
    ]);
    await vi.advanceTimersByTimeAsync(50);
    controller.abort(new Error('aborted'));
    await vi.advanceTimersByTimeAsync(100);
    const settled = await results;
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(pool.inFlight).toBe(0);
    expect(pool.queued).toBe(0);
    expect(t.byName('execute_tool varied').map((s) => s.attributes['overlap.outcome'])).toEqual(
      expect.arrayContaining(['ok', 'error', 'error', 'timeout', 'cancelled']),
    );
    expect(t.recorder.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
