import { Semaphore, type Gate } from '@overlap/runner';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { findExample, type LoopAnswer, type UpstreamOptions } from '../src/index.js';
import { Trace, endsBefore, startUpstream, tracedRunner } from './helpers.js';

/** Runs agent-loop with the tools semaphore made here, counting the most permits held at once. */
async function runLoop(upstreamOptions: UpstreamOptions) {
  const upstream = await startUpstream({ latencyScale: 0.1, ...upstreamOptions });
  const { runner, recorder } = tracedRunner();
  let tools: Semaphore | undefined;
  let mostInFlight = 0;
  const semaphore = (name: string, permits: number): Gate => {
    tools = new Semaphore({ name, permits });
    tools.onAcquire(() => (mostInFlight = Math.max(mostInFlight, tools!.inFlight)));
    return tools;
  };
  const result = await findExample('agent-loop')!.run({ runner, upstreamUrl: upstream.url, semaphore });
  const run = result.runs[0]!;
  expect(run.error).toBeUndefined();
  return { upstream, recorder, run, trace: Trace.of(recorder, run.traceId), output: run.output as LoopAnswer, mostInFlight: () => mostInFlight, tools: tools! };
}

describe('agent-loop example', () => {
  it('run() - the model asks for three tools at once; they run concurrently, at most `limit` at a time; the results go back and it answers', async () => {
    const { trace, output, mostInFlight, tools, recorder } = await runLoop({});
    expect(output.turns).toBe(2);
    expect(output.toolCalls).toEqual([
      { name: 'get_weather', ok: true },
      { name: 'get_order', ok: true },
      { name: 'search_kb', ok: true },
    ]);
    expect(output.answer).toContain('From 3 tool results');
    expect(output.answer).toContain('get_order said {"orderId"');

    // Two model calls, streamed through the official client: request and response attributes, time to first token.
    const chats = trace.named('chat upstream-general');
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(chat.attributes).toMatchObject({
        [GenAiAttributes.PROVIDER_NAME]: 'openai',
        [GenAiAttributes.REQUEST_MODEL]: 'upstream-general',
        [GenAiAttributes.RESPONSE_MODEL]: 'upstream-general',
        [GenAiAttributes.RESPONSE_ID]: expect.stringMatching(/^chatcmpl-/),
      });
      expect(chat.attributes[GenAiAttributes.USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
      expect(chat.attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
      const firstToken = chat.events.filter((e) => e.name === OverlapEvents.FIRST_TOKEN);
      expect(firstToken).toHaveLength(1);
      expect(firstToken[0]!.attributes![OverlapAttributes.TIME_TO_FIRST_TOKEN_MS]).toBeGreaterThan(0);
      expect(chat.attributes[GenAiAttributes.TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    }
    expect(chats.map((c) => c.attributes[GenAiAttributes.RESPONSE_FINISH_REASONS])).toEqual([['tool_calls'], ['stop']]);

    // The three tool calls, under the model's call ids, between the two model calls, through the shared gates.
    const calls = trace.calls.filter((s) => s.name.startsWith('execute_tool '));
    expect(calls.map((s) => s.name).sort()).toEqual(['execute_tool get_order', 'execute_tool get_weather', 'execute_tool search_kb']);
    for (const call of calls) {
      expect(call.attributes[GenAiAttributes.TOOL_CALL_ID]).toMatch(/^call_/);
      expect(call.attributes[OverlapAttributes.GATE]).toEqual(['tools', 'tools-api']);
      expect(endsBefore(chats[0]!, call)).toBe(true);
      expect(endsBefore(call, chats[1]!)).toBe(true);
    }
    // The default limit is 2: two ran at once, the third waited for a permit.
    expect(mostInFlight()).toBe(2);
    expect(trace.named('queue tools')).toHaveLength(1);
    expect(tools.inFlight).toBe(0);
    expect(recorder.open.size).toBe(0);
  }, 15_000);

  it('run() - a 429 past the model\'s tokens-per-minute budget is retried by the runner after the retry-after the server asked for', async () => {
    // Measure what the two model calls cost, then allow a little more than the larger one per 400 ms window.
    const probe = await runLoop({});
    const costs = probe.trace
      .named('chat upstream-general')
      .map((c) => (c.attributes[GenAiAttributes.USAGE_INPUT_TOKENS] as number) + (c.attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS] as number));
    const budget = Math.max(...costs) + 1;
    expect(costs[0]! + costs[1]!).toBeGreaterThan(budget);

    const { trace, upstream } = await runLoop({ endpoints: { model: { tokenRateLimit: { tokens: budget, intervalMs: 400 } } } });
    expect(upstream.stats.endpoint('model')).toMatchObject({ rateLimited: 1, answered: 2 });
    const second = trace.named('chat upstream-general')[1]!;
    expect(second.attributes[OverlapAttributes.ATTEMPT]).toBe(2);
    expect(second.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
    const backoff = second.events.find((e) => e.name === OverlapEvents.RETRY_BACKOFF)!;
    const retryAfterMs = backoff.attributes![OverlapAttributes.RETRY_AFTER_MS] as number;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(400);
    expect(backoff.attributes![OverlapAttributes.RETRY_DELAY_MS]).toBeGreaterThanOrEqual(retryAfterMs);
    const failed = second.events.find((e) => e.name === OverlapEvents.ATTEMPT_FAILED)!;
    expect(failed.attributes![OverlapAttributes.ERROR_MESSAGE]).toMatch(/429.*tokens per min/);
  }, 20_000);
});
