import { streamSeed } from '../seededRandom.js';
import { exampleArguments } from './exampleArguments.js';
import { splitTokens, promptTokens } from './splitTokens.js';
import type { ParsedChatRequest, ParsedToolCall } from './validateChatRequest.js';

/** Tool calls the local model asks for at once, when parallel tool calls are allowed. */
export const TOOL_CALLS_PER_ANSWER = 3;

/** What the local model answers: text, or tool calls; with its token counts. */
export type ScriptedAnswer =
  | {
      readonly kind: 'text';
      /** The text's tokens, in order; joined they give the text. */
      readonly pieces: readonly string[];
      readonly finishReason: 'stop' | 'length';
      readonly promptTokens: number;
      readonly completionTokens: number;
    }
  | {
      readonly kind: 'tool_calls';
      readonly calls: readonly ParsedToolCall[];
      /** Each call's arguments as tokens, in the order of `calls`. */
      readonly argumentPieces: readonly (readonly string[])[];
      readonly finishReason: 'tool_calls';
      readonly promptTokens: number;
      readonly completionTokens: number;
    };

const OPENINGS = ['Here is what I found', 'In short', 'Based on your account'];

/**
 * The local model's answer to a checked request: a script, not a model, so the same request gets the
 * same answer every run (for the same `seed`).
 *
 * - With tools offered (and `tool_choice` not `none`) and no tool results since the user's last
 *   message, it asks for tools: {@link TOOL_CALLS_PER_ANSWER} calls at once (one when
 *   `parallel_tool_calls` is false; only the named function when `tool_choice` names one), taking the
 *   tools in the order given and starting over when there are fewer; arguments made up from each tool's
 *   JSON Schema ({@link exampleArguments}). `tool_choice: 'required'` asks for tools every turn.
 * - Otherwise it answers in text: from the tool results when there are some, else about the question.
 *
 * The answer is cut at `max_completion_tokens` (`finish_reason: 'length'`).
 *
 * @example
 * ```ts
 * const answer = scriptChatAnswer(request, 1);
 * if (answer.kind === 'tool_calls') answer.calls.map((c) => c.name); // ['get_weather', 'get_order', 'search_kb']
 * ```
 */
export function scriptChatAnswer(request: ParsedChatRequest, seed: number): ScriptedAnswer {
  const messages = request.messages;
  const prompt = messages.map((m) => `${m.role}: ${m.text}${m.toolCalls.map((c) => ` ${c.name}(${c.arguments})`).join('')}`).join('\n');
  const inputTokens = promptTokens([
    ...messages.map((m) => m.text + m.toolCalls.map((c) => c.name + c.arguments).join('')),
    ...request.tools.map((t) => t.name + (t.description ?? '') + JSON.stringify(t.parameters)),
  ]);
  let lastUser = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  const question = (lastUser >= 0 ? messages[lastUser]!.text : prompt).split('\n')[0]!.slice(0, 160);
  const results = messages.slice(lastUser + 1).filter((m) => m.role === 'tool');

  const choice = request.toolChoice;
  const offered = typeof choice === 'object' ? request.tools.filter((t) => t.name === choice.name) : choice === 'none' ? [] : request.tools;
  const wantsTools = offered.length > 0 && (results.length === 0 || choice === 'required' || typeof choice === 'object');
  if (wantsTools) {
    const count = request.parallelToolCalls ? TOOL_CALLS_PER_ANSWER : 1;
    const calls: ParsedToolCall[] = [];
    for (let i = 0; i < count; i += 1) {
      const tool = offered[i % offered.length]!;
      const key = `${seed}\u0000${prompt}\u0000${i}`;
      calls.push({
        id: `call_${streamSeed(seed, key).toString(36)}${i}`,
        name: tool.name,
        arguments: JSON.stringify(exampleArguments(tool.parameters, key, question)),
      });
    }
    const argumentPieces = calls.map((call) => splitTokens(call.arguments));
    const completionTokens = argumentPieces.reduce((sum, pieces) => sum + pieces.length + 1, 0);
    return { kind: 'tool_calls', calls, argumentPieces, finishReason: 'tool_calls', promptTokens: inputTokens, completionTokens };
  }

  let text: string;
  if (results.length > 0) {
    const callNames = new Map(messages.flatMap((m) => m.toolCalls.map((c) => [c.id, c.name] as const)));
    const facts = results.map((r) => `${callNames.get(r.toolCallId!) ?? 'tool'} said ${r.text.replace(/\s+/g, ' ').slice(0, 80)}`);
    text = `(${request.model}) From ${results.length} tool result${results.length === 1 ? '' : 's'}: ${facts.join('; ')}. That answers "${question}".`;
  } else {
    text = `(${request.model}) ${OPENINGS[streamSeed(seed, prompt) % OPENINGS.length]}: ${question}`;
  }
  let pieces = splitTokens(text);
  let finishReason: 'stop' | 'length' = 'stop';
  if (request.maxTokens !== undefined && pieces.length > request.maxTokens) {
    pieces = pieces.slice(0, request.maxTokens);
    finishReason = 'length';
  }
  return { kind: 'text', pieces, finishReason, promptTokens: inputTokens, completionTokens: pieces.length };
}
