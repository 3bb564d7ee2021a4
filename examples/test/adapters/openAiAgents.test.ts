import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, run, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Semaphore } from '@overlap/runner';
import { OpenTelemetryTracingProcessor, overlapTool } from '@overlap/runner/openai-agents';
import { GenAiAttributes, OpenAiAgentsAttributes, OverlapAttributes } from '@overlap/shared';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Upstream } from '../../src/index.js';
import { Trace, startUpstream, tracedRunner } from '../helpers.js';
import { dashboardView } from './dashboardView.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  // Agents JS turns its tracing off when NODE_ENV is "test", as vitest sets it.
  setTracingDisabled(false);
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});
const processors: OpenTelemetryTracingProcessor[] = [];
afterEach(async () => {
  setTraceProcessors([]);
  await Promise.all(processors.splice(0).map((p) => p.shutdown()));
});

/** A traced runner, and Agents JS traces turned into spans of the same tracer. */
function traced() {
  const t = tracedRunner();
  const processor = new OpenTelemetryTracingProcessor({ tracer: t.tracer });
  processors.push(processor);
  setTraceProcessors([processor]);
  return { ...t, processor };
}

function chatModel(upstream: Upstream, model = 'upstream-general') {
  return new OpenAIChatCompletionsModel(new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local', maxRetries: 0 }), model);
}

/** The weather tool's definition, counting how many of its calls run at once. */
function countedWeather(upstream: Upstream) {
  const counter = { inFlight: 0, most: 0, calls: 0 };
  const definition = {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }: { city: string }, _runContext?: unknown, details?: { signal?: AbortSignal }) => {
      counter.calls += 1;
      counter.inFlight += 1;
      counter.most = Math.max(counter.most, counter.inFlight);
      try {
        const response = await fetch(`${upstream.url}/weather?city=${encodeURIComponent(city)}`, { signal: details?.signal });
        return (await response.json()) as { city: string; sky: string };
      } finally {
        counter.inFlight -= 1;
      }
    },
  };
  return { definition, counter };
}

const prompt = 'Will it rain where my three offices are?';

/** Overlap's call spans (they have an outcome) with the span each sits under. */
function overlapCalls(trace: Trace, name: string): Array<{ overlap: ReadableSpan; parent: ReadableSpan | undefined }> {
  return trace
    .named(name)
    .filter((s) => s.attributes[OverlapAttributes.OUTCOME] !== undefined)
    .map((overlap) => ({ overlap, parent: trace.spans.find((s) => s.spanContext().spanId === overlap.parentSpanContext?.spanId) }));
}

describe('@overlap/runner/openai-agents', () => {
  it('overlapTool() with run(agent, input) - three tool calls of one turn under Semaphore(2): at most 2 in flight; Overlap spans under the function spans', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, processor } = traced();
    const { definition, counter } = countedWeather(upstream);
    const pool = new Semaphore({ name: 'tools', permits: 2 });
    const agent = new Agent({
      name: 'weather_agent',
      instructions: 'Use the tools, then answer.',
      model: chatModel(upstream),
      tools: [overlapTool(runner, definition, { gates: [pool], timeoutMs: 2000 })],
    });

    const result = await run(agent, prompt);
    expect(String(result.finalOutput)).toContain('From 3 tool results');
    expect(counter.calls).toBe(3);
    expect(counter.most).toBe(2);
    expect(pool.inFlight).toBe(0);
    await vi.waitFor(() => expect(processor.openSpans).toBe(0));

    const trace = new Trace(recorder.ended);
    const root = trace.one('Agent workflow');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes[GenAiAttributes.AGENT_NAME]).toBe('weather_agent');
    const agentSpan = trace.one('invoke_agent weather_agent');
    expect(agentSpan.attributes).toMatchObject({ [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [OpenAiAgentsAttributes.AGENT_TOOLS]: ['get_weather'] });
    expect(trace.named('turn 1')).toHaveLength(1);
    const chats = trace.named('chat upstream-general');
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(chat.kind).toBe(2);
      expect(chat.attributes).toMatchObject({
        [GenAiAttributes.OPERATION_NAME]: 'chat',
        [GenAiAttributes.REQUEST_MODEL]: 'upstream-general',
        [GenAiAttributes.RESPONSE_MODEL]: 'upstream-general',
        [GenAiAttributes.RESPONSE_ID]: expect.stringMatching(/^chatcmpl-/),
      });
      expect(chat.attributes[GenAiAttributes.USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
    }
    expect(chats.map((c) => c.attributes[GenAiAttributes.RESPONSE_FINISH_REASONS])).toEqual([['tool_calls'], ['stop']]);

    const nested = overlapCalls(trace, 'execute_tool get_weather');
    expect(nested).toHaveLength(3);
    for (const { overlap, parent } of nested) {
      expect(parent?.name).toBe('execute_tool get_weather');
      expect(parent?.attributes[OpenAiAgentsAttributes.SPAN_TYPE]).toBe('function');
      expect(overlap.attributes[GenAiAttributes.TOOL_CALL_ID]).toMatch(/^call_/);
      expect(parent?.attributes[GenAiAttributes.TOOL_CALL_ID]).toBe(overlap.attributes[GenAiAttributes.TOOL_CALL_ID]);
    }
    expect(trace.named('queue tools')).toHaveLength(1);
    expect(recorder.open.size).toBe(0);

    // The dashboard, fed over OTLP: the run under its agent's name, three tool calls (not six), two model calls.
    const view = await dashboardView(recorder.ended, 'get_weather');
    expect(view.byTool).toHaveLength(1);
    expect(view.trace.summary).toMatchObject({ rootName: 'Agent workflow', agentName: 'weather_agent', callCount: 5 });
    expect(view.trace.summary.inputTokens).toBe(result.state.usage.inputTokens);
  }, 20_000);

  it('overlapTool() with OpenAIResponsesModel (Agents JS\'s default API) - the same limit; response spans become chat spans with usage', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, processor } = traced();
    const { definition, counter } = countedWeather(upstream);
    const client = new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local', maxRetries: 0 });
    const agent = new Agent({
      name: 'weather_agent',
      instructions: 'Use the tools, then answer.',
      model: new OpenAIResponsesModel(client, 'upstream-general'),
      tools: [overlapTool(runner, definition, { gates: [new Semaphore({ name: 'tools', permits: 2 })] })],
    });
    const result = await run(agent, prompt);
    expect(String(result.finalOutput)).toContain('From 3 tool results');
    expect(counter.most).toBe(2);
    await vi.waitFor(() => expect(processor.openSpans).toBe(0));
    const trace = new Trace(recorder.ended);
    const responses = trace.spans.filter((s) => s.attributes[OpenAiAgentsAttributes.SPAN_TYPE] === 'response');
    expect(responses).toHaveLength(2);
    for (const response of responses) {
      expect(response.name).toBe('chat upstream-general');
      expect(response.attributes[GenAiAttributes.RESPONSE_ID]).toMatch(/^resp_/);
      expect(response.attributes[GenAiAttributes.USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
    }
    expect(overlapCalls(trace, 'execute_tool get_weather').filter(({ parent }) => parent?.attributes[OpenAiAgentsAttributes.SPAN_TYPE] === 'function')).toHaveLength(3);
    expect(trace.named('queue tools')).toHaveLength(1);
  }, 20_000);

  it('overlapTool() - without Overlap Agents JS runs all three at once (the limit above is Overlap\'s)', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    traced();
    const { definition, counter } = countedWeather(upstream);
    const agent = new Agent({ name: 'weather_agent', instructions: 'Use the tools.', model: chatModel(upstream, 'upstream-small'), tools: [tool(definition)] });
    await run(agent, prompt);
    expect(counter.most).toBe(3);
  }, 20_000);

  it('overlapTool() - a failure is retried by Overlap before Agents JS sees it; a timeout reaches the model as a tool error', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1 });
    const { runner, recorder } = traced();
    let attempts = 0;
    const flaky = overlapTool(
      runner,
      {
        name: 'flaky',
        description: 'Fails once, then answers',
        parameters: z.object({ city: z.string() }),
        execute: async () => {
          attempts += 1;
          if (attempts === 1) throw Object.assign(new Error('upstream hiccup'), { retryable: true });
          return 'fine';
        },
      },
      { retry: { attempts: 3, baseDelayMs: 1 } },
    );
    const slow = overlapTool(
      runner,
      {
        name: 'slow',
        description: 'Never answers',
        parameters: z.object({ city: z.string() }),
        execute: (_input: unknown, _runContext: unknown, details?: { signal?: AbortSignal }) =>
          new Promise((_resolve, reject) => details?.signal?.addEventListener('abort', () => reject(details.signal!.reason), { once: true })),
      },
      { timeoutMs: 50 },
    );
    const agent = new Agent({ name: 'mixed_agent', instructions: 'Use the tools.', model: chatModel(upstream, 'upstream-small'), tools: [flaky, slow] });
    const result = await run(agent, prompt);
    const outputs = result.newItems.filter((item) => item.type === 'tool_call_output_item').map((item) => String((item as { output: unknown }).output));
    expect(outputs.filter((o) => o === 'fine')).toHaveLength(2);
    expect(outputs.filter((o) => /error/i.test(o))).toHaveLength(1);
    const trace = new Trace(recorder.ended);
    expect(overlapCalls(trace, 'execute_tool flaky').map(({ overlap }) => overlap.attributes[OverlapAttributes.ATTEMPT]).sort()).toEqual([1, 2]);
    const [slowCall] = overlapCalls(trace, 'execute_tool slow');
    expect(slowCall!.overlap.attributes[OverlapAttributes.OUTCOME]).toBe('timeout');
  }, 20_000);

  it('OpenTelemetryTracingProcessor - a handoff becomes a handoff span, and each agent an invoke_agent span', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1 });
    const { runner, recorder, processor } = traced();
    const { definition } = countedWeather(upstream);
    const weatherAgent = new Agent({ name: 'weather_agent', instructions: 'Answer about weather.', model: chatModel(upstream), tools: [overlapTool(runner, definition)] });
    const triage = new Agent({ name: 'triage_agent', instructions: 'Hand off.', model: chatModel(upstream, 'upstream-small'), handoffs: [weatherAgent] });
    const result = await run(triage, prompt);
    expect(result.lastAgent?.name).toBe('weather_agent');
    await vi.waitFor(() => expect(processor.openSpans).toBe(0));
    const trace = new Trace(recorder.ended);
    expect(trace.one('Agent workflow').attributes[GenAiAttributes.AGENT_NAME]).toBe('triage_agent');
    expect(trace.named('invoke_agent triage_agent')).toHaveLength(1);
    expect(trace.named('invoke_agent weather_agent')).toHaveLength(1);
    const handoffs = trace.spans.filter((s) => s.attributes[OpenAiAgentsAttributes.SPAN_TYPE] === 'handoff');
    expect(handoffs.length).toBeGreaterThan(0);
    expect(handoffs[0]!.name).toBe('handoff weather_agent');
    expect(handoffs[0]!.attributes).toMatchObject({ [OpenAiAgentsAttributes.HANDOFF_FROM]: 'triage_agent', [OpenAiAgentsAttributes.HANDOFF_TO]: 'weather_agent' });
  }, 20_000);
});
