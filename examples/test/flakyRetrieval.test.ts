import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { describe, expect, it, vi } from 'vitest';
import { findExample } from '../src/index.js';
import { Trace, endsBefore, eventMs, overlap, startUpstream, tracedRunner } from './helpers.js';

// Well above the upstream's scaled latencies (20-80 ms), so only the hung database times out, even on a
// busy machine.
const TIMEOUT_MS = 500;

describe('flaky-retrieval example', () => {
  it('run() - retries the flaky FAQ with back-off, times the hung database out, and answers without it', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1 });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('flaky-retrieval')!.run({ runner, upstreamUrl: upstream.url }, { timeoutMs: TIMEOUT_MS });

    const [run] = result.runs;
    expect(run).toMatchObject({ agent: 'retrieval_agent' });
    expect(run!.error).toBeUndefined();
    expect(run!.output).toMatchObject({ used: ['faq', 'vectors'], missing: { tickets: 'OVERLAP_TOOL_TIMEOUT' } });

    const trace = Trace.of(recorder, run!.traceId);
    const faq = trace.one('execute_tool search_faq');
    const vectors = trace.one('execute_tool query_vector_store');
    const tickets = trace.one('execute_tool query_tickets_db');
    for (const [a, b] of [[faq, vectors], [faq, tickets], [vectors, tickets]] as const) expect(overlap(a, b)).toBe(true);

    // The FAQ failed twice (503, by its default schedule) and succeeded on the third attempt, backing off between.
    expect(faq.attributes).toMatchObject({ [OverlapAttributes.OUTCOME]: 'ok', [OverlapAttributes.ATTEMPT]: 3 });
    const failed = faq.events.filter((e) => e.name === OverlapEvents.ATTEMPT_FAILED);
    expect(failed.map((e) => e.attributes?.[GenAiAttributes.ERROR_TYPE])).toEqual(['OVERLAP_UPSTREAM', 'OVERLAP_UPSTREAM']);
    const backoffs = faq.events.filter((e) => e.name === OverlapEvents.RETRY_BACKOFF);
    expect(backoffs).toHaveLength(2);
    const starts = faq.events.filter((e) => e.name === OverlapEvents.ATTEMPT_START);
    backoffs.forEach((backoff, i) => {
      const delay = backoff.attributes?.[OverlapAttributes.RETRY_DELAY_MS] as number;
      // Equal jitter: between half and all of 100 ms, then 200 ms.
      expect(delay).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** i);
      expect(eventMs(starts[i + 1]!) - eventMs(backoff)).toBeGreaterThanOrEqual(delay - 2);
    });
    expect(upstream.stats.endpoint('faq')).toMatchObject({ failed: 2, answered: 1 });

    // The database hung: the call timed out, and the aborted request closed its socket at the upstream.
    expect(tickets.attributes).toMatchObject({ [OverlapAttributes.OUTCOME]: 'timeout', [OverlapAttributes.TIMEOUT_MS]: TIMEOUT_MS });
    expect(tickets.events.map((e) => e.name)).toContain(OverlapEvents.TIMEOUT);
    const abandoned = trace.childrenOf(tickets).filter((s) => s.name === 'abandoned query_tickets_db');
    for (const span of abandoned) expect(span.attributes[OverlapAttributes.BODY_SETTLED]).toBe(true);
    await vi.waitFor(() => expect(upstream.stats.endpoint('database')).toMatchObject({ hung: 1, closedByClient: 1, inFlight: 0 }));

    // The answer came after every retrieval had settled.
    const chat = trace.one('chat upstream-general');
    for (const s of [faq, vectors, tickets]) expect(endsBefore(s, chat)).toBe(true);
    expect(recorder.open.size).toBe(0);
  }, 15_000);

  it('run() - with timeoutMs 0 nothing cuts the hung database short: the run waits for it until its 5 s deadline fails it', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('flaky-retrieval')!.run({ runner, upstreamUrl: upstream.url }, { timeoutMs: 0 });
    const [run] = result.runs;
    expect(run).toMatchObject({ agent: 'retrieval_agent', label: 'retries, no timeout', error: { code: 'OVERLAP_DEADLINE_EXCEEDED' } });
    expect(run!.durationMs).toBeGreaterThanOrEqual(4_900);
    const trace = Trace.of(recorder, run!.traceId);
    const tickets = trace.one('execute_tool query_tickets_db');
    expect(tickets.attributes[OverlapAttributes.TIMEOUT_MS]).toBeUndefined();
    expect(tickets.attributes[OverlapAttributes.OUTCOME]).not.toBe('ok');
    // No answer came: past the deadline, the model call (if the agent got to it) did not succeed.
    expect(trace.named('chat upstream-general').every((span) => span.attributes[OverlapAttributes.OUTCOME] !== 'ok')).toBe(true);
    await vi.waitFor(() => expect(upstream.stats.endpoint('database')).toMatchObject({ hung: 1, inFlight: 0 }));
  }, 15_000);
});
