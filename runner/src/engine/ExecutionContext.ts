import type { Context, Span } from '@opentelemetry/api';
import type { Agent } from '../agent.js';
import type {
  AgentContext,
  CallOptions,
  HedgeOptions,
  MapOptions,
  RunOptions,
  Settled,
  Task,
  TaskResult,
} from '../AgentContext.js';
import { ToolInputError } from '../errors/ToolInputError.js';
import type { Tool, ToolContext } from '../tool.js';
import type { CancelScope } from './CancelScope.js';
import { all, allSettled } from './patterns/all.js';
import { fallback } from './patterns/fallback.js';
import { hedge } from './patterns/hedge.js';
import { map } from './patterns/map.js';
import { any, race } from './patterns/race.js';
import type { TaskHost } from './patterns/TaskHost.js';
import type { RunnerClock } from './RunnerClock.js';
import type { RunnerCore } from './RunnerCore.js';

/**
 * The implementation of {@link AgentContext}: a cancel scope, the OpenTelemetry context new spans nest
 * under, and the run's deadline. Calls and sub-agents are started by the core, which this module only
 * knows as a type, so it imports nothing that imports it back.
 */
export class ExecutionContext implements AgentContext, TaskHost {
  constructor(
    readonly core: RunnerCore,
    readonly scope: CancelScope,
    readonly otelContext: Context,
    readonly span: Span,
    /** Monotonic ms (on the runner's clock) past which the run's deadline has passed; Infinity without one. */
    readonly deadlineAt: number,
  ) {}

  get signal(): AbortSignal {
    return this.scope.signal;
  }

  get clock(): RunnerClock {
    return this.core.clock;
  }

  /** A context with the same span and deadline in another scope. */
  withScope(scope: CancelScope): ExecutionContext {
    return new ExecutionContext(this.core, scope, this.otelContext, this.span, this.deadlineAt);
  }

  call<I, O>(tool: Tool<I, O>, input: I, options?: CallOptions): Promise<O> {
    return this.core.call(this, tool as Tool<unknown, O>, input, options);
  }

  callWithArguments<I, O>(tool: Tool<I, O>, argumentsJson: string, options?: CallOptions): Promise<O> {
    let input: unknown;
    let parseError: ToolInputError | undefined;
    try {
      input = JSON.parse(argumentsJson);
    } catch (error) {
      parseError = new ToolInputError(tool.name, [{ message: `arguments are not valid JSON: ${(error as Error).message}`, path: [] }], {
        cause: error,
      });
    }
    return this.core.call(this, tool as Tool<unknown, O>, input, options, parseError);
  }

  run<I, O>(agent: Agent<I, O>, input: I, options?: RunOptions): Promise<O> {
    return this.core.runAgent(agent, input, options ?? {}, this);
  }

  all<const T extends readonly Task<unknown>[]>(tasks: T): Promise<{ -readonly [K in keyof T]: TaskResult<T[K]> }>;
  all<T extends Record<string, Task<unknown>>>(tasks: T): Promise<{ [K in keyof T]: TaskResult<T[K]> }>;
  all(tasks: readonly Task<unknown>[] | Record<string, Task<unknown>>): Promise<unknown> {
    return all(this, tasks);
  }

  allSettled<const T extends readonly Task<unknown>[]>(
    tasks: T,
  ): Promise<{ -readonly [K in keyof T]: Settled<TaskResult<T[K]>> }>;
  allSettled<T extends Record<string, Task<unknown>>>(tasks: T): Promise<{ [K in keyof T]: Settled<TaskResult<T[K]>> }>;
  allSettled(tasks: readonly Task<unknown>[] | Record<string, Task<unknown>>): Promise<unknown> {
    return allSettled(this, tasks);
  }

  race<T>(tasks: readonly Task<T>[]): Promise<T> {
    return race(this, tasks);
  }

  any<T>(tasks: readonly Task<T>[]): Promise<T> {
    return any(this, tasks);
  }

  fallback<T>(primary: Task<T>, ...fallbacks: Task<T>[]): Promise<T> {
    return fallback(this, [primary, ...fallbacks]);
  }

  hedge<T>(task: (ctx: AgentContext) => T | PromiseLike<T>, options: HedgeOptions): Promise<T> {
    return hedge(this, task, options);
  }

  map<T, R>(
    items: Iterable<T>,
    fn: (item: T, index: number, ctx: AgentContext) => R | PromiseLike<R>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return map(this, items, fn, options);
  }
}

/** The context a tool body gets: the call's span, the attempt's scope, the attempt number and call id. */
export class ToolExecutionContext extends ExecutionContext implements ToolContext {
  constructor(
    core: RunnerCore,
    scope: CancelScope,
    otelContext: Context,
    span: Span,
    deadlineAt: number,
    readonly attempt: number,
    owner: { readonly callId: string },
  ) {
    super(core, scope, otelContext, span, deadlineAt);
    this.#owner = owner;
  }

  readonly #owner: { readonly callId: string };

  get callId(): string {
    return this.#owner.callId;
  }
}
