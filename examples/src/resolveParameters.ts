import type { ExampleParameter, ExampleParameterName } from './Example.js';
import { ExampleParameterError } from './ExampleParameterError.js';

/**
 * Checks the parameters given to an example and fills in the defaults. Every given name must be one of
 * the example's parameters, and every value an integer in its range; anything else throws
 * {@link ExampleParameterError} naming the parameter. Does not change `params`.
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
  const given = params ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ExampleParameterError(example, 'params', 'an object of numbers by parameter name', given);
  }
  const known = new Map(parameters.map((p) => [p.name as string, p]));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const names = parameters.map((p) => p.name).join(', ') || 'none';
      throw new ExampleParameterError(example, name, `one of this example's parameters (${names})`, name);
    }
  }
  const values = {} as Record<P, number>;
  for (const parameter of parameters) {
    const value = given[parameter.name] ?? parameter.default;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < parameter.min || value > parameter.max) {
      throw new ExampleParameterError(example, parameter.name, `an integer from ${parameter.min} to ${parameter.max}`, value);
    }
    values[parameter.name as P] = value;
  }
  return values;
}
