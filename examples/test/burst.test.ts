import { Semaphore, type Gate } from '@overlap/runner';
import { OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { findExample, type BurstOutput } from '../src/index.js';
import { Trace, eventMs, startUpstream, tracedRunner } from './helpers.js';

describe('burst example', () => {
  it('run() - with a low limit, calls queue at the semaphore and the upstream never sees more than the limit', async () => {
    const upstream = await startUpstream({ endpoints: { orders: { latencyMs: [30, 50], rateLimit: null } } });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('burst')!.run({ runner, upstreamUrl: upstream.url }, { limit: 3, count: 15 });

    const [run] = result.runs;
    expect(run).toMatchObject({ agent: 'burst_agent', label: '15 calls, limit 3' });
    expect(run!.error).toBeUndefined();
    expect(run!.output).toEqual({ succeeded: 15, failed: 0, errors: {} } satisfies BurstOutput);
    const trace = Trace.of(recorder, run!.traceId);
    const calls = trace.named('execute_tool get_order');
    expect(calls).toHaveLength(15);
    const queues = trace.named('queue orders-burst');
    expect(queues).toHaveLength(12);
    for (const q of queues) expect(q.attributes[OverlapAttributes.GATE_KIND]).toBe('semaphore');
    for (const call of calls) expect(call.attributes[OverlapAttributes.GATE]).toEqual(['orders-burst']);
    expect(upstream.stats.endpoint('orders')).toMatchObject({ requests: 15, maxInFlight: 3, rateLimited: 0 });
    expect(recorder.open.size).toBe(0);
  }, 15_000);

  it('run() - with a high limit, the upstream answers 429 and the retries wait at least its Retry-After', async () => {
    const upstream = await startUpstream({
      fractionalRetryAfter: true,
      endpoints: { orders: { latencyMs: [10, 20], rateLimit: { limit: 5, intervalMs: 250 } } },
    });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('burst')!.run({ runner, upstreamUrl: upstream.url }, { limit: 20, count: 20 });

    const [run] = result.runs;
    const output = run!.output as BurstOutput;
    expect(output.succeeded + output.failed).toBe(20);
    expect(output.succeeded).toBeGreaterThanOrEqual(5);
    const stats = upstream.stats.endpoint('orders');
    expect(stats.rateLimited).toBeGreaterThanOrEqual(15);
    expect(stats.answered).toBe(output.succeeded);

    const trace = Trace.of(recorder, run!.traceId);
    const retried = trace.named('execute_tool get_order').filter((s) => (s.attributes[OverlapAttributes.ATTEMPT] as number) > 1);
    expect(retried.length).toBeGreaterThanOrEqual(15);
    let hinted = 0;
    for (const call of retried) {
      const events = call.events;
      for (let i = 0; i < events.length; i += 1) {
        const backoff = events[i]!;
        if (backoff.name !== OverlapEvents.RETRY_BACKOFF) continue;
        const afterMs = backoff.attributes?.[OverlapAttributes.RETRY_AFTER_MS] as number | undefined;
        const delayMs = backoff.attributes?.[OverlapAttributes.RETRY_DELAY_MS] as number;
        if (afterMs === undefined) continue;
        hinted += 1;
        expect(afterMs).toBeGreaterThan(0);
        expect(afterMs).toBeLessThanOrEqual(250);
        expect(delayMs).toBeGreaterThanOrEqual(afterMs);
        const next = events.slice(i + 1).find((e) => e.name === OverlapEvents.ATTEMPT_START);
        if (next !== undefined) expect(eventMs(next) - eventMs(backoff)).toBeGreaterThanOrEqual(afterMs - 2);
      }
    }
    expect(hinted).toBeGreaterThanOrEqual(15);
    expect(recorder.open.size).toBe(0);
  }, 15_000);

  it('run() - uses the semaphore the environment makes (a shared gate) instead of a local one', async () => {
    const upstream = await startUpstream({ endpoints: { orders: { latencyMs: [10, 20], rateLimit: null } } });
    const { runner, recorder } = tracedRunner();
    const asked: Array<[string, number]> = [];
    const shared = new Semaphore({ name: 'redis:orders-burst', permits: 2 });
    const semaphore = (name: string, permits: number): Gate => (asked.push([name, permits]), shared);
    const result = await findExample('burst')!.run({ runner, upstreamUrl: upstream.url, semaphore }, { limit: 2, count: 6 });

    expect(asked).toEqual([['orders-burst', 2]]);
    const trace = Trace.of(recorder, result.runs[0]!.traceId);
    expect(trace.named('queue redis:orders-burst')).toHaveLength(4);
    expect(trace.named('queue orders-burst')).toHaveLength(0);
    for (const call of trace.named('execute_tool get_order')) expect(call.attributes[OverlapAttributes.GATE]).toEqual(['redis:orders-burst']);
    expect(shared.inFlight).toBe(0);
    expect(upstream.stats.endpoint('orders').maxInFlight).toBeLessThanOrEqual(2);
  }, 15_000);
});
