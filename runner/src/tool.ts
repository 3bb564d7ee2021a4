import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Span } from '@opentelemetry/api';
import { SpanNames } from '@overlap/shared';
import type { AgentContext } from './AgentContext.js';
import { circuitBreakerPolicy, type CircuitBreakerOptions, type CircuitBreakerPolicy } from './CircuitBreakerOptions.js';
import { isStandardSchema } from './engine/validateSchema.js';
import { InvalidOptionError } from './errors/InvalidOptionError.js';
import type { Gate } from './gates/Gate.js';
import { retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
import { validateOption } from './validateOption.js';

/** What a tool body gets besides its input. */
export interface ToolContext extends AgentContext {
  /** Aborted when the attempt times out, the run's deadline passes, or the caller or a parent cancels. */
  readonly signal: AbortSignal;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** The call's id (`gen_ai.tool.call.id`). */
  readonly callId: string;
  /** The call's `execute_tool` (or `chat`) span, to add attributes or events. */
  readonly span: Span;
}

/** `gen_ai.tool.type`: a client-side function, an agent-side extension, or a data store. */
export type ToolType = 'function' | 'extension' | 'datastore';

/** Definition of a tool, passed to {@link defineTool}. */
export interface ToolOptions<S extends StandardSchemaV1, O> {
  /** Name the model and the traces use, such as `get_weather`. */
  name: string;
  /** What the tool does, for the model and the traces. */
  description?: string;
  /** Schema of the input: any Standard Schema validator (zod, valibot, arktype...). */
  input: S;
  /** Schema of the output; a value that fails it rejects with `ToolOutputError`. */
  output?: StandardSchemaV1<unknown, O>;
  /**
   * `gen_ai.tool.type`.
   * @defaultValue 'function'
   */
  type?: ToolType;
  /**
   * Longest an attempt's body may run (queue time not included). On expiry the call rejects with
   * `ToolTimeoutError` at once, whether or not the body heeds its signal. `Infinity` disables it.
   * @defaultValue 30000
   */
  timeoutMs?: number;
  /**
   * Retries of failed attempts.
   * @defaultValue one attempt, no retry
   */
  retry?: RetryOptions;
  /**
   * Gates every call passes: shared `Semaphore`s and `RateLimiter`s, in any order (they are acquired
   * in a fixed global order, so calls through several gates cannot deadlock).
   * @defaultValue []
   */
  gates?: readonly Gate[];
  /**
   * Most calls of this tool running at once, per runner (a semaphore of its own named `{name}.concurrency`).
   * @defaultValue Infinity
   */
  concurrency?: number;
  /**
   * A circuit breaker for this tool, per runner. Checked here, so a bad value fails in `defineTool`.
   * @defaultValue none
   */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * After a timeout, how long a body that ignores its signal keeps its permits before the gates take
   * them back (see `Semaphore.maxReclaimed` for the bound on such bodies). A tool without gates has no
   * permit to take back.
   * @defaultValue `timeoutMs`
   */
  reclaimPermitAfterMs?: number;
  /**
   * How long the runner keeps watching a body that runs on past the end of its attempt (it ignored its
   * timeout or cancellation): its `abandoned {tool}` span stays open until the body settles, or until
   * this many milliseconds pass, when the span ends with `overlap.body.settled = false` and an
   * `overlap.body.unwatched` event. `Infinity` watches until the body settles, however long.
   * @defaultValue 60000
   */
  abandonedSpanMaxMs?: number;
  /** The tool's body. */
  run(input: StandardSchemaV1.InferOutput<S>, ctx: ToolContext): O | PromiseLike<O>;
}

/** Which kind of span a tool's calls make. */
export type ToolOperation = 'execute_tool' | 'chat';

/** A defined tool: pass it to `ctx.call(tool, input)`. Immutable. */
export interface Tool<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  readonly type: ToolType;
  readonly operation: ToolOperation;
  /** Name of its spans: `execute_tool {name}`, or `chat {model}` for models. */
  readonly spanName: string;
  readonly inputSchema: StandardSchemaV1<I, unknown>;
  readonly outputSchema: StandardSchemaV1<unknown, O> | undefined;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly gates: readonly Gate[];
  readonly concurrency: number;
  readonly circuitBreaker: CircuitBreakerPolicy | undefined;
  readonly reclaimPermitAfterMs: number;
  readonly abandonedSpanMaxMs: number;
  /** For `chat` tools: the provider and model, for `gen_ai.*` attributes. */
  readonly model: { provider: string; name: string } | undefined;
  readonly run: (input: never, ctx: ToolContext) => O | PromiseLike<O>;
}

/** Input type a tool accepts. */
export type ToolInput<T> = T extends Tool<infer I, unknown> ? I : never;
/** Output type a tool returns. */
export type ToolOutput<T> = T extends Tool<unknown, infer O> ? O : never;

/** Default `timeoutMs` of a tool. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/** Default `abandonedSpanMaxMs` of a tool. */
export const DEFAULT_ABANDONED_SPAN_MAX_MS = 60_000;

/**
 * Defines a tool. Options are checked here, so a mistake fails at start-up with an `InvalidOptionError`
 * that names the option.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const getWeather = defineTool({
 *   name: 'get_weather',
 *   description: 'Current weather for a city',
 *   input: z.object({ city: z.string() }),
 *   timeoutMs: 2000,
 *   retry: { attempts: 3 },
 *   gates: [weatherApiRate],
 *   async run({ city }, { signal }) {
 *     const res = await fetch(`https://weather.example/${city}`, { signal });
 *     return res.json();
 *   },
 * });
 * ```
 */
export function defineTool<S extends StandardSchemaV1, O>(
  options: ToolOptions<S, O>,
): Tool<StandardSchemaV1.InferInput<S>, O> {
  return buildTool(options, 'execute_tool', undefined);
}

/** @internal Shared by `defineTool` and `defineModel`. */
export function buildTool<S extends StandardSchemaV1, O>(
  options: ToolOptions<S, O>,
  operation: ToolOperation,
  model: { provider: string; name: string } | undefined,
): Tool<StandardSchemaV1.InferInput<S>, O> {
  const kind = operation === 'chat' ? 'defineModel' : 'defineTool';
  validateOption.object(`${kind} options`, options);
  const name = validateOption.nonEmptyString(`${kind}.name`, options.name);
  const at = `${kind}(${name})`;
  if (!isStandardSchema(options.input)) {
    throw new InvalidOptionError(`${at}.input`, 'a Standard Schema validator (zod, valibot, arktype...)', options.input);
  }
  if (options.output !== undefined && !isStandardSchema(options.output)) {
    throw new InvalidOptionError(`${at}.output`, 'a Standard Schema validator', options.output);
  }
  const type = options.type ?? 'function';
  if (type !== 'function' && type !== 'extension' && type !== 'datastore') {
    throw new InvalidOptionError(`${at}.type`, "'function', 'extension' or 'datastore'", type);
  }
  const timeoutMs = validateOption.durationOrInfinity(`${at}.timeoutMs`, options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS);
  const gates = options.gates ?? [];
  if (!Array.isArray(gates) || gates.some((g) => typeof g?.enter !== 'function')) {
    throw new InvalidOptionError(`${at}.gates`, 'an array of gates (Semaphore, RateLimiter...)', gates);
  }
  const tool: Tool<StandardSchemaV1.InferInput<S>, O> = {
    name,
    description: options.description,
    type,
    operation,
    spanName: operation === 'chat' ? SpanNames.chat(model?.name ?? name) : SpanNames.executeTool(name),
    inputSchema: options.input as StandardSchemaV1<StandardSchemaV1.InferInput<S>, unknown>,
    outputSchema: options.output,
    timeoutMs,
    retry: retryPolicy(options.retry, `${at}.retry`),
    gates: Object.freeze([...gates]),
    concurrency: validateOption.integerOrInfinity(`${at}.concurrency`, options.concurrency ?? Infinity, 1),
    circuitBreaker:
      options.circuitBreaker === undefined ? undefined : circuitBreakerPolicy(options.circuitBreaker, `${at}.circuitBreaker`),
    reclaimPermitAfterMs: validateOption.finite(
      `${at}.reclaimPermitAfterMs`,
      options.reclaimPermitAfterMs ?? (timeoutMs === Infinity ? 0 : timeoutMs),
      0,
    ),
    abandonedSpanMaxMs: validateOption.durationOrInfinity(
      `${at}.abandonedSpanMaxMs`,
      options.abandonedSpanMaxMs ?? DEFAULT_ABANDONED_SPAN_MAX_MS,
    ),
    model,
    run: validateOption.func<Tool<StandardSchemaV1.InferInput<S>, O>['run']>(`${at}.run`, options.run),
  };
  return Object.freeze(tool);
}
