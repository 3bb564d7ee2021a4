import { acceptsAgentParameter, agentParameterRange } from '@overlap/shared';
import type { AgentParameter } from '@overlap/shared';
import { parameterLabel } from './parameterLabel.js';

/** A parameter the page will not send, and why. */
export interface AgentParamProblem {
  /** The parameter's name. */
  readonly name: string;
  /** What is wrong, naming the parameter as the page shows it: "limit: expected an integer from 1 to 50, received 500". */
  readonly message: string;
}

/** What {@link readAgentParams} found: the parameters to send, or what is wrong with them. */
export type AgentParamsReading =
  | { readonly ok: true; readonly params: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly problems: readonly AgentParamProblem[] };

/** A decimal number as a number input writes it (sign, digits, fraction, exponent). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Reads the run form's inputs: every parameter must be an integer within its `min` and `max`, the rule
 * (`acceptsAgentParameter`) and wording (`agentParameterRange`) of `@overlap/shared` that the server and
 * the runner apply too. Text as typed, by parameter name; a parameter without an entry is empty.
 * Nothing is sent while a problem remains, so a request never carries a value the server would refuse.
 *
 * @example
 * ```ts
 * const reading = readAgentParams(agent.parameters, { limit: '4', count: '8' });
 * if (reading.ok) await api.runAgent({ agent: agent.name, params: reading.params });
 * else show(reading.problems.map((p) => p.message));
 * ```
 */
export function readAgentParams(parameters: readonly AgentParameter[], values: Readonly<Record<string, string>>): AgentParamsReading {
  const params: Record<string, number> = {};
  const problems: AgentParamProblem[] = [];
  for (const parameter of parameters) {
    const text = (Object.hasOwn(values, parameter.name) ? values[parameter.name] ?? '' : '').trim();
    const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (acceptsAgentParameter(parameter, value)) {
      params[parameter.name] = value;
    } else {
      const expected = `${parameterLabel(parameter.name)}: expected ${agentParameterRange(parameter)}`;
      problems.push({ name: parameter.name, message: text === '' ? expected : `${expected}, received ${text}` });
    }
  }
  return problems.length === 0 ? { ok: true, params } : { ok: false, problems };
}
