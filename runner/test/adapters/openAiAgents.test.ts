import {
  createCustomSpan,
  getCurrentSpan,
  setTraceProcessors,
  setTracingDisabled,
  withAgentSpan,
  withFunctionSpan,
  withHandoffSpan,
  withTrace,
} from '@openai/agents';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { GenAiAttributes, OpenAiAgentsAttributes } from '@overlap/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isInvalidOptionError } from '../../src/index.js';
import { OpenTelemetryTracingProcessor, overlapTool } from '../../src/openai-agents/index.js';
import { tracedRunner } from '../helpers.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
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

function traced(options: { recordIo?: boolean } = {}) {
  const t = tracedRunner();
  const processor = new OpenTelemetryTracingProcessor({ tracer: t.tracer, ...options });
  processors.push(processor);
  setTraceProcessors([processor]);
  return { ...t, processor };
}

describe('OpenTelemetryTracingProcessor', () => {
  it('OpenTelemetryTracingProcessor - an Agents JS trace becomes a tree of spans under the span active when it started, errors as error statuses', async () => {
    const t = traced();
    const outer = t.tracer.startSpan('request');
    await context.with(trace.setSpan(context.active(), outer), () =>
      withTrace('support workflow', () =>
        withAgentSpan(
          async () => {
            await withFunctionSpan(async (span) => span.setError({ message: 'lookup failed' }), { data: { name: 'lookup' } }).catch(() => undefined);
            await withHandoffSpan(async (span) => void (span.spanData.to_agent = 'billing_agent'), { data: { from_agent: 'triage_agent' } });
          },
          { data: { name: 'triage_agent', tools: ['lookup'] } },
        ),
      ),
    );
    outer.end();
    expect(t.processor.openSpans).toBe(0);
    const root = t.one('support workflow');
    expect(root.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(root.attributes[OpenAiAgentsAttributes.TRACE_ID]).toMatch(/^trace_/);
    expect(root.attributes[GenAiAttributes.AGENT_NAME]).toBe('triage_agent');
    const agent = t.one('invoke_agent triage_agent');
    expect(t.parentOf(agent)).toBe(root);
    expect(agent.attributes[OpenAiAgentsAttributes.AGENT_TOOLS]).toEqual(['lookup']);
    const lookup = t.one('execute_tool lookup');
    expect(t.parentOf(lookup)).toBe(agent);
    expect(lookup.status).toEqual({ code: 2, message: 'lookup failed' });
    expect(lookup.attributes[GenAiAttributes.ERROR_TYPE]).toBe('_OTHER');
    const handoff = t.one('handoff billing_agent');
    expect(handoff.attributes).toMatchObject({ [OpenAiAgentsAttributes.HANDOFF_FROM]: 'triage_agent', [OpenAiAgentsAttributes.HANDOFF_TO]: 'billing_agent' });
  });

  it('OpenTelemetryTracingProcessor({ recordIo }) - tool input and output are recorded only when asked', async () => {
    for (const recordIo of [false, true]) {
      const t = traced({ recordIo });
      await withTrace('wf', () =>
        withFunctionSpan(
          async (span) => {
            span.spanData.input = '{"city":"Oslo"}';
            span.spanData.output = 'sunny';
          },
          { data: { name: 'get_weather' } },
        ),
      );
      const attributes = t.one('execute_tool get_weather').attributes;
      expect(attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS]).toBe(recordIo ? '{"city":"Oslo"}' : undefined);
      expect(attributes[GenAiAttributes.TOOL_CALL_RESULT]).toBe(recordIo ? 'sunny' : undefined);
      setTraceProcessors([]);
    }
  });

  it('.shutdown() - ends the spans still open, and the processor stops recording', async () => {
    const t = traced();
    await withTrace('wf', async () => {
      createCustomSpan({ data: { name: 'left open', data: {} } }).start();
    });
    expect(t.processor.openSpans).toBe(1);
    await t.processor.shutdown();
    expect(t.processor.openSpans).toBe(0);
    expect(t.byName('left open')).toHaveLength(1);
  });

  it('OpenTelemetryTracingProcessor - rejects bad options with an InvalidOptionError naming them', () => {
    for (const [options, option] of [
      [{ tracer: {} }, 'OpenTelemetryTracingProcessor.tracer'],
      [{ recordIo: 'yes' }, 'OpenTelemetryTracingProcessor.recordIo'],
      [{ recordIo: { maxLength: 0 } }, 'OpenTelemetryTracingProcessor.recordIo.maxLength'],
    ] as const) {
      let error: unknown;
      try {
        new OpenTelemetryTracingProcessor(options as never);
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });
});

describe('overlapTool (Agents JS)', () => {
  it('overlapTool() - a call nests under the function span it runs in, which gets the call id', async () => {
    const t = traced();
    const lookup = overlapTool(t.runner, { name: 'lookup', description: 'Looks up', parameters: z.object({ q: z.string() }), execute: async ({ q }) => `found ${q}` });
    expect(lookup.name).toBe('lookup');
    const output = await withTrace('wf', () =>
      withFunctionSpan(
        async () => {
          expect(getCurrentSpan()).not.toBeNull();
          return lookup.invoke(undefined as never, '{"q":"oslo"}', { toolCall: { type: 'function_call', callId: 'call_7', name: 'lookup', arguments: '{"q":"oslo"}' } });
        },
        { data: { name: 'lookup' } },
      ),
    );
    expect(output).toBe('found oslo');
    const calls = t.byName('execute_tool lookup');
    expect(calls).toHaveLength(2);
    const inner = calls.find((s) => s.attributes['overlap.outcome'] !== undefined)!;
    const outer = calls.find((s) => s !== inner)!;
    expect(t.parentOf(inner)).toBe(outer);
    expect(inner.attributes[GenAiAttributes.TOOL_CALL_ID]).toBe('call_7');
    expect(outer.attributes[GenAiAttributes.TOOL_CALL_ID]).toBe('call_7');
  });

  it('overlapTool() - without tracing the call is a span of its own, and a bad runner is an InvalidOptionError', async () => {
    const t = tracedRunner();
    const lookup = overlapTool(t.runner, { name: 'lookup', description: '', parameters: z.object({ q: z.string() }), execute: async ({ q }) => q });
    await expect(lookup.invoke(undefined as never, '{"q":"a"}')).resolves.toBe('a');
    expect(t.parentOf(t.one('execute_tool lookup'))).toBeUndefined();
    expect(() => overlapTool({} as never, { name: 'x', description: '', parameters: z.object({}), execute: async () => '' })).toThrow(/overlapTool runner/);
  });
});
