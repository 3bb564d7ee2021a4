import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Span as AgentsSpan, SpanData, Trace as AgentsTrace, TracingProcessor } from '@openai/agents';
import { GenAiAttributes, GenAiOperations, OpenAiAgentsAttributes, SpanNames } from '@overlap/shared';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { DEFAULT_RECORD_IO_MAX_LENGTH } from '../Runner.js';
import { validateOption } from '../validateOption.js';

/** Options of {@link OpenTelemetryTracingProcessor}. */
export interface OpenTelemetryTracingProcessorOptions {
  /**
   * Tracer for the spans.
   * @defaultValue `trace.getTracer('@overlap/runner/openai-agents')` from the global API: a no-op until an SDK is registered
   */
  tracer?: Tracer;
  /**
   * Record model input and output (`gen_ai.input.messages`, `gen_ai.output.messages`) and tool input and
   * output (`gen_ai.tool.call.arguments` / `.result`), as JSON cut to `maxLength` characters. They may
   * hold personal data, so this is off unless you turn it on.
   * @defaultValue false
   */
  recordIo?: boolean | { maxLength?: number };
}

interface Open {
  readonly span: Span;
  readonly context: Context;
}

/** Processors alive in this process, so tools wrapped by `overlapTool` find the span of their call. */
const liveProcessors = new Set<OpenTelemetryTracingProcessor>();

/**
 * The OpenTelemetry context of an Agents JS span (the function span a tool runs in), from the first live
 * {@link OpenTelemetryTracingProcessor} that records it, starting its OpenTelemetry span now if the
 * processor has not heard of it yet (processors after another one hear of spans a little later).
 */
export function contextOfAgentsSpan(span: AgentsSpan<SpanData>): Context | undefined {
  for (const processor of liveProcessors) {
    const found = processor.contextOf(span);
    if (found !== undefined) return found;
  }
  return undefined;
}

function spanName(data: SpanData): string {
  switch (data.type) {
    case 'agent':
      return SpanNames.invokeAgent(data.name);
    case 'generation':
    case 'transcription':
    case 'speech':
      return data.model ? `${data.type === 'generation' ? 'chat' : data.type} ${data.model}` : data.type === 'generation' ? 'chat' : data.type;
    case 'response':
      return typeof data._response?.model === 'string' ? SpanNames.chat(data._response.model) : 'chat';
    case 'function':
      return SpanNames.executeTool(data.name);
    case 'handoff':
      return data.to_agent ? `handoff ${data.to_agent}` : 'handoff';
    case 'guardrail':
      return `guardrail ${data.name}`;
    case 'task':
      return `task ${data.name}`;
    case 'turn':
      return `turn ${data.turn}`;
    case 'custom':
      return data.name;
    case 'mcp_tools':
      return data.server ? `list_tools ${data.server}` : 'list_tools';
    default:
      return (data as { type: string }).type;
  }
}

function startAttributes(data: SpanData): Attributes {
  const a: Attributes = { [OpenAiAgentsAttributes.SPAN_TYPE]: data.type };
  switch (data.type) {
    case 'agent':
      a[GenAiAttributes.OPERATION_NAME] = GenAiOperations.INVOKE_AGENT;
      a[GenAiAttributes.AGENT_NAME] = data.name;
      break;
    case 'generation':
    case 'response':
      a[GenAiAttributes.OPERATION_NAME] = GenAiOperations.CHAT;
      a[GenAiAttributes.PROVIDER_NAME] = 'openai';
      break;
    case 'function':
      a[GenAiAttributes.OPERATION_NAME] = GenAiOperations.EXECUTE_TOOL;
      a[GenAiAttributes.TOOL_NAME] = data.name;
      a[GenAiAttributes.TOOL_TYPE] = 'function';
      break;
    case 'turn':
      a[OpenAiAgentsAttributes.TURN] = data.turn;
      a[GenAiAttributes.AGENT_NAME] = data.agent_name;
      break;
    default:
      break;
  }
  return a;
}

/**
 * An OpenAI Agents JS tracing processor that turns its traces into OpenTelemetry spans with GenAI names,
 * so Agents JS runs show in the Overlap dashboard, Jaeger, or any OpenTelemetry backend:
 *
 * | Agents JS | span | attributes |
 * | --- | --- | --- |
 * | trace | `{trace name}` (the root, under the span active when the run started) | `openai.agents.trace.id`, `openai.agents.group.id`, `gen_ai.agent.name` of its first agent |
 * | agent | `invoke_agent {name}` | `gen_ai.operation.name`, `gen_ai.agent.name`, `openai.agents.agent.tools`, `.handoffs` |
 * | generation, response | `chat {model}` (client) | `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.response.id`, `gen_ai.response.finish_reasons`, token usage |
 * | function | `execute_tool {name}` | `gen_ai.tool.name`, `gen_ai.tool.type`, `gen_ai.tool.call.id` (from Overlap's wrapped tools) |
 * | handoff | `handoff {to agent}` | `openai.agents.handoff.from`, `.to` |
 * | guardrail, task, turn, custom, mcp_tools | `guardrail {name}`, `task {name}`, `turn {n}`, `{name}`, `list_tools {server}` | |
 *
 * An Agents JS error becomes an error status with its message. Register it with `addTraceProcessor`
 * (beside Agents JS's own exporter) or `setTraceProcessors([...])` (instead of it). Tools made with this
 * entry point's `overlapTool` nest Overlap's `execute_tool` span (and its queue spans) under the
 * function span, and name the call's id on it.
 *
 * @example
 * ```ts
 * import { setTraceProcessors } from '@openai/agents';
 * setTraceProcessors([new OpenTelemetryTracingProcessor()]);
 * ```
 */
export class OpenTelemetryTracingProcessor implements TracingProcessor {
  readonly #tracer: Tracer;
  readonly #recordIoMaxLength: number;
  /** Open spans by Agents JS span id, and trace roots by trace id. */
  readonly #open = new Map<string, Open>();
  readonly #roots = new Map<string, Open>();
  /** Trace roots that already carry an agent name. */
  readonly #named = new WeakSet<Span>();

  constructor(options: OpenTelemetryTracingProcessorOptions = {}) {
    validateOption.object('OpenTelemetryTracingProcessor options', options);
    if (options.tracer !== undefined && typeof options.tracer.startSpan !== 'function') {
      throw new InvalidOptionError('OpenTelemetryTracingProcessor.tracer', 'an OpenTelemetry Tracer', options.tracer);
    }
    this.#tracer = options.tracer ?? trace.getTracer('@overlap/runner/openai-agents');
    const recordIo = options.recordIo ?? false;
    if (recordIo === false) this.#recordIoMaxLength = 0;
    else if (recordIo === true) this.#recordIoMaxLength = DEFAULT_RECORD_IO_MAX_LENGTH;
    else if (typeof recordIo === 'object' && recordIo !== null) {
      this.#recordIoMaxLength = validateOption.integer('OpenTelemetryTracingProcessor.recordIo.maxLength', recordIo.maxLength ?? DEFAULT_RECORD_IO_MAX_LENGTH, 1);
    } else throw new InvalidOptionError('OpenTelemetryTracingProcessor.recordIo', 'a boolean or { maxLength }', recordIo);
    liveProcessors.add(this);
  }

  /** Spans started and not yet ended (trace roots included). */
  get openSpans(): number {
    return this.#open.size + this.#roots.size;
  }

  async onTraceStart(agentsTrace: AgentsTrace): Promise<void> {
    this.#rootOf(agentsTrace.traceId, agentsTrace);
  }

  async onTraceEnd(agentsTrace: AgentsTrace): Promise<void> {
    const root = this.#roots.get(agentsTrace.traceId);
    if (root === undefined) return;
    this.#roots.delete(agentsTrace.traceId);
    root.span.end();
  }

  async onSpanStart(span: AgentsSpan<SpanData>): Promise<void> {
    this.contextOf(span);
  }

  async onSpanEnd(span: AgentsSpan<SpanData>): Promise<void> {
    const open = this.#open.get(span.spanId);
    if (open === undefined) return;
    this.#open.delete(span.spanId);
    const otel = open.span;
    const data = span.spanData;
    otel.updateName(spanName(data));
    otel.setAttributes(this.#endAttributes(data));
    if (data.type === 'agent') this.#nameRoot(span.traceId, data.name);
    const error = span.error;
    if (error !== null) {
      otel.setAttribute(GenAiAttributes.ERROR_TYPE, '_OTHER');
      otel.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    otel.end();
  }

  async shutdown(): Promise<void> {
    liveProcessors.delete(this);
    for (const { span } of [...this.#open.values(), ...this.#roots.values()]) span.end();
    this.#open.clear();
    this.#roots.clear();
  }

  async forceFlush(): Promise<void> {}

  /**
   * The OpenTelemetry context with the span of `span` active, starting that span if needed (under its
   * parent's span, or its trace's root). Undefined for a span this processor cannot record (no-op spans).
   */
  contextOf(span: AgentsSpan<SpanData>): Context | undefined {
    const known = this.#open.get(span.spanId);
    if (known !== undefined) return known.context;
    if (!span.spanId || span.spanId === 'no-op' || span.endedAt !== null) return undefined;
    const parent = (span.parentId === null ? undefined : this.#open.get(span.parentId)) ?? this.#rootOf(span.traceId, undefined);
    const data = span.spanData;
    const otel = this.#tracer.startSpan(
      spanName(data),
      { kind: data.type === 'generation' || data.type === 'response' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: startAttributes(data) },
      parent.context,
    );
    const open = { span: otel, context: trace.setSpan(parent.context, otel) };
    this.#open.set(span.spanId, open);
    if (data.type === 'agent') this.#nameRoot(span.traceId, data.name);
    return open.context;
  }

  /** The root span of a trace, started now under the active context if it is not open yet. */
  #rootOf(traceId: string, agentsTrace: AgentsTrace | undefined): Open {
    const known = this.#roots.get(traceId);
    if (known !== undefined) return known;
    const active = context.active();
    const attributes: Attributes = { [OpenAiAgentsAttributes.TRACE_ID]: traceId };
    if (agentsTrace?.groupId) attributes[OpenAiAgentsAttributes.GROUP_ID] = agentsTrace.groupId;
    const span = this.#tracer.startSpan(agentsTrace?.name || 'Agent workflow', { kind: SpanKind.INTERNAL, attributes }, active);
    const root = { span, context: trace.setSpan(active, span) };
    this.#roots.set(traceId, root);
    return root;
  }

  /** Names the trace's root after its first agent, so trace lists can show which agent ran. */
  #nameRoot(traceId: string, agentName: string): void {
    const root = this.#roots.get(traceId);
    if (root === undefined || this.#named.has(root.span)) return;
    this.#named.add(root.span);
    root.span.setAttribute(GenAiAttributes.AGENT_NAME, agentName);
  }

  #json(value: unknown): string {
    let json: string;
    try {
      json = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      json = String(value);
    }
    const max = this.#recordIoMaxLength;
    return json.length <= max ? json : `${json.slice(0, max)}…[${json.length - max} more characters]`;
  }

  #endAttributes(data: SpanData): Attributes {
    const a: Attributes = {};
    const record = this.#recordIoMaxLength > 0;
    switch (data.type) {
      case 'agent':
        if (data.tools?.length) a[OpenAiAgentsAttributes.AGENT_TOOLS] = data.tools;
        if (data.handoffs?.length) a[OpenAiAgentsAttributes.AGENT_HANDOFFS] = data.handoffs;
        if (data.output_type) a[OpenAiAgentsAttributes.AGENT_OUTPUT_TYPE] = data.output_type;
        break;
      case 'generation': {
        if (data.model) a[GenAiAttributes.REQUEST_MODEL] = data.model;
        // Chat completions models put the provider's answer in `output`: its id, model, finish reasons
        // and usage (which `usage` holds only for some calls, such as streamed ones).
        const answer = data.output?.[0] as
          | { id?: unknown; model?: unknown; choices?: Array<{ finish_reason?: unknown }>; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }
          | undefined;
        const inputTokens = data.usage?.input_tokens ?? answer?.usage?.prompt_tokens;
        const outputTokens = data.usage?.output_tokens ?? answer?.usage?.completion_tokens;
        if (typeof inputTokens === 'number') a[GenAiAttributes.USAGE_INPUT_TOKENS] = inputTokens;
        if (typeof outputTokens === 'number') a[GenAiAttributes.USAGE_OUTPUT_TOKENS] = outputTokens;
        if (typeof answer?.id === 'string') a[GenAiAttributes.RESPONSE_ID] = answer.id;
        if (typeof answer?.model === 'string') a[GenAiAttributes.RESPONSE_MODEL] = answer.model;
        const reasons = (answer?.choices ?? []).map((choice) => choice.finish_reason).filter((reason): reason is string => typeof reason === 'string');
        if (reasons.length > 0) a[GenAiAttributes.RESPONSE_FINISH_REASONS] = reasons;
        if (record && data.input !== undefined) a[GenAiAttributes.INPUT_MESSAGES] = this.#json(data.input);
        if (record && data.output !== undefined) a[GenAiAttributes.OUTPUT_MESSAGES] = this.#json(data.output);
        break;
      }
      case 'response': {
        const response = data._response as { model?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown } } | undefined;
        if (typeof response?.model === 'string') {
          a[GenAiAttributes.REQUEST_MODEL] = response.model;
          a[GenAiAttributes.RESPONSE_MODEL] = response.model;
        }
        if (data.response_id) a[GenAiAttributes.RESPONSE_ID] = data.response_id;
        if (typeof response?.usage?.input_tokens === 'number') a[GenAiAttributes.USAGE_INPUT_TOKENS] = response.usage.input_tokens;
        if (typeof response?.usage?.output_tokens === 'number') a[GenAiAttributes.USAGE_OUTPUT_TOKENS] = response.usage.output_tokens;
        if (record && data._input !== undefined) a[GenAiAttributes.INPUT_MESSAGES] = this.#json(data._input);
        break;
      }
      case 'function':
        if (record && data.input) a[GenAiAttributes.TOOL_CALL_ARGUMENTS] = this.#json(data.input);
        if (record && data.output) a[GenAiAttributes.TOOL_CALL_RESULT] = this.#json(data.output);
        break;
      case 'handoff':
        if (data.from_agent) a[OpenAiAgentsAttributes.HANDOFF_FROM] = data.from_agent;
        if (data.to_agent) a[OpenAiAgentsAttributes.HANDOFF_TO] = data.to_agent;
        break;
      case 'guardrail':
        a[OpenAiAgentsAttributes.GUARDRAIL_TRIGGERED] = data.triggered;
        break;
      case 'turn':
      case 'task':
        if (typeof data.usage?.input_tokens === 'number') a[OpenAiAgentsAttributes.USAGE_INPUT_TOKENS] = data.usage.input_tokens;
        if (typeof data.usage?.output_tokens === 'number') a[OpenAiAgentsAttributes.USAGE_OUTPUT_TOKENS] = data.usage.output_tokens;
        break;
      default:
        break;
    }
    return a;
  }
}
