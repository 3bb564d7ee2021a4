import { OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { describe, expect, it, vi } from 'vitest';
import { findExample } from '../src/index.js';
import { SPAN_SKEW_MS, Trace, endsBefore, inStartOrder, interval, overlap, startUpstream, tracedRunner } from './helpers.js';

describe('model-fallback example', () => {
  it('run() - falls back to the small model when the large one times out, and a hedged duplicate beats a slow first request', async () => {
    // Requests 1 and 2 to the large model are slow, request 3 is fast: the fallback run meets the first,
    // the hedge run's first copy the second and its duplicate the third.
    const upstream = await startUpstream({
      endpoints: {
        largeModel: { latencyMs: [20, 40], tokenLatencyMs: [2, 2], slow: { pattern: 'xx.', latencyMs: [2000, 2000] } },
        smallModel: { latencyMs: [20, 40], tokenLatencyMs: [2, 2] },
      },
    });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('model-fallback')!.run({ runner, upstreamUrl: upstream.url }, { timeoutMs: 400 });
    const [fallbackRun, hedgeRun] = result.runs;

    // fallback
    expect(fallbackRun).toMatchObject({ agent: 'answer_with_fallback', label: 'fallback' });
    expect(fallbackRun!.error).toBeUndefined();
    expect(fallbackRun!.output).toMatchObject({ model: 'upstream-small' });
    const fallback = Trace.of(recorder, fallbackRun!.traceId);
    const large = fallback.one('chat upstream-large');
    const small = fallback.one('chat upstream-small');
    expect(large.attributes[OverlapAttributes.OUTCOME]).toBe('timeout');
    expect(large.events.map((e) => e.name)).toContain(OverlapEvents.TIMEOUT);
    expect(fallback.root.events.filter((e) => e.name === OverlapEvents.FALLBACK)).toHaveLength(1);
    expect(small.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
    expect(endsBefore(large, small)).toBe(true);

    // hedge
    expect(hedgeRun).toMatchObject({ agent: 'answer_with_hedge', label: 'hedge' });
    expect(hedgeRun!.error).toBeUndefined();
    expect(hedgeRun!.output).toMatchObject({ model: 'upstream-large' });
    const hedge = Trace.of(recorder, hedgeRun!.traceId);
    expect(hedge.root.events.filter((e) => e.name === OverlapEvents.HEDGE_START)).toHaveLength(1);
    const copies = inStartOrder(hedge.named('chat upstream-large'));
    expect(copies).toHaveLength(2);
    expect(overlap(copies[0]!, copies[1]!)).toBe(true);
    expect(copies[1]!.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
    expect(['cancelled', 'timeout']).toContain(copies[0]!.attributes[OverlapAttributes.OUTCOME]);
    expect(interval(copies[1]!).start - interval(copies[0]!).start).toBeGreaterThanOrEqual(200 - SPAN_SKEW_MS);

    // Both slow requests were given up on, and their sockets closed.
    await vi.waitFor(() => expect(upstream.stats.endpoint('largeModel').closedByClient).toBe(2));
    expect(upstream.stats.endpoint('largeModel').answered).toBe(1);
    expect(recorder.open.size).toBe(0);
  }, 15_000);
});
