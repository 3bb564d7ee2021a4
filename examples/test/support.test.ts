import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { findExample } from '../src/index.js';
import { Trace, endsBefore, overlap, startUpstream, tracedRunner } from './helpers.js';

describe('support example', () => {
  it('run() - looks up weather, status and orders at once, queues orders past the orders-db limit, then asks the model', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('support')!.run({ runner, upstreamUrl: upstream.url }, { limit: 1 });

    expect(result.parameters).toEqual({ limit: 1, timeoutMs: 1000 });
    const [run] = result.runs;
    expect(run).toMatchObject({ agent: 'support_agent' });
    expect(run!.error).toBeUndefined();
    expect((run!.output as { orders: string[] }).orders).toHaveLength(3);

    const trace = Trace.of(recorder, run!.traceId);
    const weather = trace.one('execute_tool get_weather');
    const user = trace.one('execute_tool get_user_status');
    const orders = trace.named('execute_tool get_order');
    const chat = trace.one('chat upstream-general');
    expect(orders).toHaveLength(3);
    for (const call of trace.calls) expect(call.parentSpanContext?.spanId).toBe(trace.root.spanContext().spanId);

    // With one permit, two orders waited for orders-db, and the orders API never served two at once.
    const queued = orders.filter((o) => trace.childrenOf(o).some((s) => s.name === 'queue orders-db'));
    expect(queued).toHaveLength(2);
    const queues = queued.flatMap((o) => trace.childrenOf(o)).filter((s) => s.name === 'queue orders-db');
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.attributes).toMatchObject({ [OverlapAttributes.PHASE]: 'queue', [OverlapAttributes.GATE]: 'orders-db' });
    expect(upstream.stats.endpoint('orders')).toMatchObject({ requests: 3, maxInFlight: 1 });

    // The weather, the status and the order that got the permit at once were looked up together.
    const first = orders.find((o) => !queued.includes(o))!;
    for (const [a, b] of [[weather, user], [weather, first], [user, first]] as const) expect(overlap(a, b)).toBe(true);
    expect(orders[0]!.attributes[OverlapAttributes.GATE]).toEqual(['orders-db', 'orders-api']);

    // Every lookup has a timeout, and the model answers after all of them, with its token usage.
    for (const call of [weather, user, ...orders]) expect(call.attributes[OverlapAttributes.TIMEOUT_MS]).toBe(1000);
    for (const call of [weather, user, ...orders]) expect(endsBefore(call, chat)).toBe(true);
    expect(chat.attributes[GenAiAttributes.USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
    expect(chat.attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
    expect(chat.attributes[GenAiAttributes.RESPONSE_MODEL]).toBe('upstream-general');
    expect(recorder.open.size).toBe(0);
  }, 15_000);
});
