// The engine's hook for live views of queued calls (issue 10 §4): a sampled call that waits at a gate
// is announced with what its spans will be, and withdrawn exactly once when it leaves the queue:
// granted, turned away or cancelled.
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Semaphore, defineAgent, defineTool } from '../src/index.js';
import { queuedCallEvents, type DequeuedCallNotice, type QueuedCallNotice } from '../src/engine/queuedCallEvents.js';
import { deferred, flush, msOf, tracedRunner } from './helpers.js';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function listen(): { queued: QueuedCallNotice[]; dequeued: DequeuedCallNotice[] } {
  const seen = { queued: [] as QueuedCallNotice[], dequeued: [] as DequeuedCallNotice[] };
  stops.push(queuedCallEvents.queued.on((notice) => seen.queued.push(notice)));
  stops.push(queuedCallEvents.dequeued.on((notice) => seen.dequeued.push(notice)));
  return seen;
}

function gatedTool(permits: number) {
  const pool = new Semaphore({ name: 'pool', permits });
  const releases = new Map<number, () => void>();
  const tool = defineTool({
    name: 'held',
    input: z.object({ n: z.number() }),
    gates: [pool],
    run: ({ n }) => {
      const done = deferred<number>();
      releases.set(n, () => done.resolve(n));
      return done.promise;
    },
  });
  return { pool, tool, release: (n: number) => releases.get(n)!() };
}

describe('queuedCallEvents', () => {
  it('queued / dequeued - announce a waiting call with its spans to be, and withdraw it when it is granted', async () => {
    const seen = listen();
    const { runner, spans } = tracedRunner();
    const { tool, release } = gatedTool(1);
    const run = runner.run(defineAgent({ name: 'burst', run: (ctx) => ctx.all([0, 1, 2].map((n) => () => ctx.call(tool, { n }, { callId: `c${n}` }))) }), undefined);
    await flush();

    expect(seen.queued.map((notice) => notice.attributes[GenAiAttributes.TOOL_CALL_ID])).toEqual(['c1', 'c2']);
    expect(seen.dequeued).toEqual([]);
    const [first, second] = seen.queued;
    expect(first).toMatchObject({ spanName: 'execute_tool held', gate: 'pool', gateKind: 'semaphore', callSpanId: undefined, ahead: 0 });
    expect(second!.ahead).toBe(1);
    expect(first!.queueId).not.toBe(second!.queueId);

    release(0);
    await flush();
    expect(seen.dequeued).toEqual([{ queueId: first!.queueId, traceId: first!.traceId }]);
    release(1);
    await flush();
    release(2);
    await run;
    expect(seen.dequeued.map((notice) => notice.queueId)).toEqual([first!.queueId, second!.queueId]);

    // What was announced is what the spans became: trace, parent, start times.
    const root = spans().find((span) => span.name === 'invoke_agent burst')!;
    const call = spans().find((span) => span.name === 'execute_tool held' && span.attributes[GenAiAttributes.TOOL_CALL_ID] === 'c1')!;
    const queue = spans().find((span) => span.name === 'queue pool' && span.parentSpanContext?.spanId === call.spanContext().spanId)!;
    expect(first!.traceId).toBe(root.spanContext().traceId);
    expect(first!.parentSpanId).toBe(root.spanContext().spanId);
    expect(msOf(first!.issuedAt)).toBe(msOf(call.startTime));
    expect(msOf(first!.queuedAt)).toBe(msOf(queue.startTime));
    // The notice carries every attribute the call's span has from its start, its gates among them.
    expect(first!.attributes[OverlapAttributes.GATE]).toEqual(['pool']);
    expect(first!.attributes[GenAiAttributes.TOOL_TYPE]).toBe('function');
    for (const [key, value] of Object.entries(first!.attributes)) expect(call.attributes[key], key).toEqual(value);
  });

  it('dequeued - withdraws a queued call that is cancelled, once', async () => {
    const seen = listen();
    const { runner } = tracedRunner();
    const { tool, release } = gatedTool(1);
    const abort = new AbortController();
    const run = runner.run(
      defineAgent({ name: 'cancel', run: (ctx) => Promise.allSettled([ctx.call(tool, { n: 0 }), ctx.call(tool, { n: 1 }, { signal: abort.signal })]) }),
      undefined,
    );
    await flush();
    expect(seen.queued).toHaveLength(1);

    abort.abort(new Error('no longer needed'));
    await flush();
    expect(seen.dequeued).toEqual([{ queueId: seen.queued[0]!.queueId, traceId: seen.queued[0]!.traceId }]);
    release(0);
    await run;
    expect(seen.dequeued).toHaveLength(1);
  });

  it('queued - names the call\'s own span when a call that already has one waits again', async () => {
    const seen = listen();
    const { runner } = tracedRunner();
    const first = new Semaphore({ name: 'first', permits: 1 });
    const second = new Semaphore({ name: 'second', permits: 1 });
    const holdSecond = await second.acquire();
    const holdFirst = await first.acquire();
    const tool = defineTool({ name: 'two_gates', input: z.object({}), gates: [first, second], run: () => 'ok' });
    const run = runner.run(defineAgent({ name: 'two', run: (ctx) => ctx.call(tool, {}) }), undefined);
    await flush();
    expect(seen.queued.map((notice) => [notice.gate, notice.callSpanId])).toEqual([['first', undefined]]);

    holdFirst.release();
    await flush();
    // Past the first gate the call has a span: its second wait is drawn inside that span's row.
    expect(seen.queued.map((notice) => notice.gate)).toEqual(['first', 'second']);
    expect(seen.queued[1]!.callSpanId).toMatch(/^[0-9a-f]{16}$/);
    holdSecond.release();
    await run;
    expect(seen.dequeued).toHaveLength(2);
  });

  it('queued - says nothing without a listener, or for a call outside any sampled trace', async () => {
    const { runner } = tracedRunner();
    const { tool, release } = gatedTool(1);
    const unheard = runner.call(tool, { n: 0 });
    const alsoUnheard = runner.call(tool, { n: 1 });
    const seen = listen();
    // No active span: the call would be a trace of its own, with nowhere to be drawn yet.
    const orphan = runner.call(tool, { n: 2 });
    await flush();
    release(0);
    await flush();
    release(1);
    await flush();
    release(2);
    await Promise.all([unheard, alsoUnheard, orphan]);
    expect(seen).toEqual({ queued: [], dequeued: [] });
  });
});

describe('a live view that throws', () => {
  it('ctx.call() - a listener that throws as a call starts waiting: the call rejects with its error, never throws, and leaves no span open and no permit held', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const hold = deferred();
    const tool = defineTool({
      name: 'held',
      input: z.object({ n: z.number() }),
      gates: [pool],
      run: async ({ n }) => {
        if (n === 0) await hold.promise;
        return n;
      },
    });
    const broken = new Error('the live view broke');
    let throwing = true;
    stops.push(
      queuedCallEvents.queued.on(() => {
        if (throwing) throw broken;
      }),
    );
    const agent = defineAgent({
      name: 'caller',
      run: async (ctx) => {
        const first = ctx.call(tool, { n: 0 });
        let second: Promise<number> | undefined;
        expect(() => {
          second = ctx.call(tool, { n: 1 });
        }).not.toThrow();
        throwing = false;
        await expect(second).rejects.toBe(broken);
        hold.resolve();
        const third = await ctx.call(tool, { n: 2 });
        return [await first, third];
      },
    });
    expect(await t.runner.run(agent, undefined)).toEqual([0, 2]);
    await flush();
    expect(t.recorder.open.size).toBe(0);
    expect(pool.inFlight).toBe(0);
    expect(pool.queued).toBe(0);
    const failed = t.byName('execute_tool held').find((span) => span.attributes[GenAiAttributes.TOOL_CALL_ID] !== undefined && span.status.message === broken.message);
    expect(failed).toBeDefined();
  });
});
