import type { ExampleParameter, ExampleParameterName } from './Example.js';
import { ExampleParameterError } from './ExampleParameterError.js';
import { resolveAgentParams } from '@overlap/shared';

/**
 * Checks the parameters given to an example and fills in the defaults, with `resolveAgentParams` of
 * `@overlap/shared` (the check the dashboard and the runner apply to a run asked for from the page):
 * every given name must be one of the example's parameters, and every value an integer in its range;
 * anything else throws {@link ExampleParameterError} naming the parameter. Does not change `params`.
 *
 * @example
 * ```ts
 * resolveParameters('burst', burst.parameters, { limit: 8 }); // { limit: 8, count: 30 }
 * resolveParameters('burst', burst.parameters, { limit: 0 }); // throws: limit: expected an integer from 1 to 50, received 0
 * ```
 */
export function resolveParameters<P extends ExampleParameterName>(
  example: string,
  parameters: readonly ExampleParameter[],
  params: Readonly<Record<string, unknown>> | undefined,
): Record<P, number> {
  const resolved = resolveAgentParams(parameters, params);
  if (!resolved.ok) throw new ExampleParameterError(example, resolved.problem.parameter, resolved.problem.expected, resolved.problem.received);
  return { ...resolved.params } as Record<P, number>;
}
