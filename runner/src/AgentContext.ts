import type { Attributes, Span } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import type { Tool } from './tool.js';

/**
 * A unit of concurrent work for the patterns (`all`, `race`, `fallback`...): a function that gets a
 * context of its own, which the pattern cancels when it no longer needs the result (a lost race, a
 * failed sibling); or a promise already started, which is awaited as it is and cannot be cancelled.
 */
export type Task<T> = PromiseLike<T> | ((ctx: AgentContext) => T | PromiseLike<T>);

/** The value a task resolves to. */
export type TaskResult<T> = T extends (ctx: AgentContext) => infer R ? Awaited<R> : Awaited<T>;

/** Options of one call. */
export interface CallOptions {
  /** Aborting it cancels the call (queued or running); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Higher is served first in gate queues.
   * @defaultValue 0
   */
  priority?: number;
  /**
   * `gen_ai.tool.call.id`, such as the id the model gave the tool call.
   * @defaultValue a fresh id
   */
  callId?: string;
}

/** Options of a run, for `runner.run(...)` and `ctx.run(...)`. */
export interface RunOptions {
  /**
   * Milliseconds the whole run may take; when they pass, every open call stops with
   * `DeadlineExceededError` and the run rejects with it. A sub-agent never outlives its parent's deadline.
   * @defaultValue Infinity
   */
  deadlineMs?: number;
  /** Aborting it cancels the run and every call in it. */
  signal?: AbortSignal;
  /**
   * More attributes for the run's `invoke_agent` span, such as a request or user id to find it by.
   * @defaultValue none
   */
  attributes?: Attributes;
}

/** Options of {@link AgentContext.hedge}. */
export interface HedgeOptions {
  /** Start a duplicate when the first has not answered after this long. */
  afterMs: number;
  /**
   * Most duplicates started, one per `afterMs`.
   * @defaultValue 1
   */
  maxHedges?: number;
}

/** Options of {@link AgentContext.map}. */
export interface MapOptions {
  /**
   * Most items in progress at once.
   * @defaultValue Infinity
   */
  concurrency?: number;
}

/** Result of one task in {@link AgentContext.allSettled}. */
export type Settled<T> = PromiseSettledResult<T>;

/**
 * What an agent body (and a tool body) works with: calls, sub-agents, and the concurrency patterns.
 * Everything started through a context is cancelled with it.
 */
export interface AgentContext {
  /** Aborted when this context is cancelled: its run's deadline, its caller, or a pattern that no longer needs it. */
  readonly signal: AbortSignal;
  /** The span of the enclosing agent run (or, in a tool body, of the call). */
  readonly span: Span;

  /**
   * Calls a tool: validates the input, passes the tool's gates, runs the body under its timeout, retries
   * as its policy says, and records an `execute_tool` span.
   */
  call<I, O>(tool: Tool<I, O>, input: I, options?: CallOptions): Promise<O>;

  /**
   * Calls a tool with arguments as JSON text, as models send them. Text that is not JSON rejects with
   * `ToolInputError` (and a span that says so), like input that fails the schema.
   */
  callWithArguments<I, O>(tool: Tool<I, O>, argumentsJson: string, options?: CallOptions): Promise<O>;

  /** Runs a sub-agent; its `invoke_agent` span nests under this context's span. */
  run<I, O>(agent: Agent<I, O>, input: I, options?: RunOptions): Promise<O>;

  /**
   * Runs tasks concurrently and resolves with all their values, in a tuple or an object of the same
   * shape. The first failure rejects and cancels the others.
   *
   * @example
   * ```ts
   * const { weather, user } = await ctx.all({
   *   weather: (c) => c.call(getWeather, { city }),
   *   user: (c) => c.call(getUserStatus, { userId }),
   * });
   * ```
   */
  all<const T extends readonly Task<unknown>[]>(tasks: T): Promise<{ -readonly [K in keyof T]: TaskResult<T[K]> }>;
  all<T extends Record<string, Task<unknown>>>(tasks: T): Promise<{ [K in keyof T]: TaskResult<T[K]> }>;

  /** Runs tasks concurrently and resolves with how each one ended, in the same shape. */
  allSettled<const T extends readonly Task<unknown>[]>(
    tasks: T,
  ): Promise<{ -readonly [K in keyof T]: Settled<TaskResult<T[K]>> }>;
  allSettled<T extends Record<string, Task<unknown>>>(tasks: T): Promise<{ [K in keyof T]: Settled<TaskResult<T[K]>> }>;

  /** Resolves or rejects like the first task to settle; the others are cancelled. */
  race<T>(tasks: readonly Task<T>[]): Promise<T>;

  /** Resolves with the first task to succeed (the others are cancelled); rejects with an `AggregateError` if all fail. */
  any<T>(tasks: readonly Task<T>[]): Promise<T>;

  /**
   * Tries `primary`; when it fails (error, timeout, open circuit...), tries each fallback in turn.
   * Rejects with the last error when all fail. Each fallback taken is an `overlap.fallback` event.
   *
   * @example
   * ```ts
   * const answer = await ctx.fallback((c) => c.call(mainModel, req), (c) => c.call(smallModel, req));
   * ```
   */
  fallback<T>(primary: Task<T>, ...fallbacks: Task<T>[]): Promise<T>;

  /**
   * Starts `task`; if it has not answered after `afterMs`, starts a duplicate (up to `maxHedges`). The
   * first success wins and the others are cancelled. A failure before any duplicate started rejects at once;
   * after that, the call rejects only when every copy has failed. Each duplicate is an `overlap.hedge.start` event.
   * Bad options reject with `InvalidOptionError`; like every method here, it never throws.
   */
  hedge<T>(task: (ctx: AgentContext) => T | PromiseLike<T>, options: HedgeOptions): Promise<T>;

  /**
   * Maps items through `fn` with at most `concurrency` in progress; resolves with the results in input
   * order. The first failure rejects, cancels the items in progress and starts no more. A bad
   * `concurrency` rejects with `InvalidOptionError`.
   */
  map<T, R>(
    items: Iterable<T>,
    fn: (item: T, index: number, ctx: AgentContext) => R | PromiseLike<R>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]>;
}
