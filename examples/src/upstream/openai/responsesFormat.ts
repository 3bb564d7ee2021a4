import type { AnswerFormat } from './chatCompletionFormat.js';
import type { ScriptedAnswer } from './scriptChatAnswer.js';
import type { ParsedChatRequest } from './validateChatRequest.js';

type OutputItem =
  | { type: 'message'; id: string; status: string; role: 'assistant'; content: Array<{ type: 'output_text'; text: string; annotations: [] }> }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: string };

function usageOf(answer: ScriptedAnswer) {
  return {
    input_tokens: answer.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: answer.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: answer.promptTokens + answer.completionTokens,
  };
}

/** The answer's output items, finished. */
function outputOf(id: string, answer: ScriptedAnswer): OutputItem[] {
  if (answer.kind === 'text') {
    return [{ type: 'message', id: `msg_${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: answer.pieces.join(''), annotations: [] }] }];
  }
  return answer.calls.map((call, i) => ({ type: 'function_call', id: `fc_${id}_${i}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' }));
}

/** The `response` object, in progress (no output, no usage) or as it ended. */
function responseObject(id: string, createdSeconds: number, request: ParsedChatRequest, answer: ScriptedAnswer, done: boolean) {
  const incomplete = done && answer.finishReason === 'length';
  const instructions = request.messages[0]?.role === 'system' ? request.messages[0].text : null;
  return {
    id,
    object: 'response',
    created_at: createdSeconds,
    status: done ? (incomplete ? 'incomplete' : 'completed') : 'in_progress',
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions,
    max_output_tokens: request.maxTokens ?? null,
    model: request.model,
    output: done ? outputOf(id, answer) : [],
    parallel_tool_calls: request.parallelToolCalls,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: typeof request.toolChoice === 'object' ? { type: 'function', name: request.toolChoice.name } : request.toolChoice,
    tools: request.tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description ?? null, parameters: tool.parameters, strict: true })),
    top_p: 1,
    truncation: 'disabled',
    usage: done ? usageOf(answer) : null,
    user: null,
    metadata: {},
  };
}

/**
 * The streamed events of an answer, one frame per token: `response.created` and `response.in_progress`
 * open it; a message streams `response.output_text.delta`s inside its output item and content part; each
 * function call is an output item whose arguments stream as `response.function_call_arguments.delta`s;
 * `response.completed` (or `response.incomplete`) closes it with the whole response and its usage.
 */
function responseFrames(id: string, createdSeconds: number, request: ParsedChatRequest, answer: ScriptedAnswer): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const opening =
    event('response.created', { response: responseObject(id, createdSeconds, request, answer, false) }) +
    event('response.in_progress', { response: responseObject(id, createdSeconds, request, answer, false) });
  const finished = outputOf(id, answer);
  const frames: string[] = [];
  if (answer.kind === 'text') {
    const item = finished[0] as Extract<OutputItem, { type: 'message' }>;
    const itemId = item.id;
    const start =
      event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }) +
      event('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    const delta = (piece: string) => event('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
    answer.pieces.forEach((piece, i) => frames.push((i === 0 ? opening + start : '') + delta(piece)));
    if (frames.length === 0) frames.push(opening + start);
    const text = item.content[0]!.text;
    frames[frames.length - 1] +=
      event('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] }) +
      event('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: item.content[0] }) +
      event('response.output_item.done', { output_index: 0, item });
  } else {
    (finished as Array<Extract<OutputItem, { type: 'function_call' }>>).forEach((item, index) => {
      const added = event('response.output_item.added', { output_index: index, item: { ...item, arguments: '', status: 'in_progress' } });
      frames.push((index === 0 ? opening : '') + added);
      const pieces = answer.argumentPieces[index]!;
      pieces.forEach((piece, i) => {
        let frame = event('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: piece });
        if (i === pieces.length - 1) {
          frame +=
            event('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments }) +
            event('response.output_item.done', { output_index: index, item });
        }
        frames.push(frame);
      });
    });
  }
  const ended = responseObject(id, createdSeconds, request, answer, true);
  frames[frames.length - 1] += event(ended.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: ended });
  return frames;
}

/**
 * The Responses API (`POST /v1/responses`): a `response` object whose `output` holds a message or the
 * function calls, or its stream of `response.*` events (no `[DONE]`: the stream ends after
 * `response.completed`).
 *
 * @example
 * ```ts
 * responsesFormat.body('resp_1', 1700000000, request, answer).output[0].type; // 'function_call'
 * ```
 */
export const responsesFormat = {
  body: (id, createdSeconds, request, answer) => responseObject(id, createdSeconds, request, answer, true),
  frames: responseFrames,
} satisfies AnswerFormat;
