import { describeValue } from '../describeValue.js';
import type { AgentComparison, AgentComparisonRun, AgentDescriptor, AgentParameter, RunnerRegistration } from './AgentDescriptor.js';
import { resolveAgentParams } from './agentParams.js';

/** What {@link readRunnerRegistration} and {@link readAgentDescriptors} found. */
export type AgentOfferReading<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** Where the problem is, such as `agents[0].parameters[1].max`. */
      readonly path: string;
      readonly expected: string;
      readonly received: unknown;
      /** `agents[0].parameters[1].max: expected an integer >= min and >= default, received 0.5`. */
      readonly message: string;
    };

class Problem {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly received: unknown,
  ) {}
}

/**
 * Reads a `register` payload (untrusted: it comes off the network): a runner id, a service name and
 * the agents, each checked as {@link readAgentDescriptors} does. Unknown keys are refused; the result
 * is a new object (a missing `description` of a parameter becomes `''`).
 *
 * @example
 * ```ts
 * const reading = readRunnerRegistration(payload);
 * if (!reading.ok) ack({ error: { code: 'invalid_registration', message: reading.message } });
 * ```
 */
export function readRunnerRegistration(payload: unknown): AgentOfferReading<RunnerRegistration> {
  return read(() => {
    const o = record(payload, 'registration', ['runnerId', 'serviceName', 'agents']);
    return {
      runnerId: text(o.runnerId, 'runnerId', 1, 128),
      serviceName: text(o.serviceName, 'serviceName', 1, 256),
      agents: descriptors(o.agents, 'agents'),
    };
  });
}

/**
 * Checks agent descriptors: at most 200 agents with distinct names; each a `name`, optional `title` and
 * `description`, at most 20 integer `parameters` with distinct names and `min <= default <= max`, and at
 * most 10 `comparisons` whose runs give only the agent's own parameters, in range.
 *
 * @example
 * ```ts
 * const reading = readAgentDescriptors(agents);
 * if (!reading.ok) throw new InvalidOptionError(`offerAgents.${reading.path}`, reading.expected, reading.received);
 * ```
 */
export function readAgentDescriptors(agents: unknown): AgentOfferReading<AgentDescriptor[]> {
  return read(() => descriptors(agents, 'agents'));
}

function read<T>(body: () => T): AgentOfferReading<T> {
  try {
    return { ok: true, value: body() };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    return { ok: false, path: error.path, expected: error.expected, received: error.received, message: `${error.path}: expected ${error.expected}, received ${describeValue(error.received)}` };
  }
}

function descriptors(value: unknown, path: string): AgentDescriptor[] {
  const list = array(value, path, 200);
  const agents = list.map((agent, i) => descriptor(agent, `${path}[${i}]`));
  unique(agents.map((a) => a.name), path, 'agents with distinct names');
  return agents;
}

function descriptor(value: unknown, path: string): AgentDescriptor {
  const o = record(value, path, ['name', 'title', 'description', 'parameters', 'comparisons']);
  const parameters = array(o.parameters ?? [], `${path}.parameters`, 20).map((p, i) => parameter(p, `${path}.parameters[${i}]`));
  unique(parameters.map((p) => p.name), `${path}.parameters`, 'parameters with distinct names');
  const comparisons = o.comparisons === undefined ? undefined : array(o.comparisons, `${path}.comparisons`, 10).map((c, i) => comparison(c, `${path}.comparisons[${i}]`, parameters));
  return {
    name: text(o.name, `${path}.name`, 1, 128),
    ...(o.title === undefined ? {} : { title: text(o.title, `${path}.title`, 0, 256) }),
    ...(o.description === undefined ? {} : { description: text(o.description, `${path}.description`, 0, 2000) }),
    parameters,
    ...(comparisons === undefined ? {} : { comparisons }),
  };
}

function comparison(value: unknown, path: string, parameters: readonly AgentParameter[]): AgentComparison {
  const o = record(value, path, ['title', 'a', 'b']);
  return { title: text(o.title, `${path}.title`, 1, 128), a: comparisonRun(o.a, `${path}.a`, parameters), b: comparisonRun(o.b, `${path}.b`, parameters) };
}

function comparisonRun(value: unknown, path: string, parameters: readonly AgentParameter[]): AgentComparisonRun {
  const o = record(value, path, ['label', 'params', 'agentName']);
  let params: Record<string, number> | undefined;
  if (o.params !== undefined) {
    const given = record(o.params, `${path}.params`, parameters.map((p) => p.name));
    const resolved = resolveAgentParams(parameters, given);
    if (!resolved.ok) throw new Problem(`${path}.params.${resolved.problem.parameter}`, resolved.problem.expected, resolved.problem.received);
    params = Object.fromEntries(Object.keys(given).map((name) => [name, resolved.params[name]!]));
  }
  return {
    label: text(o.label, `${path}.label`, 1, 64),
    ...(params === undefined ? {} : { params }),
    ...(o.agentName === undefined ? {} : { agentName: text(o.agentName, `${path}.agentName`, 1, 128) }),
  };
}

function parameter(value: unknown, path: string): AgentParameter {
  const o = record(value, path, ['name', 'description', 'default', 'min', 'max']);
  const name = text(o.name, `${path}.name`, 1, 64);
  const description = o.description === undefined ? '' : text(o.description, `${path}.description`, 0, 500);
  const min = integer(o.min, `${path}.min`, 'an integer');
  const max = integer(o.max, `${path}.max`, 'an integer');
  if (max < min) throw new Problem(`${path}.max`, `an integer >= min (${min})`, max);
  const defaultValue = integer(o.default, `${path}.default`, `an integer from min to max (${min} to ${max})`);
  if (defaultValue < min || defaultValue > max) throw new Problem(`${path}.default`, `an integer from min to max (${min} to ${max})`, defaultValue);
  return { name, description, default: defaultValue, min, max };
}

function record(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Problem(path, 'an object', value);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new Problem(`${path}.${key}`, `no such field (known: ${keys.join(', ')})`, key);
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new Problem(path, 'an array', value);
  if (value.length > max) throw new Problem(path, `at most ${max} entries`, value.length);
  return value;
}

function text(value: unknown, path: string, min: number, max: number): string {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new Problem(path, min > 0 ? `a string of ${min} to ${max} characters` : `a string of at most ${max} characters`, value);
  }
  return value;
}

function integer(value: unknown, path: string, expected: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Problem(path, expected, value);
  return value;
}

function unique(names: readonly string[], path: string, expected: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Problem(path, expected, name);
    seen.add(name);
  }
}
