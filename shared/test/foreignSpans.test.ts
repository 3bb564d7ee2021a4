import { describe, expect, it } from 'vitest';
import { AiSdkAttributes, GenAiAttributes, LegacyGenAiAttributes } from '../src/attributes.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { concurrencyTimeline } from '../src/trace/concurrencyTimeline.js';
import { spanCall, spanLabel, spanTokenUsage, wrapperCallSpanIds } from '../src/trace/spanRoles.js';
import { toolStats } from '../src/trace/toolStats.js';
import { summarizeTrace } from '../src/trace/traceSummary.js';
import { layoutWaterfall } from '../src/trace/waterfall.js';
import { id, queueSpan, span, toolCall } from './spanBuilders.js';

/**
 * An AI SDK `generateText` run as its LegacyOpenTelemetry integration records it, with two tool calls
 * run through the runner (each an `execute_tool` span under the AI SDK's `ai.toolCall` span, one queued).
 */
function aiSdkTrace() {
  const model = (spanId: string, start: number, end: number, inputTokens: number, outputTokens: number) =>
    span({
      id: spanId,
      parent: 'root',
      name: 'ai.generateText.doGenerate',
      start,
      end,
      attributes: {
        [AiSdkAttributes.OPERATION_ID]: 'ai.generateText.doGenerate',
        [AiSdkAttributes.MODEL_ID]: 'gpt-4o-mini',
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        [GenAiAttributes.USAGE_INPUT_TOKENS]: inputTokens,
        [GenAiAttributes.USAGE_OUTPUT_TOKENS]: outputTokens,
        [AiSdkAttributes.USAGE_INPUT_TOKENS]: inputTokens,
      },
    });
  const aiToolCall = (spanId: string, start: number, end: number) =>
    span({
      id: spanId,
      parent: 'root',
      name: 'ai.toolCall',
      start,
      end,
      attributes: { [AiSdkAttributes.OPERATION_ID]: 'ai.toolCall', [AiSdkAttributes.TOOL_CALL_NAME]: 'get_weather', [AiSdkAttributes.TOOL_CALL_ID]: spanId },
    });
  return [
    span({
      id: 'root',
      name: 'ai.generateText',
      start: 0,
      end: 1000,
      attributes: { [AiSdkAttributes.OPERATION_ID]: 'ai.generateText', [AiSdkAttributes.FUNCTION_ID]: 'weather-bot', [AiSdkAttributes.USAGE_INPUT_TOKENS]: 300 },
    }),
    model('gen1', 0, 300, 100, 20),
    aiToolCall('tc1', 300, 600),
    toolCall({ id: 'ov1', parent: 'tc1', tool: 'get_weather', start: 300, end: 600, outcome: 'ok', queueWaitMs: 0 }),
    aiToolCall('tc2', 300, 800),
    toolCall({ id: 'ov2', parent: 'tc2', tool: 'get_weather', start: 300, end: 800, outcome: 'ok', queueWaitMs: 200 }),
    queueSpan({ id: 'q2', parent: 'ov2', gate: 'tools', start: 300, end: 500 }),
    model('gen2', 800, 1000, 200, 40),
  ];
}

describe('foreign spans', () => {
  it('spanCall() - finds tool and model calls in GenAI spans from any SDK and in the AI SDK\'s own spans', () => {
    const [, gen1, tc1, ov1] = aiSdkTrace();
    expect(spanCall(gen1!)).toEqual({ operation: 'chat', name: 'gpt-4o-mini' });
    expect(spanCall(tc1!)).toEqual({ operation: 'execute_tool', name: 'get_weather' });
    expect(spanCall(ov1!)).toEqual({ operation: 'execute_tool', name: 'get_weather' });
    expect(spanCall(span({ id: 'a', name: 'execute_tool lookup', start: 0, attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool' } }))).toEqual({ operation: 'execute_tool', name: 'lookup' });
    expect(spanCall(span({ id: 'b', name: 'text_completion', start: 0, attributes: { [GenAiAttributes.OPERATION_NAME]: 'text_completion', [GenAiAttributes.RESPONSE_MODEL]: 'm-2' } }))).toEqual({ operation: 'chat', name: 'm-2' });
    expect(spanCall(span({ id: 'c', name: 'ai.streamText.doStream', start: 0, attributes: { [AiSdkAttributes.MODEL_ID]: 'm-3' } }))).toEqual({ operation: 'chat', name: 'm-3' });
    expect(spanCall(span({ id: 'd', name: 'ai.generateText', start: 0 }))).toBeUndefined();
    expect(spanCall(span({ id: 'e', name: 'invoke_agent x', start: 0, attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent' } }))).toBeUndefined();
  });

  it('spanTokenUsage() - reads GenAI usage, then its former names, then the AI SDK\'s', () => {
    const usage = (attributes: Record<string, number>) => spanTokenUsage(span({ id: 'u', start: 0, attributes }));
    expect(usage({ [GenAiAttributes.USAGE_INPUT_TOKENS]: 5, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 2, [AiSdkAttributes.USAGE_INPUT_TOKENS]: 9 })).toEqual({ inputTokens: 5, outputTokens: 2 });
    expect(usage({ [LegacyGenAiAttributes.USAGE_PROMPT_TOKENS]: 7, [LegacyGenAiAttributes.USAGE_COMPLETION_TOKENS]: 3 })).toEqual({ inputTokens: 7, outputTokens: 3 });
    expect(usage({ [AiSdkAttributes.USAGE_PROMPT_TOKENS]: 8, [AiSdkAttributes.USAGE_OUTPUT_TOKENS]: 1 })).toEqual({ inputTokens: 8, outputTokens: 1 });
    expect(usage({})).toEqual({ inputTokens: undefined, outputTokens: undefined });
  });

  it('spanLabel() - adds the tool or model where the span name does not say it', () => {
    const [root, gen1, tc1, ov1] = aiSdkTrace();
    expect([root, gen1, tc1, ov1].map((s) => spanLabel(s!))).toEqual([
      'ai.generateText',
      'ai.generateText.doGenerate gpt-4o-mini',
      'ai.toolCall get_weather',
      'execute_tool get_weather',
    ]);
  });

  it('wrapperCallSpanIds() - a call span around a call span of the same tool is a wrapper; other nesting is not', () => {
    const spans = aiSdkTrace();
    expect([...wrapperCallSpanIds(spans)].sort()).toEqual([id('tc1'), id('tc2')].sort());
    // A tool that calls another tool (a sub-call) is two calls.
    const nested = [toolCall({ id: 'outer', tool: 'plan', start: 0, end: 10 }), toolCall({ id: 'inner', parent: 'outer', tool: 'search', start: 1, end: 9 })];
    expect(wrapperCallSpanIds(nested).size).toBe(0);
  });

  it('toolStats() - counts each AI SDK tool call once, with the queue wait of its runner span, and sums model tokens', () => {
    const stats = toolStats(aiSdkTrace());
    expect(stats.map((s) => [s.operation, s.tool, s.count])).toEqual([
      ['chat', 'gpt-4o-mini', 2],
      ['execute_tool', 'get_weather', 2],
    ]);
    expect(stats[0]!.tokens).toEqual({ input: 300, output: 60 });
    expect(stats[1]!.tokens).toEqual({ input: 0, output: 0 });
    expect(stats[1]!.queueWaitMs.p95).toBeGreaterThan(0);
  });

  it('summarizeTrace() - headline figures of an AI SDK run: its calls once each, their tokens, its functionId', () => {
    const summary = summarizeTrace(assembleTrace(aiSdkTrace()));
    expect(summary.rootName).toBe('ai.generateText');
    expect(summary.agentName).toBe('weather-bot');
    expect(summary.callCount).toBe(4);
    expect(summary.inputTokens).toBe(300);
    expect(summary.outputTokens).toBe(60);
    // 300 + 300 (tc1) + 300 (tc2, less its 200 ms queued) + 200 = 1100 ms of calls in 1000 ms.
    expect(summary.sumOfCallsMs).toBe(1100);
    expect(summary.concurrencySavedMs).toBe(100);
    const agent = summarizeTrace(assembleTrace([span({ id: 'r', name: 'invoke_agent gpt-4o', start: 0, end: 1, attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent' } })]));
    expect(agent.agentName).toBe('gpt-4o');
  });

  it('concurrencyTimeline() - counts the two tool calls once each in the overall series', () => {
    const timeline = concurrencyTimeline(assembleTrace(aiSdkTrace()));
    expect(timeline.overall.callCount).toBe(4);
    expect(timeline.overall.maxInFlight).toBe(2);
  });

  it('layoutWaterfall() - rows carry a label that names the tool of an ai.toolCall span', () => {
    const rows = layoutWaterfall(assembleTrace(aiSdkTrace())).rows;
    expect(rows.map((row) => row.label)).toEqual([
      'ai.generateText',
      'ai.generateText.doGenerate gpt-4o-mini',
      'ai.toolCall get_weather',
      'execute_tool get_weather',
      'ai.toolCall get_weather',
      'execute_tool get_weather',
      'ai.generateText.doGenerate gpt-4o-mini',
    ]);
    expect(rows[5]!.segments.map((s) => s.kind)).toEqual(['queue', 'run']);
  });
});
