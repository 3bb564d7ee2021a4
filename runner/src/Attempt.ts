import { context, type Span } from '@opentelemetry/api';
import { OverlapAttributes, OverlapEvents, Phase, SpanNames } from '@overlap/shared';
import { ToolTimeoutError } from './errors/ToolTimeoutError.js';
import type { Permit } from './gates/Gate.js';
import { errorTypeOf } from './outcome.js';
import type { RunnerCore } from './RunnerCore.js';
import { CancelScope } from './timing/CancelScope.js';
import type { TimerHandle } from './timing/Clock.js';
import { spanNow } from './timing/spanTime.js';
import type { ScheduledTimeout, TimeoutTarget } from './timing/TimeoutScheduler.js';
import { ToolExecutionContext } from './ExecutionContext.js';
import type { ToolCall } from './ToolCall.js';

/**
 * One attempt's run of the body, holding the permits its call acquired: the body runs under the tool's
 * timeout, then the permits go back.
 *
 * The attempt is a cancel scope, a child of its call's, so the timeout cancels this attempt only and a
 * retry starts clean. If the attempt ends while its body still runs (a timeout or cancellation the body
 * ignored), the permits stay with the body until it settles or `reclaimPermitAfterMs` passes, and an
 * `abandoned {tool}` span records how that went.
 */
export class Attempt extends CancelScope implements TimeoutTarget {
  #running = false;
  #timeout: ScheduledTimeout | undefined;
  #bodyRunning = false;
  #abandonedSpan: Span | undefined;
  #reclaimTimer: TimerHandle | undefined;

  constructor(
    readonly call: ToolCall<unknown>,
    readonly core: RunnerCore,
    readonly number: number,
    /** Permits from the call's gates, in the runtime's gate order. */
    readonly permits: Permit[],
  ) {
    super(call);
  }

  /**
   * Runs the body under the tool's timeout and tells the call how it went, once: with the body's result,
   * or with `ToolTimeoutError` when the timeout fires, or with the reason when the attempt is cancelled,
   * without waiting for a body that ignores its signal.
   */
  run(input: unknown): void {
    if (this.aborted) {
      this.call.attemptSettled(false, this.reason);
      return;
    }
    const call = this.call;
    this.#running = true;
    if (call.tool.timeoutMs !== Infinity) this.#timeout = this.core.scheduler.schedule(call.tool.timeoutMs, this);
    this.#bodyRunning = true;
    const spanContext = call.spanContext;
    const ctx = new ToolExecutionContext(this.core, this, spanContext, call.span, call.deadlineAt, this.number, call);
    let result: unknown;
    try {
      result = context.with(spanContext, call.tool.run as (i: unknown, c: unknown) => unknown, undefined, input, ctx);
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
      }, spanNow());
    }
    this.cancel(error);
  }

  /** The attempt was cancelled (timeout, deadline, caller, parent): settle now, whatever the body does. */
  protected override cancelled(reason: unknown): void {
    if (this.#running) this.#settle(false, reason);
  }

  #settle(ok: boolean, value: unknown): void {
    this.#running = false;
    if (this.#timeout !== undefined) {
      this.core.scheduler.cancel(this.#timeout);
      this.#timeout = undefined;
    }
    this.call.attemptSettled(ok, value);
  }

  #bodyDone(ok: boolean, value: unknown): void {
    this.#bodyRunning = false;
    if (this.#running) this.#settle(ok, value);
    else if (this.#abandonedSpan !== undefined || this.#reclaimTimer !== undefined) this.#abandonedBodySettled(ok, value);
    else this.#releasePermits();
  }

  /**
   * Ends the attempt: gives the permits back, or leaves them with a body that is still running (it
   * ignored its timeout or cancellation) until it settles or `reclaimPermitAfterMs` passes.
   */
  finish(): void {
    this.dispose();
    if (!this.#bodyRunning) {
      this.#releasePermits();
      return;
    }
    const call = this.call;
    if (call.recording) {
      this.#abandonedSpan = this.core.tracer.startSpan(
        SpanNames.abandoned(call.tool.name),
        { startTime: spanNow(), attributes: { [OverlapAttributes.PHASE]: Phase.ABANDONED, [OverlapAttributes.ATTEMPT]: this.number } },
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
      span.end(spanNow());
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
      const now = spanNow();
      span.addEvent(OverlapEvents.PERMIT_RECLAIMED, { 'overlap.permit.refused_by': refused }, now);
      span.end(now);
    }
  }
}
