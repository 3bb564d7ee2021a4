import { describeValue } from '../describeValue.js';
import type { AgentParameter } from './AgentDescriptor.js';

/** Why {@link resolveAgentParams} refused the parameters. */
export interface AgentParamProblem {
  /** The parameter at fault, as given. */
  readonly parameter: string;
  /** What was expected, in words: `an integer from 1 to 50`. */
  readonly expected: string;
  /** What was given. */
  readonly received: unknown;
  /** `limit: expected an integer from 1 to 50, received 500`. */
  readonly message: string;
}

/** What {@link resolveAgentParams} found: every parameter's value, or the first problem. */
export type AgentParamsResolution =
  | { readonly ok: true; readonly params: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly problem: AgentParamProblem };

/**
 * What a parameter accepts, in words: `an integer from 1 to 50`.
 *
 * @example
 * ```ts
 * agentParameterRange({ name: 'limit', description: '', default: 3, min: 1, max: 50 }); // 'an integer from 1 to 50'
 * ```
 */
export function agentParameterRange(parameter: Pick<AgentParameter, 'min' | 'max'>): string {
  return `an integer from ${parameter.min} to ${parameter.max}`;
}

/**
 * Whether `value` is acceptable for `parameter`: an integer within `min` and `max`, both included.
 *
 * @example
 * ```ts
 * acceptsAgentParameter(limit, 4); // true
 * acceptsAgentParameter(limit, 2.5); // false
 * ```
 */
export function acceptsAgentParameter(parameter: Pick<AgentParameter, 'min' | 'max'>, value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= parameter.min && value <= parameter.max;
}

/**
 * Checks the parameters of a run asked for and fills in the defaults: every given name must be one of
 * the agent's parameters and every value {@link acceptsAgentParameter}. The one check (and message) the
 * dashboard's server, the runner process and the examples apply; `given` is not changed.
 *
 * @example
 * ```ts
 * resolveAgentParams(burst.parameters, { limit: 8 }); // { ok: true, params: { limit: 8, count: 30 } }
 * resolveAgentParams(burst.parameters, { limit: 0 }).problem?.message; // 'limit: expected an integer from 1 to 50, received 0'
 * ```
 */
export function resolveAgentParams(parameters: readonly AgentParameter[], given: unknown): AgentParamsResolution {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    return refuse('params', 'an object of numbers by parameter name', given);
  }
  const values = (given ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!parameters.some((p) => p.name === name)) {
      return refuse(name, `one of its parameters (${parameters.map((p) => p.name).join(', ') || 'none'})`, name);
    }
  }
  const params: Record<string, number> = {};
  for (const parameter of parameters) {
    const value = Object.hasOwn(values, parameter.name) && values[parameter.name] !== undefined ? values[parameter.name] : parameter.default;
    if (!acceptsAgentParameter(parameter, value)) return refuse(parameter.name, agentParameterRange(parameter), value);
    params[parameter.name] = value;
  }
  return { ok: true, params };
}

function refuse(parameter: string, expected: string, received: unknown): AgentParamsResolution {
  return { ok: false, problem: { parameter, expected, received, message: `${parameter}: expected ${expected}, received ${describeValue(received)}` } };
}
