import type { StandardSchemaV1 } from '@standard-schema/spec';
import { buildTool, type Tool, type ToolContext, type ToolOptions } from './tool.js';
import { validateOption } from './validateOption.js';

/** One message of a chat. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** What an agent sends to a model. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Most tokens to generate. */
  maxTokens?: number;
  temperature?: number;
}

/** What a model answers. `usage` and `responseModel`, when given, become `gen_ai.*` attributes. */
export interface ChatResponse {
  text: string;
  usage?: { inputTokens: number; outputTokens: number };
  finishReason?: string;
  /** The model that actually answered, when the provider says. */
  responseModel?: string;
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
        });
      }
      if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
        issues.push({ message: 'expected a positive integer', path: ['maxTokens'] });
      }
      return issues.length ? { issues } : { value: request as ChatRequest };
    },
  },
};

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
