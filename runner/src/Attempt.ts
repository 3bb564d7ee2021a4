import { SpanStatusCode, context, type Span } from '@opentelemetry/api';
import { OverlapAttributes, OverlapEvents, Phase, SpanNames } from '@overlap/shared';
import { ToolTimeoutError } from './errors/ToolTimeoutError.js';
import type { Gate, GateWaiter, Permit } from './gates/Gate.js';
import { errorTypeOf, messageOf } from './outcome.js';
import type { RunnerCore } from './RunnerCore.js';
import { CancelScope } from './timing/CancelScope.js';
import type { TimerHandle } from './timing/Clock.js';
import type { ScheduledTimeout, TimeoutTarget } from './timing/TimeoutScheduler.js';
import { ToolExecutionContext } from './ExecutionContext.js';
import type { ToolCall } from './ToolCall.js';

/**
 * One attempt of a call: pass the gates, run the body under the timeout, give the permits back.
 *
 * The attempt's scope is a child of the call's, so the timeout cancels this attempt only and a retry
 * starts clean. If the attempt ends while its body still runs (timeout or cancellation ignored by the
 * body), the permits stay with the body until it settles or `reclaimPermitAfterMs` passes, and an
 * `abandoned {tool}` span records how that went.
 */
export class Attempt implements GateWaiter, TimeoutTarget {
  readonly scope: CancelScope;
  readonly permits: Permit[] = [];
  /** Milliseconds this attempt queued at gates. */
  queueWaitMs = 0;
  #resolveWait: ((permit: Permit) => void) | undefined;
  #rejectWait: ((error: unknown) => void) | undefined;
  #settle: ((ok: boolean, value: unknown) => void) | undefined;
  #timeout: ScheduledTimeout | undefined;
  #bodyRunning = false;
  #abandonedSpan: Span | undefined;
  #reclaimTimer: TimerHandle | undefined;

  constructor(
    readonly call: ToolCall<unknown>,
    readonly core: RunnerCore,
    readonly number: number,
  ) {
    this.scope = new CancelScope(call.scope);
  }

  get priority(): number {
    return this.call.priority;
  }

  grant(permit: Permit): void {
    this.#resolveWait?.(permit);
  }

  reject(error: unknown): void {
    this.#rejectWait?.(error);
  }

  /** Passes every gate of the tool in order; throws `QueueFullError`, `QueueTimeoutError` or the cancel reason. */
  async acquireGates(gates: readonly Gate[]): Promise<void> {
    for (const gate of gates) {
      if (this.scope.aborted) throw this.scope.reason;
      const permit = gate.enter(this) ?? (await this.#wait(gate));
      this.permits.push(permit);
    }
    if (this.scope.aborted) throw this.scope.reason;
  }

  async #wait(gate: Gate): Promise<Permit> {
    const call = this.call;
    const startedAt = this.core.clock.now();
    const span = call.recording
      ? this.core.tracer.startSpan(
          SpanNames.queue(gate.name),
          {
            attributes: {
              [OverlapAttributes.PHASE]: Phase.QUEUE,
              [OverlapAttributes.GATE]: gate.name,
              [OverlapAttributes.GATE_KIND]: gate.kind,
              [OverlapAttributes.GATE_SCOPE]: gate.scope,
              [OverlapAttributes.QUEUE_AHEAD]: gate.queued - 1,
            },
          },
          call.spanContext,
        )
      : undefined;
    const waiting = new Promise<Permit>((resolve, reject) => {
      this.#resolveWait = resolve;
      this.#rejectWait = reject;
    });
    this.scope.onCancel = (reason) => {
      if (gate.leave(this)) this.#rejectWait!(reason);
    };
    try {
      return await waiting;
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      span?.setAttribute('error.type', errorTypeOf(error));
      throw error;
    } finally {
      this.scope.onCancel = undefined;
      this.#resolveWait = undefined;
      this.#rejectWait = undefined;
      const waitMs = this.core.clock.now() - startedAt;
      this.queueWaitMs += waitMs;
      if (span !== undefined) {
        span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, waitMs);
        span.end();
      }
    }
  }

  /**
   * Runs the body under the tool's timeout. Rejects with `ToolTimeoutError` when the timeout fires, or
   * with the cancel reason when the scope is cancelled, without waiting for a body that ignores its signal.
   */
  runBody(input: unknown): Promise<unknown> {
    const scope = this.scope;
    if (scope.aborted) return Promise.reject(scope.reason);
    const call = this.call;
    return new Promise<unknown>((resolve, reject) => {
      this.#settle = (ok, value) => {
        this.#settle = undefined;
        scope.onCancel = undefined;
        if (this.#timeout !== undefined) {
          this.core.scheduler.cancel(this.#timeout);
          this.#timeout = undefined;
        }
        if (ok) resolve(value);
        else reject(value);
      };
      scope.onCancel = (reason) => this.#settle?.(false, reason);
      if (call.tool.timeoutMs !== Infinity) this.#timeout = this.core.scheduler.schedule(call.tool.timeoutMs, this);
      this.#bodyRunning = true;
      const ctx = new ToolExecutionContext(this.core, scope, call.spanContext, call.span, call.deadlineAt, this.number, call.callId);
      let result: unknown;
      try {
        result = context.with(call.spanContext, call.tool.run as (i: unknown, c: unknown) => unknown, undefined, input, ctx);
      } catch (error) {
        this.#bodyDone(false, error);
        return;
      }
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        (result as PromiseLike<unknown>).then(
          (value) => this.#bodyDone(true, value),
          (error: unknown) => this.#bodyDone(false, error),
        );
      } else {
        this.#bodyDone(true, result);
      }
    });
  }

  /** The timeout fired: cancel the attempt with a `ToolTimeoutError`. */
  onTimeout(): void {
    this.#timeout = undefined;
    const call = this.call;
    const error = new ToolTimeoutError(call.tool.name, call.tool.timeoutMs, this.number, call.runtime.describeGates());
    if (call.recording) {
      call.span.addEvent(OverlapEvents.TIMEOUT, {
        [OverlapAttributes.TIMEOUT_MS]: call.tool.timeoutMs,
        [OverlapAttributes.ATTEMPT]: this.number,
        'overlap.body.running': this.#bodyRunning,
      });
    }
    this.scope.cancel(error);
  }

  #bodyDone(ok: boolean, value: unknown): void {
    this.#bodyRunning = false;
    if (this.#settle !== undefined) this.#settle(ok, value);
    else if (this.#abandonedSpan !== undefined || this.#reclaimTimer !== undefined) this.#abandonedBodySettled(ok, value);
    else this.#releasePermits();
  }

  /**
   * Ends the attempt: gives the permits back, or leaves them with a body that is still running (it
   * ignored its timeout or cancellation) until it settles or `reclaimPermitAfterMs` passes.
   */
  finish(): void {
    this.scope.dispose();
    if (!this.#bodyRunning) {
      this.#releasePermits();
      return;
    }
    const call = this.call;
    if (call.recording) {
      this.#abandonedSpan = this.core.tracer.startSpan(
        SpanNames.abandoned(call.tool.name),
        { attributes: { [OverlapAttributes.PHASE]: Phase.ABANDONED, [OverlapAttributes.ATTEMPT]: this.number } },
        call.spanContext,
      );
    }
    this.#reclaimTimer = this.core.clock.setTimeout(() => this.#reclaim(), call.tool.reclaimPermitAfterMs);
  }

  #releasePermits(): void {
    for (const permit of this.permits) permit.release();
    this.permits.length = 0;
  }

  #abandonedBodySettled(ok: boolean, value: unknown): void {
    if (this.#reclaimTimer !== undefined) {
      this.core.clock.clearTimeout(this.#reclaimTimer);
      this.#reclaimTimer = undefined;
    }
    this.#releasePermits();
    const span = this.#abandonedSpan;
    if (span !== undefined) {
      this.#abandonedSpan = undefined;
      span.setAttribute(OverlapAttributes.BODY_SETTLED, true);
      span.setAttribute(OverlapAttributes.BODY_OUTCOME, ok ? 'ok' : 'error');
      if (!ok) span.setAttribute('error.type', errorTypeOf(value));
      span.end();
    }
  }

  /** The body ran on for `reclaimPermitAfterMs` past the end of its attempt: ask the gates for the permits. */
  #reclaim(): void {
    this.#reclaimTimer = undefined;
    const refused: string[] = [];
    const gates = this.call.runtime.gates;
    this.permits.forEach((permit, i) => {
      if (!permit.reclaim()) refused.push(gates[i]?.name ?? String(i));
    });
    if (refused.length > 0) {
      this.core.warn(
        `tool "${this.call.tool.name}": a body still runs ${this.call.tool.reclaimPermitAfterMs} ms after its attempt ended, ` +
          `and gate(s) ${refused.join(', ')} already run their most bodies past timeout, so it keeps its permit until it settles`,
      );
    }
    const span = this.#abandonedSpan;
    if (span !== undefined) {
      this.#abandonedSpan = undefined;
      span.setAttribute(OverlapAttributes.BODY_SETTLED, false);
      span.addEvent(OverlapEvents.PERMIT_RECLAIMED, { 'overlap.permit.refused_by': refused });
      span.end();
    }
  }
}
