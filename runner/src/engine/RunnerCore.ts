import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { GenAiAttributes, GenAiOperations, Outcome, OverlapAttributes, SpanNames } from '@overlap/shared';
import type { Agent } from '../agent.js';
import type { CallOptions, RunOptions } from '../AgentContext.js';
import type { Clock, TimerHandle } from '../Clock.js';
import { CancelledError } from '../errors/CancelledError.js';
import { DeadlineExceededError } from '../errors/DeadlineExceededError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { ToolInputError } from '../errors/ToolInputError.js';
import type { ChatResponse } from '../model.js';
import type { Tool } from '../tool.js';
import { CancelScope } from './CancelScope.js';
import { ExecutionContext } from './ExecutionContext.js';
import { errorTypeOf, messageOf, outcomeOf } from './outcome.js';
import { RunnerClock } from './RunnerClock.js';
import { TimeoutScheduler } from './TimeoutScheduler.js';
import { ToolCall, type CallSite } from './ToolCall.js';
import { ToolRuntime } from './ToolRuntime.js';
import { validateSchema } from './validateSchema.js';

/**
 * What the runner's parts share: tracer, clock, timers, tool state, ids. One per `Runner`.
 *
 * It is also where runs and calls are started, so the module graph has one direction: the core builds
 * contexts and calls, a context asks the core, a call builds its attempts, an attempt builds the context
 * its body gets. No module imports one that imports it back.
 */
export class RunnerCore {
  readonly scheduler: TimeoutScheduler;
  /** Every time the runner reads: durations, timers and span times (see {@link RunnerClock}). */
  readonly clock: RunnerClock;
  // Weak, so tools built per run (as examples do) are forgotten with their runs.
  readonly #runtimes = new WeakMap<Tool, ToolRuntime>();
  readonly #idPrefix: string;
  #callSeq = 0;
  #runSeq = 0;
  #deferred: Array<{ resume(): void }> = [];
  #drainScheduled = false;
  readonly #drain = (): void => {
    this.#drainScheduled = false;
    const batch = this.#deferred;
    this.#deferred = [];
    for (const item of batch) item.resume();
  };

  constructor(
    readonly tracer: Tracer,
    clock: Clock,
    readonly random: () => number,
    /** Characters of tool input and output recorded on spans; 0 records none. */
    readonly recordIoMaxLength: number,
    readonly warn: (message: string) => void,
  ) {
    this.clock = new RunnerClock(clock);
    this.scheduler = new TimeoutScheduler(this.clock);
    this.#idPrefix = Math.floor(Math.random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  }

  /** The tool's state in this runner, created on first use. */
  runtime(tool: Tool): ToolRuntime {
    let runtime = this.#runtimes.get(tool);
    if (runtime === undefined) {
      runtime = new ToolRuntime(tool, this);
      this.#runtimes.set(tool, runtime);
    }
    return runtime;
  }

  /**
   * Resumes `item` on a microtask. Gates grant permits from inside another call's release; resuming the
   * granted call there would nest one call in the next, so grants are queued here and run in a batch.
   */
  defer(item: { resume(): void }): void {
    this.#deferred.push(item);
    if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(this.#drain);
    }
  }

  /**
   * Calls `tool` from `site` (an agent context, or the runner's root). Never throws: every failure,
   * input that is not JSON (`parseError`) included, rejects the promise and is recorded on the span.
   */
  call<O>(site: CallSite, tool: Tool<unknown, O>, input: unknown, options: CallOptions | undefined, parseError?: unknown): Promise<O> {
    let runtime: ToolRuntime;
    try {
      // Only a tool not made by `defineTool` can fail here; it fails as a rejection, like everything else.
      runtime = this.runtime(tool);
    } catch (error) {
      return Promise.reject(error);
    }
    return new ToolCall<O>(runtime, site, options).start(input, options?.signal, parseError);
  }

  /** The number of the next call id; {@link RunnerCore.callIdOf} turns it into the id. */
  nextCallNumber(): number {
    this.#callSeq += 1;
    return this.#callSeq;
  }

  /** `call_{prefix}_{number}`: a call keeps the number, so that its id costs it no string of its own. */
  callIdOf(callNumber: number): string {
    return `call_${this.#idPrefix}_${callNumber}`;
  }

  /** JSON of `value`, cut to `recordIoMaxLength` characters. */
  truncateJson(value: unknown): string {
    let json: string;
    try {
      json = JSON.stringify(value) ?? String(value);
    } catch {
      json = String(value);
    }
    const max = this.recordIoMaxLength;
    return json.length <= max ? json : `${json.slice(0, max)}…[${json.length - max} more characters]`;
  }

  /** Sets the `gen_ai.*` response attributes of a `chat` span. */
  recordChatResponse(span: Span, output: unknown): void {
    const response = output as Partial<ChatResponse> | undefined;
    if (response?.usage !== undefined) {
      span.setAttribute(GenAiAttributes.USAGE_INPUT_TOKENS, response.usage.inputTokens);
      span.setAttribute(GenAiAttributes.USAGE_OUTPUT_TOKENS, response.usage.outputTokens);
    }
    if (response?.responseModel !== undefined) span.setAttribute(GenAiAttributes.RESPONSE_MODEL, response.responseModel);
    if (response?.finishReason !== undefined) span.setAttribute(GenAiAttributes.RESPONSE_FINISH_REASONS, [response.finishReason]);
  }

  /**
   * Runs an agent as a root run (no `parent`) or a sub-agent. The run's scope follows the parent's and
   * the caller's signal and is cancelled at the deadline; when the body settles, anything it started and
   * left running is cancelled, so no call outlives its run.
   */
  async runAgent<I, O>(agent: Agent<I, O>, input: I, options: RunOptions, parent: ExecutionContext | undefined): Promise<O> {
    const deadlineMs = options.deadlineMs ?? Infinity;
    if (typeof deadlineMs !== 'number' || Number.isNaN(deadlineMs) || deadlineMs <= 0) {
      throw new InvalidOptionError('run options.deadlineMs', 'a number of milliseconds > 0, or Infinity', deadlineMs);
    }
    const scope = new CancelScope(parent?.scope);
    if (options.signal !== undefined) scope.follow(options.signal);
    const startedAt = this.clock.now();
    const deadlineAt = Math.min(parent?.deadlineAt ?? Infinity, startedAt + deadlineMs);
    const parentOtel = parent?.otelContext ?? context.active();
    this.#runSeq += 1;
    const span = this.tracer.startSpan(
      SpanNames.invokeAgent(agent.name),
      {
        kind: SpanKind.INTERNAL,
        startTime: this.clock.spanTime(startedAt),
        attributes: {
          [GenAiAttributes.OPERATION_NAME]: GenAiOperations.INVOKE_AGENT,
          [GenAiAttributes.AGENT_NAME]: agent.name,
          [GenAiAttributes.AGENT_ID]: `run_${this.#idPrefix}_${this.#runSeq}`,
          ...(agent.description !== undefined ? { [GenAiAttributes.AGENT_DESCRIPTION]: agent.description } : {}),
          ...(deadlineMs !== Infinity ? { [OverlapAttributes.DEADLINE_MS]: deadlineMs } : {}),
          ...options.attributes,
        },
      },
      parentOtel,
    );
    const otelContext = trace.setSpan(parentOtel, span);
    let deadlineTimer: TimerHandle | undefined;
    if (deadlineMs !== Infinity) {
      deadlineTimer = this.clock.setTimeout(() => scope.cancel(new DeadlineExceededError(agent.name, deadlineMs)), deadlineMs);
    }
    const ctx = new ExecutionContext(this, scope, otelContext, span, deadlineAt);
    try {
      if (scope.aborted) throw scope.reason;
      let checkedInput = input;
      if (agent.inputSchema !== undefined) {
        const result = await validateSchema(agent.inputSchema, input);
        if (result.issues !== undefined) throw new ToolInputError(agent.name, result.issues);
        checkedInput = result.value;
      }
      const output = await untilCancelled(scope, () => context.with(otelContext, agent.run, agent, ctx, checkedInput));
      span.setAttribute(OverlapAttributes.OUTCOME, Outcome.OK);
      return output;
    } catch (error) {
      const outcome = outcomeOf(error, scope.reason);
      span.setAttribute(OverlapAttributes.OUTCOME, outcome);
      if (outcome !== Outcome.CANCELLED) {
        span.setAttribute(GenAiAttributes.ERROR_TYPE, errorTypeOf(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      }
      throw error;
    } finally {
      if (deadlineTimer !== undefined) this.clock.clearTimeout(deadlineTimer);
      if (!scope.aborted) scope.cancel(new CancelledError(`cancelled: the run of agent "${agent.name}" ended before this finished`));
      scope.dispose();
      span.end(this.clock.spanTime());
    }
  }
}

/** Runs `fn`, but rejects with the scope's reason as soon as the scope is cancelled, even if `fn` ignores it. */
function untilCancelled<T>(scope: CancelScope, fn: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    scope.onCancel = reject;
    let result: T | PromiseLike<T>;
    try {
      result = fn();
    } catch (error) {
      reject(error);
      return;
    }
    Promise.resolve(result).then(resolve, reject);
  }).finally(() => {
    scope.onCancel = undefined;
  });
}
