import { context, trace } from '@opentelemetry/api';
import { getCurrentSpan, tool, type RunContext, type ToolOptionsWithGuardrails } from '@openai/agents';
import { GenAiAttributes } from '@overlap/shared';
import { frameworkTool } from '../adapters/frameworkTool.js';
import type { ToolPolicy } from '../adapters/ToolPolicy.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { Runner } from '../Runner.js';
import { validateOption } from '../validateOption.js';
import { contextOfAgentsSpan } from './OpenTelemetryTracingProcessor.js';

/**
 * How Overlap runs the calls of a tool made with {@link overlapTool}: `timeoutMs` (default 30000),
 * `retry` (default one attempt), `gates` (default none), `concurrency` (default unlimited),
 * `circuitBreaker` (default none), `reclaimPermitAfterMs` and `type`, exactly as `defineTool` takes them.
 */
export interface AgentsToolOptions extends ToolPolicy {}

/** What Agents JS's `tool()` takes, for any parameters. */
type AgentsToolDefinition = Parameters<typeof tool>[0];
/** The parameter schemas `tool()` accepts (zod, Standard Schema, JSON Schema). */
type AgentsToolParameters = AgentsToolDefinition['parameters'];
/** The output schemas `tool()` accepts. */
type AgentsToolOutputSchema = AgentsToolDefinition['outputSchema'];
/** The third argument of a tool's `execute`: the call's details (its id, its signal...). */
type ToolCallDetails = Parameters<AgentsToolDefinition['execute']>[2];

interface Extras {
  readonly runContext: RunContext<unknown> | undefined;
  readonly details: ToolCallDetails;
}

/**
 * An OpenAI Agents JS `tool()` whose every call passes Overlap's circuit breaker, gates, timeout and
 * retries on `runner`: takes what `tool()` takes (name, description, parameters, execute...) and returns
 * what it returns, to give an `Agent` in `tools`.
 *
 * Agents JS parses and checks the model's arguments as usual; then Overlap runs `execute`: it waits for
 * the gates, runs the body with `details.signal` replaced by Overlap's (aborted on timeout, at the run's
 * deadline, and when Agents JS aborts the call), and retries failures its policy calls retryable. What
 * still fails goes to the tool's `errorFunction` as any tool error does (by default, a message for the
 * model). The call is an `execute_tool {name}` span with the model's call id; with an
 * {@link OpenTelemetryTracingProcessor} registered it nests under the function span of Agents JS's trace,
 * queue spans and all.
 *
 * @example
 * ```ts
 * const pool = new Semaphore({ name: 'tools', permits: 2 });
 * const getWeather = overlapTool(runner, {
 *   name: 'get_weather',
 *   description: 'Current weather for a city',
 *   parameters: z.object({ city: z.string() }),
 *   execute: ({ city }, _runContext, details) => fetchWeather(city, details?.signal),
 * }, { gates: [pool], timeoutMs: 2000, retry: { attempts: 3 } });
 * const agent = new Agent({ name: 'weather_agent', tools: [getWeather] });
 * ```
 */
export function overlapTool<
  TParameters extends AgentsToolParameters = undefined,
  Context = unknown,
  Result = string,
  TOutputSchema extends AgentsToolOutputSchema = undefined,
>(
  runner: Runner,
  definition: ToolOptionsWithGuardrails<TParameters, Context, TOutputSchema>,
  options: AgentsToolOptions = {},
): ReturnType<typeof tool<TParameters, Context, Result, TOutputSchema>> {
  if (!(runner instanceof Runner)) throw new InvalidOptionError('overlapTool runner', 'a Runner', runner);
  validateOption.object('overlapTool definition', definition);
  validateOption.object('overlapTool options', options);
  const execute = validateOption.func<AgentsToolDefinition['execute']>('overlapTool definition.execute', (definition as AgentsToolDefinition).execute);
  let call: ((input: unknown, extras: Extras, callOptions: { signal?: AbortSignal; callId?: string }) => Promise<unknown>) | undefined;
  const built = tool({
    ...definition,
    execute: (input: unknown, runContext?: RunContext<unknown>, details?: ToolCallDetails) => {
      const callId = details?.toolCall?.callId;
      const signal = details?.signal;
      const run = () => call!(input, { runContext, details }, { ...(signal ? { signal } : {}), ...(callId ? { callId } : {}) });
      const agentsSpan = getCurrentSpan();
      const parent = agentsSpan === null ? undefined : contextOfAgentsSpan(agentsSpan);
      if (parent === undefined) return run();
      if (callId) trace.getSpan(parent)?.setAttribute(GenAiAttributes.TOOL_CALL_ID, callId);
      return context.with(parent, run);
    },
  } as AgentsToolDefinition) as ReturnType<typeof tool<TParameters, Context, Result, TOutputSchema>>;
  call = frameworkTool<unknown, Extras, unknown>(runner, {
    name: built.name,
    description: built.description || undefined,
    policy: options,
    run: (input, { runContext, details }, ctx) => execute(input as never, runContext, { ...details, signal: ctx.signal }),
  });
  return built;
}
