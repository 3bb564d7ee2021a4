import { InvalidOptionError, defineModel, type ChatRequest, type ChatResponse, type ChatToolCall } from '@overlap/runner';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { callPolicy, type ToolSettings } from './ToolSettings.js';
import { upstreamErrorFromOpenAi } from './upstreamErrorFromOpenAi.js';

/** The upstream's models: the model name its OpenAI-compatible API serves, and the default timeout. */
const MODELS = {
  general: { model: 'upstream-general', defaultTimeoutMs: 5000 },
  large: { model: 'upstream-large', defaultTimeoutMs: 8000 },
  small: { model: 'upstream-small', defaultTimeoutMs: 3000 },
} as const;

/** Which of the upstream's models: `general` (endpoint `model`), `large` (`largeModel`), `small` (`smallModel`). */
export type UpstreamModelSize = keyof typeof MODELS;

/** Settings of {@link upstreamModel}. */
export interface UpstreamModelSettings extends ToolSettings {
  /** Which model to call. */
  readonly size: UpstreamModelSize;
  /**
   * Tool name calls and errors show.
   * @defaultValue the model's name, such as `upstream-large`
   */
  readonly name?: string;
  /**
   * Stream the answer (server-sent events, usage in the last chunk); the call's span then gets an
   * `overlap.first_token` event when the first token arrives.
   * @defaultValue false
   */
  readonly stream?: boolean;
}

/**
 * One of the upstream's models as a runner model, called through the official `openai` client at the
 * upstream's OpenAI-compatible API (`${upstreamUrl}/v1`). Each attempt passes the call's `signal` and
 * the tool's timeout to the client, with the client's own retries off (`maxRetries: 0`): the runner's
 * retry policy, which waits at least what `retry-after-ms` / `retry-after` asks, is the one in the trace.
 *
 * Its calls are `chat upstream-{size}` spans with `gen_ai.provider.name` `openai`, the request's
 * `gen_ai.request.max_tokens` and `gen_ai.request.temperature`, and the answer's `gen_ai.response.id`,
 * `gen_ai.response.model`, token usage and finish reason; streamed, also the time to the first token
 * (`gen_ai.client.operation.time_to_first_chunk`, and an `overlap.first_token` event at that moment).
 * Tools in the request are offered to the model, and the tool calls it asks for come back in `toolCalls`.
 *
 * @example
 * ```ts
 * const callLlm = upstreamModel({ upstreamUrl, size: 'general', name: 'call_llm', stream: true });
 * const { text } = await ctx.call(callLlm, { messages: [{ role: 'user', content: 'Hello' }] });
 * ```
 */
export function upstreamModel(settings: UpstreamModelSettings) {
  const model = MODELS[settings.size] as (typeof MODELS)[UpstreamModelSize] | undefined;
  if (model === undefined) throw new InvalidOptionError('upstreamModel.size', "'general', 'large' or 'small'", settings.size);
  const policy = callPolicy(settings, model.defaultTimeoutMs);
  // The upstream asks for no key; the client insists on one.
  const client = new OpenAI({ baseURL: `${settings.upstreamUrl.replace(/\/+$/, '')}/v1`, apiKey: 'overlap-local', maxRetries: 0 });
  return defineModel({
    provider: 'openai',
    model: model.model,
    ...(settings.name === undefined ? {} : { name: settings.name }),
    ...policy,
    async run(request, { signal, span }): Promise<ChatResponse> {
      const params = toChatParams(model.model, request);
      if (request.maxTokens !== undefined) span.setAttribute(GenAiAttributes.REQUEST_MAX_TOKENS, request.maxTokens);
      if (request.temperature !== undefined) span.setAttribute(GenAiAttributes.REQUEST_TEMPERATURE, request.temperature);
      const options = { signal, timeout: policy.timeoutMs === Infinity ? undefined : policy.timeoutMs, maxRetries: 0 };
      try {
        if (settings.stream !== true) {
          const completion = await client.chat.completions.create(params, options);
          span.setAttribute(GenAiAttributes.RESPONSE_ID, completion.id);
          return fromCompletion(completion);
        }
        const startedAt = performance.now();
        const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, options);
        let text = '';
        const calls: ChatToolCall[] = [];
        let firstToken = true;
        const response: ChatResponse = { text: '' };
        for await (const chunk of stream) {
          if (chunk.id) span.setAttribute(GenAiAttributes.RESPONSE_ID, chunk.id);
          response.responseModel = chunk.model;
          if (chunk.usage) response.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
          const choice = chunk.choices[0];
          if (choice === undefined) continue;
          if (firstToken && (choice.delta.content || choice.delta.tool_calls?.length)) {
            firstToken = false;
            const ms = performance.now() - startedAt;
            span.setAttribute(GenAiAttributes.TIME_TO_FIRST_CHUNK, ms / 1000);
            span.addEvent(OverlapEvents.FIRST_TOKEN, { [OverlapAttributes.TIME_TO_FIRST_TOKEN_MS]: ms });
          }
          text += choice.delta.content ?? '';
          for (const delta of choice.delta.tool_calls ?? []) {
            if (delta.id !== undefined) calls[delta.index] = { id: delta.id, name: delta.function?.name ?? '', arguments: '' };
            const call = calls[delta.index];
            if (call !== undefined) call.arguments += delta.function?.arguments ?? '';
          }
          if (choice.finish_reason) response.finishReason = choice.finish_reason;
        }
        response.text = text;
        if (calls.length > 0) response.toolCalls = calls.filter((call) => call !== undefined);
        return response;
      } catch (error) {
        throw upstreamErrorFromOpenAi(error, signal);
      }
    },
  });
}

/** A runner chat request as OpenAI chat completion parameters. */
function toChatParams(model: string, request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
  const messages = request.messages.map((message): ChatCompletionMessageParam => {
    if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
    if (message.role === 'assistant') {
      return {
        role: 'assistant',
        content: message.content === '' && message.toolCalls?.length ? null : message.content,
        ...(message.toolCalls?.length
          ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      };
    }
    return { role: message.role, content: message.content };
  });
  return {
    model,
    messages,
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            function: {
              name: tool.name,
              ...(tool.description === undefined ? {} : { description: tool.description }),
              ...(tool.parameters === undefined ? {} : { parameters: tool.parameters }),
            },
          })),
        }
      : {}),
    ...(request.maxTokens === undefined ? {} : { max_completion_tokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
}

function fromCompletion(completion: ChatCompletion): ChatResponse {
  const choice = completion.choices[0];
  const toolCalls = (choice?.message.tool_calls ?? [])
    .filter((call): call is ChatCompletionMessageToolCall & { type: 'function' } => call.type === 'function')
    .map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
  return {
    text: choice?.message.content ?? '',
    responseModel: completion.model,
    ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
    ...(completion.usage ? { usage: { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens } } : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
  };
}
