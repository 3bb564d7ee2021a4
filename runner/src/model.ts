import type { StandardSchemaV1 } from '@standard-schema/spec';
import { buildTool, type Tool, type ToolContext, type ToolOptions } from './tool.js';
import { validateOption } from './validateOption.js';

/** A tool call a model asked for. */
export interface ChatToolCall {
  /** The call's id, which the tool message with its result names (`toolCallId`). */
  id: string;
  /** The tool's name. */
  name: string;
  /** The arguments, JSON text as the model wrote it (pass it to `ctx.callWithArguments`). */
  arguments: string;
}

/** A tool offered to a model. */
export interface ChatToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** One message of a chat. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** On an assistant message: the tool calls the model asked for. */
  toolCalls?: ChatToolCall[];
  /** On a tool message: the id of the call whose result it carries. */
  toolCallId?: string;
}

/** What an agent sends to a model. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Most tokens to generate. */
  maxTokens?: number;
  temperature?: number;
  /** Tools the model may ask for. */
  tools?: ChatToolDefinition[];
}

/** What a model answers. `usage`, `finishReason` and `responseModel`, when given, become `gen_ai.*` attributes. */
export interface ChatResponse {
  text: string;
  usage?: { inputTokens: number; outputTokens: number };
  finishReason?: string;
  /** The model that actually answered, when the provider says. */
  responseModel?: string;
  /** Tool calls the model asked for (then `finishReason` is usually `tool_calls`). */
  toolCalls?: ChatToolCall[];
}

/** Definition of a model, passed to {@link defineModel}. */
export interface ModelOptions extends Omit<ToolOptions<StandardSchemaV1<ChatRequest>, ChatResponse>, 'name' | 'input' | 'run' | 'type'> {
  /** `gen_ai.provider.name`, such as `openai`, `anthropic` or `local`. */
  provider: string;
  /** `gen_ai.request.model`, such as `gpt-4o-mini`. */
  model: string;
  /**
   * Name of the tool as calls and errors show it.
   * @defaultValue `model`
   */
  name?: string;
  /** Sends the request to the model. */
  run(request: ChatRequest, ctx: ToolContext): ChatResponse | PromiseLike<ChatResponse>;
}

/** Checks the shape of a {@link ChatRequest}; a Standard Schema validator with no library behind it. */
export const chatRequestSchema: StandardSchemaV1<ChatRequest> = {
  '~standard': {
    version: 1,
    vendor: 'overlap',
    validate(value) {
      const issues: StandardSchemaV1.Issue[] = [];
      const request = value as Partial<ChatRequest> | null;
      if (typeof request !== 'object' || request === null) return { issues: [{ message: 'expected an object' }] };
      if (!Array.isArray(request.messages) || request.messages.length === 0) {
        issues.push({ message: 'expected a non-empty array of messages', path: ['messages'] });
      } else {
        request.messages.forEach((m, i) => {
          if (!['system', 'user', 'assistant', 'tool'].includes((m as ChatMessage)?.role)) {
            issues.push({ message: "expected 'system', 'user', 'assistant' or 'tool'", path: ['messages', i, 'role'] });
          }
          if (typeof (m as ChatMessage)?.content !== 'string') {
            issues.push({ message: 'expected a string', path: ['messages', i, 'content'] });
          }
          const toolCalls = (m as ChatMessage)?.toolCalls;
          if (toolCalls !== undefined && !(Array.isArray(toolCalls) && toolCalls.every(isToolCall))) {
            issues.push({ message: 'expected an array of { id, name, arguments } strings', path: ['messages', i, 'toolCalls'] });
          }
          const toolCallId = (m as ChatMessage)?.toolCallId;
          if (toolCallId !== undefined && typeof toolCallId !== 'string') {
            issues.push({ message: 'expected a string', path: ['messages', i, 'toolCallId'] });
          }
        });
      }
      if (
        request.tools !== undefined &&
        !(Array.isArray(request.tools) && request.tools.every((t) => typeof (t as ChatToolDefinition | null)?.name === 'string'))
      ) {
        issues.push({ message: 'expected an array of { name, description?, parameters? }', path: ['tools'] });
      }
      if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
        issues.push({ message: 'expected a positive integer', path: ['maxTokens'] });
      }
      return issues.length ? { issues } : { value: request as ChatRequest };
    },
  },
};

function isToolCall(value: unknown): boolean {
  const call = value as Partial<ChatToolCall> | null;
  return typeof call?.id === 'string' && typeof call.name === 'string' && typeof call.arguments === 'string';
}

/**
 * Defines a model call: a tool whose spans are `chat {model}` with `gen_ai.request.model`,
 * `gen_ai.provider.name` and token usage, and which takes the same timeouts, retries and gates as any tool.
 *
 * @example
 * ```ts
 * const mainModel = defineModel({
 *   provider: 'openai', model: 'gpt-4o', timeoutMs: 8000, gates: [modelPool],
 *   async run(request, { signal }) { return client.chat(request, { signal }); },
 * });
 * const answer = await ctx.call(mainModel, { messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export function defineModel(options: ModelOptions): Tool<ChatRequest, ChatResponse> {
  validateOption.object('defineModel options', options);
  const provider = validateOption.nonEmptyString('defineModel.provider', options.provider);
  const model = validateOption.nonEmptyString('defineModel.model', options.model);
  return buildTool<StandardSchemaV1<ChatRequest>, ChatResponse>(
    { ...options, name: options.name ?? model, input: chatRequestSchema, type: 'function' },
    'chat',
    { provider, name: model },
  );
}
