import type { ScriptedAnswer } from './scriptChatAnswer.js';
import type { ParsedChatRequest } from './validateChatRequest.js';

/** How an answer of the local model is written in one of OpenAI's APIs: whole, or as server-sent events. */
export interface AnswerFormat {
  /** The answer as one JSON body. */
  body(id: string, createdSeconds: number, request: ParsedChatRequest, answer: ScriptedAnswer): unknown;
  /**
   * The answer as server-sent events, one frame per token: frame `i` is written at the time of token
   * `i`; the first frame opens the answer, the last one closes it.
   */
  frames(id: string, createdSeconds: number, request: ParsedChatRequest, answer: ScriptedAnswer): string[];
}

function usageOf(answer: ScriptedAnswer) {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallsOf(answer: ScriptedAnswer & { kind: 'tool_calls' }) {
  return answer.calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
}

/** The `chat.completion` object of a plain (not streamed) answer. */
function completion(id: string, created: number, model: string, answer: ScriptedAnswer) {
  const message =
    answer.kind === 'text'
      ? { role: 'assistant', content: answer.pieces.join(''), refusal: null, annotations: [] }
      : { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: toolCallsOf(answer) };
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: usageOf(answer),
    service_tier: 'default',
    system_fingerprint: 'fp_overlap',
  };
}

/**
 * The server-sent events of a streamed answer, one frame per token: the first frame carries the role
 * and the first token, the last one also the finish reason, the usage chunk (with `include_usage`) and
 * `[DONE]`.
 */
function streamFrames(id: string, created: number, request: ParsedChatRequest, answer: ScriptedAnswer): string[] {
  const base = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    service_tier: 'default',
    system_fingerprint: 'fp_overlap',
    ...(request.includeUsage ? { usage: null } : {}),
  };
  const event = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    event({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  const frames: string[] = [];
  if (answer.kind === 'text') {
    answer.pieces.forEach((piece, i) => {
      frames.push(i === 0 ? chunk({ role: 'assistant', content: '', refusal: null }) + chunk({ content: piece }) : chunk({ content: piece }));
    });
    if (frames.length === 0) frames.push(chunk({ role: 'assistant', content: '', refusal: null }));
  } else {
    answer.calls.forEach((call, index) => {
      const opening = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      frames.push(index === 0 ? chunk({ role: 'assistant', content: null, refusal: null, tool_calls: [opening] }) : chunk({ tool_calls: [opening] }));
      for (const piece of answer.argumentPieces[index]!) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
  }
  let last = chunk({}, answer.finishReason);
  if (request.includeUsage) last += event({ ...base, choices: [], usage: usageOf(answer) });
  frames[frames.length - 1] += `${last}data: [DONE]\n\n`;
  return frames;
}

/**
 * Chat Completions (`POST /v1/chat/completions`): a `chat.completion` object, or `chat.completion.chunk`
 * events ending with `[DONE]`, the usage in a last chunk without choices when `include_usage` asks for it.
 *
 * @example
 * ```ts
 * chatCompletionFormat.body('chatcmpl-1', 1700000000, request, answer).choices[0].finish_reason; // 'tool_calls'
 * ```
 */
export const chatCompletionFormat = {
  body: (id, createdSeconds, request, answer) => completion(id, createdSeconds, request.model, answer),
  frames: streamFrames,
} satisfies AnswerFormat;
