import { SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { GenAiAttributes, Outcome, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import { Attempt } from './Attempt.js';
import type { CircuitStateChange } from './CircuitBreaker.js';
import { CircuitOpenError } from './errors/CircuitOpenError.js';
import { RetriesExhaustedError } from './errors/RetriesExhaustedError.js';
import { ToolInputError } from './errors/ToolInputError.js';
import { ToolOutputError } from './errors/ToolOutputError.js';
import type { CallOptions } from './AgentContext.js';
import type { ExecutionContext } from './ExecutionContext.js';
import { errorTypeOf, messageOf, outcomeOf } from './outcome.js';
import { backoffDelayMs } from './retry.js';
import type { RunnerCore } from './RunnerCore.js';
import { CancelScope } from './timing/CancelScope.js';
import type { Tool } from './tool.js';
import type { ToolRuntime } from './ToolRuntime.js';
import { validateSchema } from './validateSchema.js';

const SPAN_KIND = { execute_tool: SpanKind.INTERNAL, chat: SpanKind.CLIENT } as const;

/**
 * One call of a tool, in the fixed order of its layers (outermost first):
 *
 * 1. **span** `execute_tool {tool}` (or `chat {model}`): from the call to its answer;
 * 2. **input validation** against the tool's schema (`ToolInputError`, the body never runs);
 * 3. **retry loop**, for each attempt:
 *    a. **circuit breaker** (`CircuitOpenError` when open),
 *    b. **gates**, in the tool's acquisition order (queue spans for waits),
 *    c. **timeout** around the **body**,
 *    d. **output validation**;
 *    between attempts, a back-off that the run's deadline must fit.
 *
 * Cancellation comes from the call's scope, a child of its context's scope, so the run's deadline, the
 * caller's signal and a parent's cancellation all reach the call; the timeout cancels one attempt.
 */
export class ToolCall<O> {
  readonly scope: CancelScope;
  readonly span: Span;
  readonly spanContext: Context;
  readonly recording: boolean;
  readonly callId: string;
  readonly priority: number;
  readonly runtime: ToolRuntime;
  readonly deadlineAt: number;
  #attempts = 0;
  #queueWaitMs = 0;

  constructor(
    readonly core: RunnerCore,
    readonly tool: Tool<unknown, O>,
    parent: ExecutionContext,
    options: CallOptions | undefined,
  ) {
    this.runtime = core.runtime(tool);
    this.priority = options?.priority ?? 0;
    this.callId = options?.callId ?? core.nextCallId();
    this.deadlineAt = parent.deadlineAt;
    this.scope = new CancelScope(parent.scope);
    if (options?.signal !== undefined) this.scope.follow(options.signal);
    this.span = core.tracer.startSpan(
      tool.spanName,
      { kind: SPAN_KIND[tool.operation], attributes: this.runtime.startAttributes },
      parent.otelContext,
    );
    this.recording = this.span.isRecording();
    if (this.recording) {
      this.span.setAttribute(GenAiAttributes.TOOL_CALL_ID, this.callId);
      if (this.priority !== 0) this.span.setAttribute(OverlapAttributes.PRIORITY, this.priority);
    }
    this.spanContext = trace.setSpan(parent.otelContext, this.span);
  }

  /** Runs the call to its end; the span is ended and the scope detached on every path. */
  async execute(rawInput: unknown, parseError?: unknown): Promise<O> {
    try {
      if (this.scope.aborted) throw this.scope.reason;
      if (parseError !== undefined) throw parseError;
      const input = await this.#validateInput(rawInput);
      const output = await this.#retryLoop(input);
      this.#end(Outcome.OK, undefined, output);
      return output;
    } catch (error) {
      this.#end(outcomeOf(error, this.scope.reason), error, undefined);
      throw error;
    } finally {
      this.scope.dispose();
    }
  }

  async #validateInput(rawInput: unknown): Promise<unknown> {
    if (this.recording && this.core.recordIoMaxLength > 0) {
      this.span.setAttribute(GenAiAttributes.TOOL_CALL_ARGUMENTS, this.core.truncateJson(rawInput));
    }
    const result = validateSchema(this.tool.inputSchema, rawInput);
    const checked = result instanceof Promise ? await result : result;
    if (checked.issues !== undefined) throw new ToolInputError(this.tool.name, checked.issues);
    return checked.value;
  }

  async #retryLoop(input: unknown): Promise<O> {
    const policy = this.tool.retry;
    const breaker = this.runtime.breaker;
    const clock = this.core.clock;
    for (;;) {
      this.#attempts += 1;
      const attempt = new Attempt(this as ToolCall<unknown>, this.core, this.#attempts);
      let probe = false;
      let failure: unknown;
      try {
        if (breaker !== undefined) {
          const admission = breaker.admit(clock.now());
          this.#circuitEvent(admission.change);
          if (!admission.allowed) throw new CircuitOpenError(this.tool.name, admission.retryInMs);
          probe = admission.probe;
        }
        if (this.recording && policy.attempts > 1) {
          this.span.addEvent(OverlapEvents.ATTEMPT_START, { [OverlapAttributes.ATTEMPT]: attempt.number });
        }
        await attempt.acquireGates(this.runtime.gates);
        const value = await attempt.runBody(input);
        const output = await this.#validateOutput(value);
        if (breaker !== undefined) this.#circuitEvent(breaker.recordSuccess(probe));
        return output;
      } catch (error) {
        failure = error;
        // Only attempts that reached the body count for the breaker; queue rejections and cancellations do not.
        const ranBody = attempt.permits.length === this.runtime.gates.length && !(error instanceof CircuitOpenError);
        if (breaker !== undefined) {
          if (this.scope.aborted || !ranBody) breaker.abandonProbe(probe);
          else this.#circuitEvent(breaker.recordFailure(probe, clock.now()));
        }
      } finally {
        // Permits go back before any back-off, so a waiting retry does not hold capacity.
        this.#queueWaitMs += attempt.queueWaitMs;
        attempt.finish();
      }
      if (this.scope.aborted) throw this.scope.reason;
      await this.#decideRetry(failure, attempt.number);
    }
  }

  /** Returns after the back-off when another attempt should start; throws when the call should fail. */
  async #decideRetry(error: unknown, attempt: number): Promise<void> {
    const policy = this.tool.retry;
    if (this.recording && policy.attempts > 1) {
      this.span.addEvent(OverlapEvents.ATTEMPT_FAILED, {
        [OverlapAttributes.ATTEMPT]: attempt,
        [GenAiAttributes.ERROR_TYPE]: errorTypeOf(error),
        [OverlapAttributes.ERROR_MESSAGE]: messageOf(error),
      });
    }
    if (error instanceof CircuitOpenError && attempt > 1) {
      throw error;
    }
    if (attempt >= policy.attempts || !policy.retryable(error, attempt)) {
      if (attempt > 1) throw new RetriesExhaustedError(this.tool.name, attempt, 'exhausted', error);
      throw error;
    }
    const hint = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    const retryAfterMs = typeof hint === 'number' && hint >= 0 ? hint : undefined;
    const delayMs = backoffDelayMs(policy, attempt + 1, this.core.random(), retryAfterMs);
    const now = this.core.clock.now();
    if (now + delayMs >= this.deadlineAt) {
      if (this.recording) this.span.setAttribute(OverlapAttributes.RETRY_STOP_REASON, 'deadline');
      throw new RetriesExhaustedError(this.tool.name, attempt, 'deadline', error);
    }
    if (this.recording) {
      const attributes: Record<string, number> = {
        [OverlapAttributes.ATTEMPT]: attempt + 1,
        [OverlapAttributes.RETRY_DELAY_MS]: delayMs,
      };
      if (retryAfterMs !== undefined) attributes[OverlapAttributes.RETRY_AFTER_MS] = retryAfterMs;
      this.span.addEvent(OverlapEvents.RETRY_BACKOFF, attributes);
    }
    await this.#sleep(delayMs);
  }

  #sleep(delayMs: number): Promise<void> {
    const scope = this.scope;
    if (scope.aborted) return Promise.reject(scope.reason);
    return new Promise<void>((resolve, reject) => {
      const timer = this.core.clock.setTimeout(() => {
        scope.onCancel = undefined;
        resolve();
      }, delayMs);
      scope.onCancel = (reason) => {
        this.core.clock.clearTimeout(timer);
        scope.onCancel = undefined;
        reject(reason);
      };
    });
  }

  async #validateOutput(value: unknown): Promise<O> {
    const schema = this.tool.outputSchema;
    if (schema === undefined) return value as O;
    const result = validateSchema(schema, value);
    const checked = result instanceof Promise ? await result : result;
    if (checked.issues !== undefined) throw new ToolOutputError(this.tool.name, checked.issues);
    return checked.value as O;
  }

  #circuitEvent(change: CircuitStateChange | undefined): void {
    if (change === undefined || !this.recording) return;
    this.span.addEvent(OverlapEvents.CIRCUIT_STATE_CHANGE, {
      [OverlapAttributes.CIRCUIT_STATE]: change.to,
      [OverlapAttributes.CIRCUIT_PREVIOUS_STATE]: change.from,
    });
  }

  #end(outcome: Outcome, error: unknown, output: unknown): void {
    const span = this.span;
    if (this.recording) {
      span.setAttribute(OverlapAttributes.OUTCOME, outcome);
      span.setAttribute(OverlapAttributes.ATTEMPT, this.#attempts);
      span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, this.#queueWaitMs);
      if (outcome === Outcome.OK) {
        if (this.tool.operation === 'chat') this.core.recordChatResponse(span, output);
        if (this.core.recordIoMaxLength > 0) span.setAttribute(GenAiAttributes.TOOL_CALL_RESULT, this.core.truncateJson(output));
      } else if (outcome === Outcome.CANCELLED) {
        span.addEvent(OverlapEvents.CANCELLED, { [OverlapAttributes.ERROR_MESSAGE]: messageOf(error) });
      } else {
        span.setAttribute(GenAiAttributes.ERROR_TYPE, errorTypeOf(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      }
    }
    span.end();
  }
}
