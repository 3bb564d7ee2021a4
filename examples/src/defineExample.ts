import { InvalidOptionError, type Runner } from '@overlap/runner';
import { readAgentDescriptors } from '@overlap/shared';
import type { AgentComparison } from '@overlap/shared';
import type { Example, ExampleEnvironment, ExampleParameter, ExampleParameterName, ExampleRunResult } from './Example.js';
import { ExampleSession } from './ExampleSession.js';
import { resolveParameters } from './resolveParameters.js';

/** Definition of an example, passed to {@link defineExample}. */
export interface ExampleDefinition<P extends ExampleParameterName> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly parameters: readonly (ExampleParameter & { readonly name: P })[];
  /**
   * Comparisons worth one click on the dashboard's page (checked as the agent offer checks them).
   * @defaultValue none
   */
  readonly comparisons?: readonly AgentComparison[];
  /** Builds this run's gates and tools from `values` and runs the agents through `session`. */
  run(session: ExampleSession, values: Readonly<Record<P, number>>): Promise<void>;
}

/**
 * Defines an example: its `run` checks the environment and the parameters first (so a mistake fails
 * before anything runs), then runs the body with a fresh {@link ExampleSession} and returns its runs.
 *
 * @example
 * ```ts
 * export const hello = defineExample({
 *   name: 'hello', title: 'Hello', description: 'One lookup.',
 *   parameters: [{ name: 'timeoutMs', description: 'Lookup timeout', default: 1000, min: 50, max: 10_000 }],
 *   async run(session, { timeoutMs }) {
 *     const getWeather = weatherTool({ upstreamUrl: session.env.upstreamUrl, timeoutMs });
 *     await session.runAgent(weatherAgent(getWeather), { city: 'Oslo' }, { label: 'once' });
 *   },
 * });
 * ```
 */
export function defineExample<P extends ExampleParameterName>(definition: ExampleDefinition<P>): Example {
  const offer = readAgentDescriptors([{ name: definition.name, parameters: definition.parameters, comparisons: definition.comparisons ?? [] }]);
  if (!offer.ok) throw new InvalidOptionError(`defineExample(${definition.name})${offer.path.replace(/^agents\[0\]/, '')}`, offer.expected, offer.received);
  return Object.freeze({
    name: definition.name,
    title: definition.title,
    description: definition.description,
    parameters: Object.freeze(definition.parameters.map((p) => Object.freeze({ ...p }))),
    comparisons: Object.freeze(offer.value[0]!.comparisons ?? []),
    async run(env: ExampleEnvironment, params?: Readonly<Record<string, unknown>>): Promise<ExampleRunResult> {
      checkEnvironment(env);
      const values = resolveParameters<P>(definition.name, definition.parameters, params);
      const session = new ExampleSession(env);
      await definition.run(session, values);
      return { parameters: { ...values }, runs: [...session.runs] };
    },
  });
}

function checkEnvironment(env: ExampleEnvironment): void {
  if (typeof env !== 'object' || env === null) throw new InvalidOptionError('ExampleEnvironment', 'an object', env);
  if (typeof (env.runner as Runner | undefined)?.run !== 'function') {
    throw new InvalidOptionError('ExampleEnvironment.runner', 'a Runner', env.runner);
  }
  let url: URL | undefined;
  try {
    url = new URL(env.upstreamUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidOptionError('ExampleEnvironment.upstreamUrl', 'an http:// or https:// URL', env.upstreamUrl);
  }
  for (const key of ['semaphore', 'rateLimiter'] as const) {
    if (env[key] !== undefined && typeof env[key] !== 'function') {
      throw new InvalidOptionError(`ExampleEnvironment.${key}`, 'a function', env[key]);
    }
  }
  if (env.signal !== undefined && typeof env.signal?.aborted !== 'boolean') {
    throw new InvalidOptionError('ExampleEnvironment.signal', 'an AbortSignal', env.signal);
  }
}
