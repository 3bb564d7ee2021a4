import { context, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SamplingDecision, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import { Runner, Semaphore, defineAgent, defineModel, defineTool } from '../src/index.js';
import { RecordingProcessor, deferred, flush, tracedRunner } from './helpers.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

describe('spans', () => {
  it('run() - invoke_agent and execute_tool spans follow the GenAI conventions', async () => {
    const t = tracedRunner();
    const lookup = defineTool({
      name: 'get_weather',
      description: 'Weather by city',
      input: z.object({ city: z.string() }),
      timeoutMs: 1000,
      run: ({ city }) => ({ city, tempC: 21 }),
    });
    const agent = defineAgent({ name: 'support_agent', description: 'Answers', run: (ctx) => ctx.call(lookup, { city: 'Oslo' }, { callId: 'tc_1' }) });
    await t.runner.run(agent, undefined, { deadlineMs: 5000 });
    const run = t.one('invoke_agent support_agent');
    expect(run.attributes).toMatchObject({
      [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
      [GenAiAttributes.AGENT_NAME]: 'support_agent',
      [GenAiAttributes.AGENT_DESCRIPTION]: 'Answers',
      [OverlapAttributes.DEADLINE_MS]: 5000,
      [OverlapAttributes.OUTCOME]: 'ok',
    });
    const call = t.one('execute_tool get_weather');
    expect(call.attributes).toMatchObject({
      [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
      [GenAiAttributes.TOOL_NAME]: 'get_weather',
      [GenAiAttributes.TOOL_CALL_ID]: 'tc_1',
      [GenAiAttributes.TOOL_TYPE]: 'function',
      [GenAiAttributes.TOOL_DESCRIPTION]: 'Weather by city',
      [OverlapAttributes.TIMEOUT_MS]: 1000,
      [OverlapAttributes.OUTCOME]: 'ok',
      [OverlapAttributes.ATTEMPT]: 1,
      [OverlapAttributes.QUEUE_WAIT_MS]: 0,
    });
    expect(call.attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS]).toBeUndefined();
    expect(call.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    expect(call.spanContext().traceId).toBe(run.spanContext().traceId);
  });

  it('call() - failures set status ERROR and error.type; input errors record outcome rejected', async () => {
    const t = tracedRunner();
    const broken = defineTool({
      name: 'broken',
      input: z.object({ n: z.number() }),
      run() {
        throw new TypeError('bad state');
      },
    });
    await expect(t.runner.call(broken, { n: 1 })).rejects.toThrow('bad state');
    await expect(t.runner.call(broken, { n: 'x' } as never)).rejects.toThrow('invalid input');
    const [failed, rejected] = t.byName('execute_tool broken');
    expect(failed!.status).toMatchObject({ code: 2, message: 'bad state' });
    expect(failed!.attributes[GenAiAttributes.ERROR_TYPE]).toBe('TypeError');
    expect(failed!.attributes[OverlapAttributes.OUTCOME]).toBe('error');
    expect(rejected!.attributes[GenAiAttributes.ERROR_TYPE]).toBe('OVERLAP_TOOL_INPUT');
    expect(rejected!.attributes[OverlapAttributes.OUTCOME]).toBe('rejected');
  });

  it('call() - a sampler sees the operation and the tool or model name; the other attributes follow at once', async () => {
    const seen: Record<string, Attributes> = {};
    const sampler: Sampler = {
      shouldSample: (_context, _traceId, name, _kind, attributes) => {
        seen[name] = { ...attributes };
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      },
      toString: () => 'RecordingSampler',
    };
    const recorder = new RecordingProcessor();
    const tracer = new TracerProvider({ sampler, spanProcessors: [recorder] }).getTracer('test');
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const tool = defineTool({ name: 'lookup', input: z.number(), timeoutMs: 500, gates: [pool], run: async (n) => n });
    const model = defineModel({ provider: 'openai', model: 'gpt-4o', run: () => ({ text: 'hi' }) });
    const runner = new Runner({ tracer });
    await Promise.all([runner.call(tool, 1), runner.call(tool, 2), runner.call(model, { messages: [{ role: 'user', content: 'hi' }] })]);
    expect(seen['execute_tool lookup']).toEqual({ [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'lookup' });
    expect(seen['chat gpt-4o']).toEqual({
      [GenAiAttributes.OPERATION_NAME]: 'chat',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o',
      [GenAiAttributes.PROVIDER_NAME]: 'openai',
    });
    expect(seen['queue pool']).toEqual({});
    const call = recorder.ended.find((s) => s.name === 'execute_tool lookup')!;
    expect(call.attributes).toMatchObject({ [GenAiAttributes.TOOL_TYPE]: 'function', [OverlapAttributes.TIMEOUT_MS]: 500, [OverlapAttributes.GATE]: ['pool'] });
    const queue = recorder.ended.find((s) => s.name === 'queue pool')!;
    expect(queue.attributes).toMatchObject({ [OverlapAttributes.PHASE]: 'queue', [OverlapAttributes.GATE]: 'pool', [OverlapAttributes.QUEUE_AHEAD]: 0 });
  });

  it('call() - a queued call has a child queue span with the gate and its wait; the call span has the total', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'orders-db', permits: 1 });
    const gate = deferred();
    const tool = defineTool({ name: 'orders', input: z.number(), gates: [pool], run: async (n) => (n === 0 ? (await gate.promise, n) : n) });
    const first = t.runner.call(tool, 0);
    const second = t.runner.call(tool, 1);
    await flush();
    gate.resolve();
    await Promise.all([first, second]);
    const queue = t.one('queue orders-db');
    expect(queue.attributes).toMatchObject({
      [OverlapAttributes.PHASE]: 'queue',
      [OverlapAttributes.GATE]: 'orders-db',
      [OverlapAttributes.GATE_KIND]: 'semaphore',
      [OverlapAttributes.GATE_SCOPE]: 'local',
      [OverlapAttributes.QUEUE_AHEAD]: 0,
    });
    const calls = t.byName('execute_tool orders');
    const waited = calls.find((c) => c.spanContext().spanId === queue.parentSpanContext?.spanId)!;
    expect(waited).toBeDefined();
    expect(waited.attributes[OverlapAttributes.GATE]).toEqual(['orders-db']);
    expect(waited.attributes[OverlapAttributes.QUEUE_WAIT_MS]).toBe(queue.attributes[OverlapAttributes.QUEUE_WAIT_MS]);
    // Only the call that waited has a queue span.
    expect(t.byName('queue orders-db')).toHaveLength(1);
  });

  it('call() - a tool body runs in its call span context, so spans it starts nest under the call', async () => {
    const t = tracedRunner();
    const inner = defineTool({
      name: 'http_tool',
      input: z.object({}),
      run: async () => {
        await Promise.resolve();
        t.tracer.startActiveSpan('GET /weather', (span) => span.end());
        return 'ok';
      },
    });
    await t.runner.run(defineAgent({ name: 'a', run: (ctx) => ctx.call(inner, {}) }), undefined);
    expect(t.parentOf(t.one('GET /weather'))?.name).toBe('execute_tool http_tool');
  });

  it('runner.call() - nests under the active span', async () => {
    const t = tracedRunner();
    const tool = defineTool({ name: 'solo', input: z.object({}), run: () => 1 });
    await t.tracer.startActiveSpan('request', async (span) => {
      await t.runner.call(tool, {});
      span.end();
    });
    expect(t.parentOf(t.one('execute_tool solo'))?.name).toBe('request');
  });

  it('defineModel() - chat spans carry the model, provider and token usage', async () => {
    const t = tracedRunner();
    const model = defineModel({
      provider: 'local',
      model: 'tiny-1',
      run: (request) => ({
        text: `echo ${request.messages.at(-1)!.content}`,
        usage: { inputTokens: 12, outputTokens: 3 },
        finishReason: 'stop',
        responseModel: 'tiny-1-2026',
      }),
    });
    const answer = await t.runner.call(model, { messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.text).toBe('echo hi');
    const span = t.one('chat tiny-1');
    expect(span.kind).toBe(2);
    expect(span.attributes).toMatchObject({
      [GenAiAttributes.OPERATION_NAME]: 'chat',
      [GenAiAttributes.REQUEST_MODEL]: 'tiny-1',
      [GenAiAttributes.PROVIDER_NAME]: 'local',
      [GenAiAttributes.USAGE_INPUT_TOKENS]: 12,
      [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 3,
      [GenAiAttributes.RESPONSE_MODEL]: 'tiny-1-2026',
      [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
    });
    await expect(t.runner.call(model, { messages: [] })).rejects.toThrow('messages: expected a non-empty array of messages');
  });

  it('Runner({ recordIo }) - records input and output when asked, cut to maxLength', async () => {
    const t = tracedRunner({ recordIo: { maxLength: 25 } });
    const echo = defineTool({ name: 'echo', input: z.object({ text: z.string() }), run: ({ text }) => text.repeat(3) });
    await t.runner.call(echo, { text: 'abcdefghij' });
    const span = t.one('execute_tool echo');
    expect(span.attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS]).toBe('{"text":"abcdefghij"}');
    expect(span.attributes[GenAiAttributes.TOOL_CALL_RESULT]).toBe('"abcdefghijabcdefghijabcd…[7 more characters]');
  });

  it('Runner() - without an SDK, spans are non-recording and calls still work', async () => {
    const runner = new Runner();
    let seenRecording: boolean | undefined;
    const tool = defineTool({
      name: 'plain',
      input: z.object({}),
      run: (_i, { span }) => {
        seenRecording = span.isRecording();
        return trace.getActiveSpan()?.isRecording() ?? false;
      },
    });
    await expect(runner.call(tool, {})).resolves.toBe(false);
    expect(seenRecording).toBe(false);
  });

  it('Runner - several runners in one process keep their own per-tool limits', async () => {
    const a = tracedRunner();
    const b = tracedRunner();
    let running = 0;
    let max = 0;
    const hold = deferred();
    const tool = defineTool({
      name: 'limited',
      input: z.object({}),
      concurrency: 1,
      run: async () => {
        running += 1;
        max = Math.max(max, running);
        await hold.promise;
        running -= 1;
        return 'ok';
      },
    });
    const calls = [a.runner.call(tool, {}), a.runner.call(tool, {}), b.runner.call(tool, {})];
    await flush();
    expect(running).toBe(2);
    hold.resolve();
    await Promise.all(calls);
    expect(max).toBe(2);
  });

  it('spans - a call, its queue span and its parent share one clock: the queue bar sits inside the call bar', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'one', permits: 1 });
    const tool = defineTool({ name: 'slowish', input: z.number(), gates: [pool], run: (n) => new Promise((r) => setTimeout(() => r(n), 15)) });
    await t.runner.run(defineAgent({ name: 'clock', run: (ctx) => ctx.all([1, 2, 3].map((n) => ctx.call(tool, n))) }), undefined);
    const ns = (time: [number, number]) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
    const run = t.one('invoke_agent clock');
    for (const queue of t.byName('queue one')) {
      const call = t.parentOf(queue)!;
      expect(ns(queue.startTime) >= ns(call.startTime)).toBe(true);
      // Issued and queued in the same tick: well under a millisecond apart, on the same clock.
      expect(ns(queue.startTime) - ns(call.startTime) < 1_000_000n).toBe(true);
      expect(ns(queue.endTime) <= ns(call.endTime)).toBe(true);
      expect(ns(call.startTime) >= ns(run.startTime)).toBe(true);
      expect(ns(call.endTime) <= ns(run.endTime)).toBe(true);
    }
    expect(t.byName('queue one')).toHaveLength(2);
  });
});
