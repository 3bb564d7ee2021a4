import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { CallOptions } from '../AgentContext.js';
import type { Runner } from '../Runner.js';
import { defineTool, type ToolContext } from '../tool.js';
import type { ToolPolicy } from './ToolPolicy.js';

/**
 * One call's input with what the framework passed besides it (the AI SDK's execution options, Agents
 * JS's run context). It serialises as the input alone, so `recordIo` records what the model sent and
 * nothing else (no conversation, no context objects).
 */
class CallEnvelope<I, X> {
  constructor(
    readonly input: I,
    readonly extras: X,
  ) {}

  toJSON(): unknown {
    return this.input;
  }
}

/** The framework checked the input against its own schema before calling: accept it as it is. */
const envelopeSchema: StandardSchemaV1<CallEnvelope<unknown, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'overlap',
    validate: (value) => ({ value: value as CallEnvelope<unknown, unknown> }),
  },
};

/** A framework tool to run through Overlap: its name and description, Overlap's policy, and its body. */
export interface FrameworkToolDefinition<I, X, O> {
  readonly name: string;
  readonly description: string | undefined;
  readonly policy: ToolPolicy;
  /** The framework's body, given the framework's extras and Overlap's context (whose `signal` it must heed). */
  run(input: I, extras: X, ctx: ToolContext): O | PromiseLike<O>;
}

/**
 * Makes an Overlap tool of a framework tool's body and returns how to call it: each call passes the
 * policy's circuit breaker, gates, timeout and retries on `runner`, with an `execute_tool {name}` span
 * under whatever span is active (the framework's own tool span, when its telemetry is on).
 *
 * @example
 * ```ts
 * const call = frameworkTool(runner, { name: 'get_weather', description: undefined, policy: { timeoutMs: 2000 }, run: (input, options, ctx) => execute(input, { ...options, abortSignal: ctx.signal }) });
 * const weather = await call({ city: 'Oslo' }, options, { signal: options.abortSignal, callId: options.toolCallId });
 * ```
 */
export function frameworkTool<I, X, O>(
  runner: Runner,
  definition: FrameworkToolDefinition<I, X, O>,
): (input: I, extras: X, options: CallOptions) => Promise<O> {
  const tool = defineTool({
    name: definition.name,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    ...definition.policy,
    input: envelopeSchema,
    run: (envelope, ctx) => definition.run(envelope.input as I, envelope.extras as X, ctx),
  });
  return (input, extras, options) => runner.call(tool, new CallEnvelope<unknown, unknown>(input, extras), options) as Promise<O>;
}
