import { InvalidOptionError, defineModel, type ChatResponse } from '@overlap/runner';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

/** The upstream's models: its endpoint, path and the model name traces show. */
const MODELS = {
  general: { path: '/model', model: 'upstream-general', defaultTimeoutMs: 5000 },
  large: { path: '/model/large', model: 'upstream-large', defaultTimeoutMs: 8000 },
  small: { path: '/model/small', model: 'upstream-small', defaultTimeoutMs: 3000 },
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
}

interface Completion {
  model: string;
  text: string;
  usage: { inputTokens: number; outputTokens: number };
  finishReason: string;
}

/**
 * One of the upstream's models as a runner model: its calls are `chat upstream-{size}` spans with the
 * provider (`overlap-upstream`), the model and the token usage the upstream reports.
 *
 * @example
 * ```ts
 * const callLlm = upstreamModel({ upstreamUrl, size: 'general', name: 'call_llm' });
 * const { text } = await ctx.call(callLlm, { messages: [{ role: 'user', content: 'Hello' }] });
 * ```
 */
export function upstreamModel(settings: UpstreamModelSettings) {
  const model = MODELS[settings.size] as (typeof MODELS)[UpstreamModelSize] | undefined;
  if (model === undefined) throw new InvalidOptionError('upstreamModel.size', "'general', 'large' or 'small'", settings.size);
  return defineModel({
    provider: 'overlap-upstream',
    model: model.model,
    ...(settings.name === undefined ? {} : { name: settings.name }),
    ...callPolicy(settings, model.defaultTimeoutMs),
    async run(request, { signal }): Promise<ChatResponse> {
      const answer = await requestJson<Completion>(settings.upstreamUrl, model.path, { signal, body: request });
      return { text: answer.text, usage: answer.usage, finishReason: answer.finishReason, responseModel: answer.model };
    },
  });
}
