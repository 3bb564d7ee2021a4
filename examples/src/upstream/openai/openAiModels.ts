import type { EndpointName } from '../EndpointName.js';

/**
 * The models the OpenAI-compatible API serves, and the upstream endpoint whose latency, faults and
 * limits each one has: `upstream-general` is endpoint `model`, `upstream-large` is `largeModel`,
 * `upstream-small` is `smallModel`. Any other model name is answered 404 `model_not_found`, as OpenAI does.
 */
export const OPENAI_MODELS: Readonly<Record<string, EndpointName>> = Object.freeze({
  'upstream-general': 'model',
  'upstream-large': 'largeModel',
  'upstream-small': 'smallModel',
});

/**
 * The endpoint that serves `model`, or undefined for a model the API does not serve.
 *
 * @example
 * ```ts
 * modelEndpoint('upstream-large'); // 'largeModel'
 * modelEndpoint('gpt-4o'); // undefined
 * ```
 */
export function modelEndpoint(model: string): EndpointName | undefined {
  return Object.hasOwn(OPENAI_MODELS, model) ? OPENAI_MODELS[model] : undefined;
}
