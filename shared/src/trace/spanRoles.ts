/**
 * What role a span plays in a trace, read from its attributes: a call (a tool or model call), a phase of
 * a call (a gate wait or a body run past its timeout), and how it ended. Calls are recognised in the
 * runner's spans, in GenAI spans from any SDK (`gen_ai.operation.name` `execute_tool`, `chat`...) and in
 * the Vercel AI SDK's own spans (`ai.toolCall`, `ai.generateText.doGenerate`...). Other spans read as
 * plain spans.
 *
 * @packageDocumentation
 */
import {
  AiSdkAttributes,
  AiSdkOperations,
  GenAiAttributes,
  GenAiOperations,
  LegacyGenAiAttributes,
  Outcome,
  OverlapAttributes,
  Phase,
} from '../attributes.js';
import type { SpanRecord } from '../model.js';
import { numberAttribute, stringAttribute } from './spanAttributes.js';

/** A call a span records: a tool call (`execute_tool`) or a model call (`chat`), and what it called. */
export interface SpanCall {
  readonly operation: 'execute_tool' | 'chat';
  /** The tool's name, or the model's. */
  readonly name: string;
}

const MODEL_OPERATIONS: ReadonlySet<string> = new Set([GenAiOperations.CHAT, GenAiOperations.TEXT_COMPLETION, GenAiOperations.GENERATE_CONTENT]);
const AI_SDK_MODEL_CALLS: ReadonlySet<string> = new Set(AiSdkOperations.MODEL_CALLS);

/** `name` without `prefix ` at its start, or undefined when it does not start so. */
function after(prefix: string, name: string): string | undefined {
  return name.startsWith(`${prefix} `) && name.length > prefix.length + 1 ? name.slice(prefix.length + 1) : undefined;
}

/**
 * The call a span records, or undefined for any other span:
 *
 * - `gen_ai.operation.name` `execute_tool`: the tool in `gen_ai.tool.name` (else the span name after
 *   `execute_tool `); `chat`, `text_completion` or `generate_content`: the model in
 *   `gen_ai.request.model` (else `gen_ai.response.model`, else the span name after the operation);
 * - the AI SDK's `ai.toolCall` spans: the tool in `ai.toolCall.name`; its model requests
 *   (`ai.generateText.doGenerate`, `ai.streamText.doStream`...): the model in `gen_ai.request.model` or
 *   `ai.model.id`.
 *
 * @example
 * ```ts
 * spanCall(runnerToolSpan); // { operation: 'execute_tool', name: 'get_weather' }
 * spanCall(aiSdkToolCallSpan); // { operation: 'execute_tool', name: 'get_weather' } (from ai.toolCall.name)
 * spanCall(agentSpan); // undefined
 * ```
 */
export function spanCall(span: SpanRecord): SpanCall | undefined {
  const attributes = span.attributes;
  const operation = stringAttribute(attributes, GenAiAttributes.OPERATION_NAME);
  if (operation === GenAiOperations.EXECUTE_TOOL) {
    return { operation: 'execute_tool', name: stringAttribute(attributes, GenAiAttributes.TOOL_NAME) ?? after(operation, span.name) ?? span.name };
  }
  if (operation !== undefined && MODEL_OPERATIONS.has(operation)) {
    const model =
      stringAttribute(attributes, GenAiAttributes.REQUEST_MODEL) ?? stringAttribute(attributes, GenAiAttributes.RESPONSE_MODEL) ?? after(operation, span.name);
    return { operation: 'chat', name: model ?? span.name };
  }
  const aiOperation = stringAttribute(attributes, AiSdkAttributes.OPERATION_ID) ?? (span.name.startsWith('ai.') ? span.name : undefined);
  if (aiOperation === AiSdkOperations.TOOL_CALL) {
    return { operation: 'execute_tool', name: stringAttribute(attributes, AiSdkAttributes.TOOL_CALL_NAME) ?? span.name };
  }
  if (aiOperation !== undefined && AI_SDK_MODEL_CALLS.has(aiOperation)) {
    const model = stringAttribute(attributes, GenAiAttributes.REQUEST_MODEL) ?? stringAttribute(attributes, AiSdkAttributes.MODEL_ID);
    return { operation: 'chat', name: model ?? span.name };
  }
  return undefined;
}

/**
 * The tokens a model call used, from `gen_ai.usage.input_tokens` / `output_tokens`, else their former
 * names (`gen_ai.usage.prompt_tokens` / `completion_tokens`), else the AI SDK's (`ai.usage.inputTokens`
 * / `outputTokens`, or `promptTokens` / `completionTokens`); each undefined when the span does not say.
 *
 * @example
 * ```ts
 * spanTokenUsage(chatSpan); // { inputTokens: 812, outputTokens: 64 }
 * ```
 */
export function spanTokenUsage(span: SpanRecord): { readonly inputTokens: number | undefined; readonly outputTokens: number | undefined } {
  const a = span.attributes;
  return {
    inputTokens:
      numberAttribute(a, GenAiAttributes.USAGE_INPUT_TOKENS) ??
      numberAttribute(a, LegacyGenAiAttributes.USAGE_PROMPT_TOKENS) ??
      numberAttribute(a, AiSdkAttributes.USAGE_INPUT_TOKENS) ??
      numberAttribute(a, AiSdkAttributes.USAGE_PROMPT_TOKENS),
    outputTokens:
      numberAttribute(a, GenAiAttributes.USAGE_OUTPUT_TOKENS) ??
      numberAttribute(a, LegacyGenAiAttributes.USAGE_COMPLETION_TOKENS) ??
      numberAttribute(a, AiSdkAttributes.USAGE_OUTPUT_TOKENS) ??
      numberAttribute(a, AiSdkAttributes.USAGE_COMPLETION_TOKENS),
  };
}

/**
 * What a waterfall row calls a span: its name, with the tool or model added when the name does not
 * say it (the AI SDK names every tool call `ai.toolCall` and every model request
 * `ai.generateText.doGenerate`).
 *
 * @example
 * ```ts
 * spanLabel(aiSdkToolCallSpan); // 'ai.toolCall get_weather'
 * spanLabel(runnerToolSpan); // 'execute_tool get_weather' (its name already says it)
 * ```
 */
export function spanLabel(span: SpanRecord): string {
  const call = spanCall(span);
  if (call === undefined || call.name === span.name || span.name.endsWith(` ${call.name}`)) return span.name;
  return `${span.name} ${call.name}`;
}

/**
 * The ids of call spans that wrap another record of the same call: a call span with a child call span
 * of the same operation and name. That is one call seen by two instrumentations, such as the AI SDK's
 * tool span (or OpenAI Agents JS's function span) around the runner's `execute_tool` span; counting
 * only the inner one, which carries the queue and retry detail, counts the call once.
 *
 * @example
 * ```ts
 * const wrappers = wrapperCallSpanIds(spans);
 * const calls = spans.filter((s) => isCallSpan(s) && !wrappers.has(s.spanId));
 * ```
 */
export function wrapperCallSpanIds(spans: Iterable<SpanRecord>): Set<string> {
  const callsByParent = new Map<string, Set<string>>();
  const calls: Array<[SpanRecord, string]> = [];
  for (const span of spans) {
    const call = spanCall(span);
    if (call === undefined) continue;
    const key = `${call.operation}\u0000${call.name}`;
    calls.push([span, key]);
    if (span.parentSpanId === undefined) continue;
    let keys = callsByParent.get(span.parentSpanId);
    if (keys === undefined) callsByParent.set(span.parentSpanId, (keys = new Set()));
    keys.add(key);
  }
  const wrappers = new Set<string>();
  for (const [span, key] of calls) if (callsByParent.get(span.spanId)?.has(key)) wrappers.add(span.spanId);
  return wrappers;
}

const OUTCOMES: ReadonlySet<string> = new Set(Object.values(Outcome));

/**
 * The span's {@link OverlapAttributes.PHASE}: `'queue'` for a gate wait, `'abandoned'` for a body that ran
 * on past its timeout, `undefined` for any other span.
 *
 * @example
 * ```ts
 * spanPhase(queueSpan); // 'queue'
 * ```
 */
export function spanPhase(span: SpanRecord): Phase | undefined {
  const phase = stringAttribute(span.attributes, OverlapAttributes.PHASE);
  return phase === Phase.QUEUE || phase === Phase.ABANDONED ? phase : undefined;
}

/**
 * Whether the span is a call: a tool or model call as {@link spanCall} finds them.
 *
 * @example
 * ```ts
 * isCallSpan(toolSpan); // true
 * isCallSpan(agentSpan); // false (invoke_agent)
 * ```
 */
export function isCallSpan(span: SpanRecord): boolean {
  return spanCall(span) !== undefined;
}

/**
 * How the span ended: its {@link OverlapAttributes.OUTCOME} when that is one of {@link Outcome}, else
 * derived from its status (`error` for an error status, `ok` otherwise), and `undefined` while the span
 * is in flight (no end time).
 *
 * @example
 * ```ts
 * spanOutcome(timedOutCall); // 'timeout'
 * spanOutcome(plainOtelSpanWithErrorStatus); // 'error'
 * ```
 */
export function spanOutcome(span: SpanRecord): Outcome | undefined {
  if (span.endTimeUnixNano === undefined) return undefined;
  const outcome = stringAttribute(span.attributes, OverlapAttributes.OUTCOME);
  if (outcome !== undefined && OUTCOMES.has(outcome)) return outcome as Outcome;
  return span.status.code === 'error' ? Outcome.ERROR : Outcome.OK;
}
