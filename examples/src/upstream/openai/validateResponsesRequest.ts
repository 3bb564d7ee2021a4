import { modelEndpoint } from './openAiModels.js';
import { openAiError } from './openAiError.js';
import { Invalid, expectType, invalid, isObject, optionalInteger, optionalNumberInRange, typeName } from './requestChecks.js';
import type { ChatRequestCheck, ParsedChatRequest, ParsedMessage, ParsedTool, ParsedToolCall } from './validateChatRequest.js';

const MESSAGE_ROLES = ['user', 'assistant', 'system', 'developer'] as const;

/** A message item's content as text: a string, or the text of its `input_text` / `output_text` parts. */
function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw invalid(`Invalid type for '${param}': expected one of a string or array of input items, but got ${typeName(content)} instead.`, param, 'invalid_type');
  }
  return content
    .map((part: unknown, i) => {
      if (!isObject(part) || typeof part.type !== 'string') throw invalid(`Invalid type for '${param}[${i}]': expected an object, but got ${typeName(part)} instead.`, `${param}[${i}]`, 'invalid_type');
      if (part.type === 'input_text' || part.type === 'output_text') {
        if (typeof part.text !== 'string') throw invalid(`Missing required parameter: '${param}[${i}].text'.`, `${param}[${i}].text`, 'missing_required_parameter');
        return part.text;
      }
      return '';
    })
    .join('');
}

/** `input` (a string, or a list of message, function_call and function_call_output items) as messages. */
function parseInput(input: unknown, instructions: string | undefined): ParsedMessage[] {
  const messages: ParsedMessage[] = [];
  if (instructions !== undefined) messages.push({ role: 'system', text: instructions, toolCalls: [], toolCallId: undefined });
  if (input === undefined) throw invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof input === 'string') {
    messages.push({ role: 'user', text: input, toolCalls: [], toolCallId: undefined });
    return messages;
  }
  expectType(input, 'input', 'array');
  const calls = new Set<string>();
  let pendingCalls: ParsedToolCall[] = [];
  const flushCalls = (): void => {
    if (pendingCalls.length === 0) return;
    messages.push({ role: 'assistant', text: '', toolCalls: pendingCalls, toolCallId: undefined });
    pendingCalls = [];
  };
  (input as unknown[]).forEach((item, i) => {
    const at = `input[${i}]`;
    expectType(item, at, 'object');
    const it = item as Record<string, unknown>;
    const type = it.type ?? 'message';
    if (type === 'message') {
      if (!MESSAGE_ROLES.includes(it.role as (typeof MESSAGE_ROLES)[number])) {
        throw invalid(`Invalid value: '${String(it.role)}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.`, `${at}.role`, 'invalid_value');
      }
      flushCalls();
      messages.push({ role: it.role as ParsedMessage['role'], text: contentText(it.content, `${at}.content`), toolCalls: [], toolCallId: undefined });
    } else if (type === 'function_call') {
      for (const key of ['call_id', 'name', 'arguments'] as const) {
        if (typeof it[key] !== 'string') throw invalid(`Missing required parameter: '${at}.${key}'.`, `${at}.${key}`, 'missing_required_parameter');
      }
      calls.add(it.call_id as string);
      pendingCalls.push({ id: it.call_id as string, name: it.name as string, arguments: it.arguments as string });
    } else if (type === 'function_call_output') {
      if (typeof it.call_id !== 'string') throw invalid(`Missing required parameter: '${at}.call_id'.`, `${at}.call_id`, 'missing_required_parameter');
      if (!calls.has(it.call_id)) throw invalid(`No tool call found for function call output with call_id ${it.call_id}.`, 'input');
      flushCalls();
      const output = typeof it.output === 'string' ? it.output : contentText(it.output, `${at}.output`);
      messages.push({ role: 'tool', text: output, toolCalls: [], toolCallId: it.call_id });
    } else if (type === 'reasoning') {
      // Earlier reasoning is context the local model does not use.
    } else {
      throw invalid(`Invalid value: '${String(type)}'. This server takes input items of type 'message', 'function_call', 'function_call_output' and 'reasoning'.`, `${at}.type`, 'invalid_value');
    }
  });
  flushCalls();
  return messages;
}

function parseTools(value: unknown): ParsedTool[] {
  if (value === undefined || value === null) return [];
  expectType(value, 'tools', 'array');
  return (value as unknown[]).map((tool, i) => {
    const at = `tools[${i}]`;
    expectType(tool, at, 'object');
    const t = tool as Record<string, unknown>;
    if (t.type !== 'function') throw invalid(`Invalid value: '${String(t.type)}'. This server offers tools of type 'function' only.`, `${at}.type`, 'invalid_value');
    if (typeof t.name !== 'string') throw invalid(`Missing required parameter: '${at}.name'.`, `${at}.name`, 'missing_required_parameter');
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) {
      throw invalid(`Invalid '${at}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `${at}.name`, 'invalid_value');
    }
    if (t.parameters !== undefined && t.parameters !== null) expectType(t.parameters, `${at}.parameters`, 'object');
    return { name: t.name, description: typeof t.description === 'string' ? t.description : undefined, parameters: (t.parameters as Record<string, unknown> | null | undefined) ?? {} };
  });
}

function parseToolChoice(value: unknown, tools: readonly ParsedTool[]): ParsedChatRequest['toolChoice'] {
  if (value === undefined || value === null) return tools.length > 0 ? 'auto' : 'none';
  if (value === 'none' || value === 'auto' || value === 'required') return value;
  if (isObject(value) && value.type === 'function' && typeof value.name === 'string') {
    const name = value.name;
    if (!tools.some((tool) => tool.name === name)) throw invalid(`Tool choice '${name}' not found in 'tools' parameter.`, 'tool_choice');
    return { name };
  }
  throw invalid("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or { type: 'function', name }.", 'tool_choice', 'invalid_value');
}

/**
 * Checks a `POST /v1/responses` body as OpenAI does and turns it into the same request the chat
 * completions endpoint answers: `instructions` as a system message, `input` (a string, or message,
 * `function_call` and `function_call_output` items) as the conversation, flat function `tools`. The
 * local server keeps no responses, so `previous_response_id` is refused (send the whole conversation,
 * as OpenAI Agents JS and the AI SDK do by default). Errors are OpenAI's: 400 naming the parameter, 404
 * `model_not_found`.
 *
 * @example
 * ```ts
 * const check = validateResponsesRequest({ model: 'upstream-general', input: 'Hello' });
 * if (check.ok) check.request.messages; // [{ role: 'user', text: 'Hello', ... }]
 * ```
 */
export function validateResponsesRequest(body: unknown): ChatRequestCheck {
  try {
    if (!isObject(body)) throw invalid(`Invalid type for body: expected an object, but got ${typeName(body)} instead.`, null, 'invalid_type');
    if (body.model === undefined || body.model === null || body.model === '') throw invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    expectType(body.model, 'model', 'string');
    const model = body.model as string;
    if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
      throw new Invalid(
        openAiError(400, `Previous response with id '${String(body.previous_response_id)}' not found. This local server keeps no responses: send the whole conversation in 'input'.`, {
          param: 'previous_response_id',
          code: 'previous_response_not_found',
        }),
      );
    }
    if (body.instructions !== undefined && body.instructions !== null) expectType(body.instructions, 'instructions', 'string');
    const messages = parseInput(body.input, (body.instructions as string | null | undefined) ?? undefined);
    const tools = parseTools(body.tools);
    const toolChoice = parseToolChoice(body.tool_choice, tools);
    if (body.stream !== undefined && body.stream !== null) expectType(body.stream, 'stream', 'boolean');
    if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) expectType(body.parallel_tool_calls, 'parallel_tool_calls', 'boolean');
    const maxTokens = optionalInteger(body, 'max_output_tokens', 16);
    optionalNumberInRange(body, 'temperature', 0, 2);
    optionalNumberInRange(body, 'top_p', 0, 1);
    const endpoint = modelEndpoint(model);
    if (endpoint === undefined) {
      return { ok: false, error: openAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' }) };
    }
    return {
      ok: true,
      request: { model, endpoint, messages, tools, toolChoice, parallelToolCalls: body.parallel_tool_calls !== false, stream: body.stream === true, includeUsage: true, maxTokens },
    };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.answer };
    throw error;
  }
}
