// One clock per runner, and one instant per hand-off: when a call gives its permit back and the next call
// is granted it, the trace shows the release and the grant at the same timestamp, so no chart built from
// the spans can show a semaphore of 2 with 3 holders.
import { assembleTrace, concurrencyTimeline, OverlapAttributes, type SpanRecord } from '@overlap/shared';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Semaphore, defineAgent, defineTool } from '../src/index.js';
import { readableSpanToRecord } from '../src/telemetry/index.js';
import { msOf, sleep, tickingClock, tracedRunner } from './helpers.js';

/** The most calls holding `gate` at once, as the dashboard's concurrency panel computes it from the spans. */
function maxHolders(spans: readonly ReadableSpan[], gate: string): number | undefined {
  const records: SpanRecord[] = spans.map((span) => readableSpanToRecord(span, false));
  return concurrencyTimeline(assembleTrace(records)).gates.find((series) => series.gate === gate)?.maxInFlight;
}

/** An agent that issues `count` calls of `tool` at once. */
function burstAgent(tool: ReturnType<typeof defineTool<z.ZodNumber, number>>, count: number) {
  return defineAgent({ name: 'burst', run: (ctx) => ctx.all(Array.from({ length: count }, (_, i) => (c: typeof ctx) => c.call(tool, i))) });
}

describe('one clock per runner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('Runner({ clock }) - queue spans, call spans and overlap.queue.wait_ms all read the injected clock, so they agree', async () => {
    // Every read of this clock is 0.25 ms after the last, so times read from anything else would disagree.
    const clock = tickingClock(0.25);
    const t = tracedRunner({ clock });
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const tool = defineTool({ name: 'work', input: z.number(), gates: [pool], run: (ms, { signal }) => sleep(ms, signal).then(() => ms) });
    const calls = Promise.all([t.runner.call(tool, 40), t.runner.call(tool, 40), t.runner.call(tool, 40)]);
    await vi.advanceTimersByTimeAsync(200);
    await calls;
    const queues = t.byName('queue pool');
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      const waitMs = queue.attributes[OverlapAttributes.QUEUE_WAIT_MS] as number;
      expect(waitMs).toBeGreaterThan(40);
      expect(msOf(queue.endTime) - msOf(queue.startTime)).toBeCloseTo(waitMs, 6);
    }
    const waited = t.byName('execute_tool work').map((span) => span.attributes[OverlapAttributes.QUEUE_WAIT_MS] as number);
    const queueMs = queues.map((queue) => msOf(queue.endTime) - msOf(queue.startTime));
    expect(waited.reduce((a, b) => a + b, 0)).toBeCloseTo(queueMs.reduce((a, b) => a + b, 0), 6);
  });

  it("Semaphore hand-off - the releasing call's span ends at the very timestamp the next holder's queue span ends", async () => {
    const t = tracedRunner({ clock: tickingClock() });
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const tool = defineTool({ name: 'work', input: z.number(), gates: [pool], run: (ms, { signal }) => sleep(ms, signal).then(() => ms) });
    const calls = Promise.all([10, 20, 30, 40].map((ms) => t.runner.call(tool, ms)));
    await vi.advanceTimersByTimeAsync(200);
    await calls;
    const byEnd = [...t.byName('execute_tool work')].sort((a, b) => msOf(a.endTime) - msOf(b.endTime));
    const queues = t.byName('queue pool');
    expect(queues).toHaveLength(3);
    for (let i = 0; i < 3; i += 1) {
      const next = queues.find((queue) => t.parentOf(queue) === byEnd[i + 1])!;
      expect(next.endTime).toEqual(byEnd[i]!.endTime);
    }
    expect(maxHolders(t.spans(), 'pool')).toBe(1);
  });

  it('concurrencyTimeline - a burst of 30 calls through a semaphore of 2 never shows more than 2 holders (injected clock)', async () => {
    const t = tracedRunner({ clock: tickingClock() });
    const pool = new Semaphore({ name: 'pool', permits: 2 });
    const tool = defineTool({ name: 'work', input: z.number(), gates: [pool], run: (i, { signal }) => sleep(5 + (i % 7), signal).then(() => i) });
    const run = t.runner.run(burstAgent(tool, 30), undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await run;
    expect(t.byName('queue pool')).toHaveLength(28);
    expect(maxHolders(t.spans(), 'pool')).toBe(2);
  });
});

describe('hand-off, real timers', () => {
  it('concurrencyTimeline - a burst of 30 calls through a semaphore of 2 never shows more than 2 holders (real clock)', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'burst-pool', permits: 2 });
    const tool = defineTool({ name: 'work', input: z.number(), gates: [pool], run: (i, { signal }) => sleep(1 + (i % 4), signal).then(() => i) });
    await t.runner.run(burstAgent(tool, 30), undefined);
    expect(t.byName('queue burst-pool')).toHaveLength(28);
    expect(maxHolders(t.spans(), 'burst-pool')).toBe(2);
  });
});
