// model-fallback: two ways past a slow model, one trace each. The large model is slow on a schedule (by
// default two requests in three take 3-4 s). `fallback`: the large model under a timeout, and when it
// times out the small model answers instead (an `overlap.fallback` event on the run). `hedge`: the large
// model again, and if it has not answered by half its timeout a duplicate request goes out; the first
// answer wins and the other is cancelled (an `overlap.hedge.start` event, two overlapping model bars).
import { defineAgent, type AgentContext, type ChatRequest } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { upstreamModel } from '../tools/upstreamModel.js';

/** The models the model-fallback agents use. */
export interface FallbackModels {
  large: ReturnType<typeof upstreamModel>;
  small: ReturnType<typeof upstreamModel>;
}

/** What the agents are asked. */
export interface Prompt {
  question: string;
}

const request = (question: string): ChatRequest => ({ messages: [{ role: 'user', content: question }] });

const summary = (answer: { text: string; responseModel?: string }) => ({ answer: answer.text, model: answer.responseModel });

/**
 * Asks the large model, and the small one if the large one fails or times out.
 *
 * @example
 * ```ts
 * const { model } = await runner.run(fallbackAgent(models), { question: 'Summarise my week' });
 * ```
 */
export function fallbackAgent(models: FallbackModels) {
  return defineAgent({
    name: 'answer_with_fallback',
    description: 'Large model under a timeout, small model when it fails',
    async run(ctx, { question }: Prompt) {
      const answer = await ctx.fallback(
        (c: AgentContext) => c.call(models.large, request(question)),
        (c: AgentContext) => c.call(models.small, request(question)),
      );
      return summary(answer);
    },
  });
}

/**
 * Asks the large model, and asks again in parallel if the first request is slow; the first answer wins.
 *
 * @example
 * ```ts
 * const { answer } = await runner.run(hedgeAgent(models, 750), { question: 'Summarise my week' });
 * ```
 */
export function hedgeAgent(models: FallbackModels, hedgeAfterMs: number) {
  return defineAgent({
    name: 'answer_with_hedge',
    description: 'Large model, with a duplicate request when the first is slow',
    async run(ctx, { question }: Prompt) {
      const answer = await ctx.hedge((c) => c.call(models.large, request(question)), { afterMs: hedgeAfterMs });
      return summary(answer);
    },
  });
}

/** The `model-fallback` example. */
export const modelFallbackExample = defineExample({
  name: 'model-fallback',
  title: 'Model fallback and hedging',
  description:
    'The large model is slow on a schedule: under a timeout it falls back to the small model; ' +
    'hedged, a duplicate request after half the timeout answers first.',
  parameters: [
    { name: 'timeoutMs', description: "The large model's timeout, in milliseconds (the hedge fires at half of it)", default: 1500, min: 50, max: 30_000 },
  ],
  async run(session, { timeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const models: FallbackModels = {
      large: upstreamModel({ upstreamUrl, size: 'large', timeoutMs }),
      small: upstreamModel({ upstreamUrl, size: 'small' }),
    };
    const input: Prompt = { question: 'Summarise the open tickets of this week.' };
    await session.runAgent(fallbackAgent(models), input, { label: 'fallback' });
    await session.runAgent(hedgeAgent(models, timeoutMs / 2), input, { label: 'hedge' });
  },
});
