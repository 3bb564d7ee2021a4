import type { Tool, ToolExecutionOptions, ToolSet } from 'ai';
import { frameworkTool } from '../adapters/frameworkTool.js';
import type { ToolPolicy } from '../adapters/ToolPolicy.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { Runner } from '../Runner.js';
import { validateOption } from '../validateOption.js';

/**
 * How Overlap runs the calls of wrapped AI SDK tools: `timeoutMs` (default 30000), `retry` (default one
 * attempt), `gates` (default none), `concurrency` (default unlimited), `circuitBreaker` (default none),
 * `reclaimPermitAfterMs` and `type`, exactly as `defineTool` takes them.
 */
export interface AiSdkToolOptions extends ToolPolicy {}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** The last value of a tool that streams preliminary results: its final result. */
async function lastValue(values: AsyncIterable<unknown>): Promise<unknown> {
  let last: unknown;
  for await (const value of values) last = value;
  return last;
}

/**
 * Wraps one AI SDK tool so that every `execute` passes Overlap's circuit breaker, gates, timeout and
 * retries on `runner`, as a call of a tool named `name`. The tool is not changed: a new one is returned,
 * the same in every other field. A tool without `execute` (provider-executed, or answered by the client)
 * is returned as it is.
 *
 * Each call is an `execute_tool {name}` span with `gen_ai.tool.call.id` set to the AI SDK's
 * `toolCallId`, under the span active when `execute` runs: with the AI SDK's telemetry on, its own tool
 * span (`execute_tool {name}`, or `ai.toolCall` with `LegacyOpenTelemetry`). Waits for a gate are
 * `queue {gate}` child spans. The body gets an `abortSignal` that Overlap aborts on timeout, at the run's
 * deadline and when the AI SDK aborts; a failed call rejects after Overlap's retries, and the AI SDK then
 * hands the model a `tool-error`. A tool that streams preliminary results (an async iterable) is run to
 * its final result, which is what Overlap returns.
 *
 * @example
 * ```ts
 * const getWeather = overlapTool(runner, 'get_weather', tool({ inputSchema: z.object({ city: z.string() }), execute: fetchWeather }), {
 *   timeoutMs: 2000,
 *   retry: { attempts: 3 },
 *   gates: [weatherApi],
 * });
 * ```
 */
export function overlapTool<T extends Tool>(runner: Runner, name: string, tool: T, options: AiSdkToolOptions = {}): T {
  if (!(runner instanceof Runner)) throw new InvalidOptionError('overlapTool runner', 'a Runner', runner);
  validateOption.nonEmptyString('overlapTool name', name);
  validateOption.object(`overlapTool(${name}) tool`, tool);
  validateOption.object(`overlapTool(${name}) options`, options);
  const execute = tool.execute as ((input: unknown, options: ToolExecutionOptions<unknown>) => unknown) | undefined;
  if (typeof execute !== 'function') return tool;
  const call = frameworkTool<unknown, ToolExecutionOptions<unknown>, unknown>(runner, {
    name,
    description: typeof tool.description === 'string' ? tool.description : undefined,
    policy: options,
    run: (input, executionOptions, ctx) => {
      const result = execute.call(tool, input, { ...executionOptions, abortSignal: ctx.signal });
      return isAsyncIterable(result) ? lastValue(result) : (result as unknown);
    },
  });
  return {
    ...tool,
    execute: (input: unknown, executionOptions: ToolExecutionOptions<unknown>) =>
      call(input, executionOptions, {
        ...(executionOptions.abortSignal === undefined ? {} : { signal: executionOptions.abortSignal }),
        ...(executionOptions.toolCallId ? { callId: executionOptions.toolCallId } : {}),
      }),
  } as T;
}

/**
 * Wraps every tool of an AI SDK tool set with {@link overlapTool}, all under the same `options` (give a
 * function to choose them per tool name). Returns a new tool set with the same names and types, to pass
 * as `tools` to `generateText`, `streamText` or an `Agent`.
 *
 * @example
 * ```ts
 * const pool = new Semaphore({ name: 'tools', permits: 2 });
 * const result = await generateText({
 *   model: openai.chat('gpt-4o-mini'),
 *   tools: overlapTools(runner, { getWeather, getOrder }, { gates: [pool], timeoutMs: 2000, retry: { attempts: 3 } }),
 *   prompt: 'Where is order A-7, and will the weather delay it?',
 *   stopWhen: isStepCount(3),
 * });
 * ```
 */
export function overlapTools<TOOLS extends ToolSet>(
  runner: Runner,
  tools: TOOLS,
  options: AiSdkToolOptions | ((name: string) => AiSdkToolOptions) = {},
): TOOLS {
  validateOption.object('overlapTools tools', tools);
  const wrapped: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    wrapped[name] = overlapTool(runner, name, tool as Tool, typeof options === 'function' ? options(name) : options);
  }
  return wrapped as TOOLS;
}
