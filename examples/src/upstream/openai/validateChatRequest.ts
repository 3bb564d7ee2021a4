import type { EndpointName } from '../EndpointName.js';
import { modelEndpoint } from './openAiModels.js';
import { openAiError, type OpenAiErrorAnswer } from './openAiError.js';
import { Invalid, expectType, invalid, isObject, optionalInteger, optionalNumberInRange, typeName } from './requestChecks.js';

/** Roles a chat message may have, as OpenAI lists them. */
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'] as const;

/** A function call an assistant message asked for, or the scripted model asks for. */
export interface ParsedToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments, JSON text. */
  readonly arguments: string;
}

/** A tool offered to the model. */
export interface ParsedTool {
  readonly name: string;
  readonly description: string | undefined;
  /** JSON Schema of the arguments (an object schema), `{}` when not given. */
  readonly parameters: Record<string, unknown>;
}

/** One message of a checked request, its content flattened to text. */
export interface ParsedMessage {
  readonly role: (typeof ROLES)[number];
  readonly text: string;
  /** On an assistant message: the calls it asked for. */
  readonly toolCalls: readonly ParsedToolCall[];
  /** On a tool message: the call it answers. */
  readonly toolCallId: string | undefined;
}

/** A chat completions request that passed the checks. */
export interface ParsedChatRequest {
  readonly model: string;
  /** The upstream endpoint that serves the model. */
  readonly endpoint: EndpointName;
  readonly messages: readonly ParsedMessage[];
  readonly tools: readonly ParsedTool[];
  /** `none`, `auto`, `required`, or the one function the model must call. */
  readonly toolChoice: 'none' | 'auto' | 'required' | { readonly name: string };
  readonly parallelToolCalls: boolean;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage and no choices. */
  readonly includeUsage: boolean;
  /** `max_completion_tokens` (or the older `max_tokens`). */
  readonly maxTokens: number | undefined;
}

/** The checked request, or the error answer OpenAI would give. */
export type ChatRequestCheck = { readonly ok: true; readonly request: ParsedChatRequest } | { readonly ok: false; readonly error: OpenAiErrorAnswer };

/** A message's content as text: a string, null, or an array of parts whose text parts are kept. */
function contentText(content: unknown, param: string, allowNull: boolean): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) {
    if (allowNull) return '';
    throw invalid(`Invalid value for '${param}': expected a string, got null.`, param);
  }
  if (!Array.isArray(content)) throw invalid(`Invalid type for '${param}': expected one of a string or array of objects, but got ${typeName(content)} instead.`, param, 'invalid_type');
  return content
    .map((part: unknown, i) => {
      if (!isObject(part) || typeof part.type !== 'string') throw invalid(`Invalid type for '${param}[${i}]': expected an object, but got ${typeName(part)} instead.`, `${param}[${i}]`, 'invalid_type');
      if (part.type === 'text' || part.type === 'refusal') {
        const text = part.type === 'text' ? part.text : part.refusal;
        if (typeof text !== 'string') throw invalid(`Missing required parameter: '${param}[${i}].${part.type}'.`, `${param}[${i}].${part.type}`, 'missing_required_parameter');
        return text;
      }
      return '';
    })
    .join('');
}

function parseToolCalls(value: unknown, param: string): ParsedToolCall[] {
  if (value === undefined || value === null) return [];
  expectType(value, param, 'array');
  return (value as unknown[]).map((call, i) => {
    const at = `${param}[${i}]`;
    expectType(call, at, 'object');
    const { id, type, function: fn } = call as Record<string, unknown>;
    if (typeof id !== 'string') throw invalid(`Missing required parameter: '${at}.id'.`, `${at}.id`, 'missing_required_parameter');
    if (type !== 'function') throw invalid(`Invalid value: '${String(type)}'. Supported values are: 'function'.`, `${at}.type`, 'invalid_value');
    expectType(fn, `${at}.function`, 'object');
    const { name, arguments: args } = fn as Record<string, unknown>;
    if (typeof name !== 'string') throw invalid(`Missing required parameter: '${at}.function.name'.`, `${at}.function.name`, 'missing_required_parameter');
    if (typeof args !== 'string') throw invalid(`Missing required parameter: '${at}.function.arguments'.`, `${at}.function.arguments`, 'missing_required_parameter');
    return { id, name, arguments: args };
  });
}

function parseMessages(value: unknown): ParsedMessage[] {
  if (value === undefined) throw invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  expectType(value, 'messages', 'array');
  const list = value as unknown[];
  if (list.length === 0) {
    throw invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  const messages = list.map((message, i): ParsedMessage => {
    const at = `messages[${i}]`;
    expectType(message, at, 'object');
    const m = message as Record<string, unknown>;
    if (m.role === undefined) throw invalid(`Missing required parameter: '${at}.role'.`, `${at}.role`, 'missing_required_parameter');
    if (!ROLES.includes(m.role as (typeof ROLES)[number])) {
      throw invalid(`Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `${at}.role`, 'invalid_value');
    }
    const role = m.role as (typeof ROLES)[number];
    if (role === 'assistant') {
      const toolCalls = parseToolCalls(m.tool_calls, `${at}.tool_calls`);
      return { role, text: contentText(m.content, `${at}.content`, toolCalls.length > 0), toolCalls, toolCallId: undefined };
    }
    if (role === 'tool') {
      if (typeof m.tool_call_id !== 'string') {
        throw invalid(`Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.`, `${at}.tool_call_id`);
      }
      return { role, text: contentText(m.content, `${at}.content`, false), toolCalls: [], toolCallId: m.tool_call_id };
    }
    if (m.content === undefined) throw invalid(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
    return { role, text: contentText(m.content, `${at}.content`, false), toolCalls: [], toolCallId: undefined };
  });
  // Tool messages answer the calls of the assistant message before them, every call exactly once.
  let open: Set<string> | undefined;
  let openAt = -1;
  messages.forEach((message, i) => {
    if (message.role === 'tool') {
      if (open === undefined || !open.delete(message.toolCallId!)) {
        throw invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      }
      return;
    }
    if (open !== undefined && open.size > 0) {
      throw invalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`,
        `messages.[${openAt}].role`,
      );
    }
    open = message.toolCalls.length > 0 ? new Set(message.toolCalls.map((call) => call.id)) : undefined;
    openAt = i;
  });
  return messages;
}

function parseTools(value: unknown): ParsedTool[] {
  if (value === undefined || value === null) return [];
  expectType(value, 'tools', 'array');
  return (value as unknown[]).map((tool, i) => {
    const at = `tools[${i}]`;
    expectType(tool, at, 'object');
    const t = tool as Record<string, unknown>;
    if (t.type !== 'function') throw invalid(`Invalid value: '${String(t.type)}'. Supported values are: 'function' and 'custom'.`, `${at}.type`, 'invalid_value');
    expectType(t.function, `${at}.function`, 'object');
    const fn = t.function as Record<string, unknown>;
    if (typeof fn.name !== 'string') throw invalid(`Missing required parameter: '${at}.function.name'.`, `${at}.function.name`, 'missing_required_parameter');
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) {
      throw invalid(`Invalid '${at}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `${at}.function.name`, 'invalid_value');
    }
    if (fn.parameters !== undefined) expectType(fn.parameters, `${at}.function.parameters`, 'object');
    return {
      name: fn.name,
      description: typeof fn.description === 'string' ? fn.description : undefined,
      parameters: (fn.parameters as Record<string, unknown> | undefined) ?? {},
    };
  });
}

function parseToolChoice(value: unknown, tools: readonly ParsedTool[]): ParsedChatRequest['toolChoice'] {
  if (value === undefined || value === null) return tools.length > 0 ? 'auto' : 'none';
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && tools.length === 0) {
      throw invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
    }
    return value;
  }
  if (isObject(value) && value.type === 'function' && isObject(value.function) && typeof value.function.name === 'string') {
    const name = value.function.name;
    if (!tools.some((tool) => tool.name === name)) {
      throw invalid(`Invalid value for 'tool_choice': tool '${name}' is not among the 'tools' specified.`, 'tool_choice');
    }
    return { name };
  }
  throw invalid("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or { type: 'function', function: { name } }.", 'tool_choice', 'invalid_value');
}

/**
 * Checks a `POST /v1/chat/completions` body as OpenAI does, and answers what OpenAI would on a bad one:
 * 400 `invalid_request_error` naming the parameter at fault (`messages[1].role`, `tools[0].function.name`...)
 * for a missing or malformed parameter, a tool message that answers no call, or a call left without
 * its tool message; 404 `model_not_found` for a model it does not serve. Parameters it does not use
 * (`temperature`, `seed`, `user`...) are checked where OpenAI checks them and otherwise ignored.
 *
 * @example
 * ```ts
 * const check = validateChatRequest({ model: 'upstream-general', messages: [{ role: 'robot', content: 'hi' }] });
 * if (!check.ok) check.error; // { status: 400, body: { error: { param: 'messages[0].role', code: 'invalid_value', ... } } }
 * ```
 */
export function validateChatRequest(body: unknown): ChatRequestCheck {
  try {
    if (!isObject(body)) throw invalid(`Invalid type for body: expected an object, but got ${typeName(body)} instead.`, null, 'invalid_type');
    if (body.model === undefined || body.model === null || body.model === '') throw invalid('you must provide a model parameter', null);
    expectType(body.model, 'model', 'string');
    const model = body.model as string;
    const messages = parseMessages(body.messages);
    const tools = parseTools(body.tools);
    const toolChoice = parseToolChoice(body.tool_choice, tools);
    if (body.stream !== undefined && body.stream !== null) expectType(body.stream, 'stream', 'boolean');
    const stream = body.stream === true;
    let includeUsage = false;
    if (body.stream_options !== undefined && body.stream_options !== null) {
      if (!stream) throw invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
      expectType(body.stream_options, 'stream_options', 'object');
      const usage = (body.stream_options as Record<string, unknown>).include_usage;
      if (usage !== undefined) expectType(usage, 'stream_options.include_usage', 'boolean');
      includeUsage = usage === true;
    }
    if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) expectType(body.parallel_tool_calls, 'parallel_tool_calls', 'boolean');
    const n = optionalInteger(body, 'n', 1);
    if (n !== undefined && n > 1) throw invalid('This server answers one choice per request: n must be 1.', 'n', 'invalid_value');
    const maxTokens = optionalInteger(body, 'max_completion_tokens', 1) ?? optionalInteger(body, 'max_tokens', 1);
    optionalNumberInRange(body, 'temperature', 0, 2);
    optionalNumberInRange(body, 'top_p', 0, 1);
    const endpoint = modelEndpoint(model);
    if (endpoint === undefined) {
      return {
        ok: false,
        error: openAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' }),
      };
    }
    return {
      ok: true,
      request: { model, endpoint, messages, tools, toolChoice, parallelToolCalls: body.parallel_tool_calls !== false, stream, includeUsage, maxTokens },
    };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.answer };
    throw error;
  }
}
