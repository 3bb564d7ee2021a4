import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AgentContext } from './AgentContext.js';
import { InvalidOptionError } from './errors/InvalidOptionError.js';
import { isStandardSchema } from './engine/validateSchema.js';
import { validateOption } from './validateOption.js';

/** Definition of an agent, passed to {@link defineAgent}. */
export interface AgentOptions<I, O> {
  /** `gen_ai.agent.name`, such as `support_agent`. */
  name: string;
  /** What the agent does. */
  description?: string;
  /** Schema of the input, checked before the body runs. */
  input?: StandardSchemaV1<unknown, I>;
  /** The agent's body: make calls through `ctx` and return the answer. */
  run(ctx: AgentContext, input: I): O | PromiseLike<O>;
}

/** A defined agent: pass it to `runner.run(agent, input)` or `ctx.run(agent, input)`. Immutable. */
export interface Agent<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  readonly inputSchema: StandardSchemaV1<unknown, I> | undefined;
  readonly run: (ctx: AgentContext, input: I) => O | PromiseLike<O>;
}

/**
 * Defines an agent.
 *
 * @example
 * ```ts
 * const supportAgent = defineAgent({
 *   name: 'support_agent',
 *   async run(ctx, { question, userId }: { question: string; userId: number }) {
 *     const [kb, user] = await ctx.all([ctx.call(searchKb, { query: question }), ctx.call(getUserStatus, { userId })]);
 *     return ctx.call(callLlm, { prompt: `${kb} ${JSON.stringify(user)}` });
 *   },
 * });
 * ```
 */
export function defineAgent<I, O>(options: AgentOptions<I, O>): Agent<I, O> {
  validateOption.object('defineAgent options', options);
  const name = validateOption.nonEmptyString('defineAgent.name', options.name);
  if (options.input !== undefined && !isStandardSchema(options.input)) {
    throw new InvalidOptionError(`defineAgent(${name}).input`, 'a Standard Schema validator', options.input);
  }
  return Object.freeze({
    name,
    description: options.description,
    inputSchema: options.input,
    run: validateOption.func<Agent<I, O>['run']>(`defineAgent(${name}).run`, options.run),
  });
}
