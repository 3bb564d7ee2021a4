import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Semaphore } from '@overlap/runner';
import { overlapTools } from '@overlap/runner/ai-sdk';
import { readableSpanToRecord } from '@overlap/runner/telemetry';
import { AiSdkAttributes, GenAiAttributes, OverlapAttributes, assembleTrace, summarizeTrace, toolStats } from '@overlap/shared';
import { generateText, isStepCount, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Upstream } from '../../src/index.js';
import { Trace, startUpstream, tracedRunner } from '../helpers.js';
import { dashboardView } from './dashboardView.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
afterAll(() => {
  contextManager.disable();
  context.disable();
});

/** A weather tool that calls the upstream and counts how many of its calls run at once. */
function countedWeatherTool(upstream: Upstream) {
  const counter = { inFlight: 0, most: 0, calls: 0 };
  const getWeather = tool({
    description: 'Current weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }, { abortSignal }) => {
      counter.calls += 1;
      counter.inFlight += 1;
      counter.most = Math.max(counter.most, counter.inFlight);
      try {
        const response = await fetch(`${upstream.url}/weather?city=${encodeURIComponent(city)}`, { signal: abortSignal });
        return (await response.json()) as { city: string; sky: string };
      } finally {
        counter.inFlight -= 1;
      }
    },
  });
  return { getWeather, counter };
}

const prompt = 'Will it rain where my three offices are?';

/** Each Overlap call span and the AI SDK tool span it sits under. */
function overlapCallsUnder(trace: Trace, aiToolSpanName: string): Array<{ overlap: ReadableSpan; parent: ReadableSpan }> {
  return trace.named('execute_tool get_weather')
    .filter((s) => s.attributes[OverlapAttributes.OUTCOME] !== undefined)
    .map((overlap) => ({ overlap, parent: trace.spans.find((s) => s.spanContext().spanId === overlap.parentSpanContext?.spanId)! }))
    .filter(({ parent }) => parent?.name === aiToolSpanName);
}

describe('@overlap/runner/ai-sdk', () => {
  it('overlapTools() with generateText (@ai-sdk/openai chat) - three tool calls of one step under Semaphore(2): at most 2 in flight; Overlap spans under ai.toolCall', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, tracer } = tracedRunner();
    const { getWeather, counter } = countedWeatherTool(upstream);
    const pool = new Semaphore({ name: 'tools', permits: 2 });
    const openai = createOpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local' });

    const result = await generateText({
      model: openai.chat('upstream-general'),
      tools: overlapTools(runner, { get_weather: getWeather }, { gates: [pool], timeoutMs: 2000, retry: { attempts: 2 } }),
      prompt,
      stopWhen: isStepCount(3),
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, integrations: [new LegacyOpenTelemetry({ tracer })] },
    });

    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls).toHaveLength(3);
    expect(result.text).toContain('From 3 tool results');
    expect(counter.calls).toBe(3);
    expect(counter.most).toBe(2);
    expect(pool.inFlight).toBe(0);

    const trace = new Trace(recorder.ended);
    expect(trace.named('ai.generateText')).toHaveLength(1);
    expect(trace.named('ai.generateText.doGenerate')).toHaveLength(2);
    expect(trace.named('ai.toolCall')).toHaveLength(3);
    const nested = overlapCallsUnder(trace, 'ai.toolCall');
    expect(nested).toHaveLength(3);
    for (const { overlap, parent } of nested) {
      expect(overlap.attributes[GenAiAttributes.TOOL_CALL_ID]).toBe(parent.attributes[AiSdkAttributes.TOOL_CALL_ID]);
      expect(overlap.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
      expect(overlap.attributes[OverlapAttributes.GATE]).toEqual(['tools']);
    }
    // The call that found both permits taken waited: a queue span under its Overlap span.
    const queues = trace.named('queue tools');
    expect(queues).toHaveLength(1);
    expect(nested.map((n) => n.overlap.spanContext().spanId)).toContain(queues[0]!.parentSpanContext?.spanId);
    expect(recorder.open.size).toBe(0);

    // The dashboard's figures: three calls of one tool (not six), two model calls, the overlap they saved.
    const records = recorder.ended.map((s) => readableSpanToRecord(s, false));
    const stats = toolStats(records);
    expect(stats.map((s) => [s.operation, s.tool, s.count])).toEqual([
      ['chat', 'upstream-general', 2],
      ['execute_tool', 'get_weather', 3],
    ]);
    expect(stats[1]!.queueWaitMs.p95).toBeGreaterThan(0);
    const summary = summarizeTrace(assembleTrace(records));
    expect(summary.rootName).toBe('ai.generateText');
    expect(summary.callCount).toBe(5);
    expect(summary.inputTokens).toBe(result.totalUsage.inputTokens);
    expect(summary.outputTokens).toBe(result.totalUsage.outputTokens);

    // The dashboard, fed over OTLP, finds the run by its tool and gives the same figures.
    const view = await dashboardView(recorder.ended, 'get_weather');
    expect(view.byTool).toHaveLength(1);
    expect(view.trace.summary).toMatchObject({ rootName: 'ai.generateText', callCount: 5, inputTokens: summary.inputTokens });
    expect(view.trace.spans).toHaveLength(recorder.ended.length);
  }, 20_000);

  it('overlapTools() with streamText (@ai-sdk/openai-compatible) - the same limit holds; Overlap spans under the AI SDK\'s execute_tool spans', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, tracer } = tracedRunner();
    const { getWeather, counter } = countedWeatherTool(upstream);
    const pool = new Semaphore({ name: 'tools', permits: 2 });
    const provider = createOpenAICompatible({ name: 'upstream', baseURL: `${upstream.url}/v1`, includeUsage: true });

    const result = streamText({
      model: provider.chatModel('upstream-general'),
      tools: overlapTools(runner, { get_weather: getWeather }, { gates: [pool] }),
      prompt,
      stopWhen: isStepCount(3),
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, integrations: [new OpenTelemetry({ tracer })] },
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toContain('From 3 tool results');
    expect(await result.steps).toHaveLength(2);
    expect(counter.most).toBe(2);

    const trace = new Trace(recorder.ended);
    expect(trace.spans.filter((s) => s.name.startsWith('invoke_agent '))).toHaveLength(1);
    expect(trace.named('chat upstream-general')).toHaveLength(2);
    const nested = overlapCallsUnder(trace, 'execute_tool get_weather');
    expect(nested).toHaveLength(3);
    for (const { overlap, parent } of nested) expect(overlap.attributes[GenAiAttributes.TOOL_CALL_ID]).toBe(parent.attributes[GenAiAttributes.TOOL_CALL_ID]);
    expect(trace.named('queue tools')).toHaveLength(1);

    const stats = toolStats(recorder.ended.map((s) => readableSpanToRecord(s, false)));
    expect(stats.find((s) => s.tool === 'get_weather')!.count).toBe(3);
  }, 20_000);

  it('overlapTools() with generateText through the Responses API (openai(model), the provider\'s default) - the same limit and nesting', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, tracer } = tracedRunner();
    const { getWeather, counter } = countedWeatherTool(upstream);
    const openai = createOpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local' });
    const result = await generateText({
      model: openai('upstream-general'),
      tools: overlapTools(runner, { get_weather: getWeather }, { gates: [new Semaphore({ name: 'tools', permits: 2 })] }),
      prompt,
      stopWhen: isStepCount(3),
      experimental_telemetry: { isEnabled: true, integrations: [new OpenTelemetry({ tracer })] },
    });
    expect(result.text).toContain('From 3 tool results');
    expect(counter.most).toBe(2);
    expect(upstream.stats.endpoint('model').answered).toBe(2);
    const trace = new Trace(recorder.ended);
    expect(overlapCallsUnder(trace, 'execute_tool get_weather')).toHaveLength(3);
    expect(trace.named('queue tools')).toHaveLength(1);
  }, 20_000);

  it('overlapTools() - without Overlap the AI SDK runs all three at once (the limit above is Overlap\'s)', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { getWeather, counter } = countedWeatherTool(upstream);
    const openai = createOpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local' });
    await generateText({ model: openai.chat('upstream-small'), tools: { get_weather: getWeather }, prompt, stopWhen: isStepCount(3) });
    expect(counter.most).toBe(3);
  }, 20_000);

  it('overlapTools() - a failing execute is retried by Overlap, a timed-out one aborted, and the AI SDK gets the final error as a tool-error', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1, endpoints: { weather: { failures: { pattern: 'x..' } , latencyMs: [10, 10] } } });
    const { runner, recorder } = tracedRunner();
    let attempts = 0;
    const flaky = tool({
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }, { abortSignal }) => {
        attempts += 1;
        const response = await fetch(`${upstream.url}/weather?city=${encodeURIComponent(city)}`, { signal: abortSignal });
        if (!response.ok) throw Object.assign(new Error(`weather answered ${response.status}`), { retryable: true });
        return response.json();
      },
    });
    const slow = tool({
      inputSchema: z.object({ city: z.string() }),
      execute: (_input, { abortSignal }) => new Promise((_resolve, reject) => abortSignal!.addEventListener('abort', () => reject(abortSignal!.reason), { once: true })),
    });
    const openai = createOpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local' });
    const result = await generateText({
      model: openai.chat('upstream-small'),
      tools: overlapTools(runner, { flaky, slow }, (name) => (name === 'slow' ? { timeoutMs: 50 } : { retry: { attempts: 3, baseDelayMs: 1 } })),
      prompt,
      stopWhen: isStepCount(3),
    });
    const outcomes = result.steps[0]!.content.filter((part) => part.type === 'tool-result' || part.type === 'tool-error').map((part) => `${part.toolName}:${part.type}`);
    expect(outcomes.sort()).toEqual(['flaky:tool-result', 'flaky:tool-result', 'slow:tool-error']);
    expect(attempts).toBe(3);
    const trace = new Trace(recorder.ended);
    expect(trace.named('execute_tool flaky').map((s) => s.attributes[OverlapAttributes.ATTEMPT]).sort()).toEqual([1, 2]);
    expect(trace.one('execute_tool slow').attributes[OverlapAttributes.OUTCOME]).toBe('timeout');
  }, 20_000);
});
