import { context, type Span } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, Phase, SpanNames } from '@overlap/shared';
import type { TimerHandle } from '../Clock.js';
import { ToolTimeoutError } from '../errors/ToolTimeoutError.js';
import type { Permit } from '../gates/Gate.js';
import { CancelScope } from './CancelScope.js';
import { ToolExecutionContext } from './ExecutionContext.js';
import { errorTypeOf } from './outcome.js';
import type { RunnerCore } from './RunnerCore.js';
import type { ScheduledTimeout, TimeoutTarget } from './TimeoutScheduler.js';
import type { ToolCall } from './ToolCall.js';

/**
 * One attempt's run of the body, holding the permits its call acquired: the body runs under the tool's
 * timeout, then the permits go back.
 *
 * The attempt is a cancel scope, a child of its call's, so the timeout cancels this attempt only and a
 * retry starts clean.
 *
 * **A body that runs on.** If the attempt ends while its body still runs (a timeout or cancellation the
 * body ignored), the body keeps the permits, and an `abandoned {tool}` span, a child of the call's, opens
 * at that moment and stays open until the body really settles, however long past the call's end that is,
 * up to the tool's `abandonedSpanMaxMs` (then it says it stopped watching). After `reclaimPermitAfterMs`
 * the gates are asked to take the permits back: an `overlap.permit.reclaimed` event on the span, which
 * names the gates that refused. A tool with no gate holds no permit, so it has no such event.
 */
export class Attempt extends CancelScope implements TimeoutTarget {
  #running = false;
  #timeout: ScheduledTimeout | undefined;
  #bodyRunning = false;
  /** The attempt ended and the body still runs: the permits wait for it, and the runner watches it. */
  #abandoned = false;
  #abandonedSpan: Span | undefined;
  #reclaimTimer: TimerHandle | undefined;
  #unwatchTimer: TimerHandle | undefined;

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
        [OverlapAttributes.BODY_RUNNING]: this.#bodyRunning,
      }, this.core.clock.spanTime());
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
    else if (this.#abandoned) this.#abandonedBodySettled(ok, value);
    else this.#releasePermits();
  }

  /**
   * Ends the attempt (the call calls it inside its hand-off instant): gives the permits back, or leaves
   * them with a body that is still running and starts watching it.
   */
  finish(): void {
    this.dispose();
    if (!this.#bodyRunning) {
      this.#releasePermits();
      return;
    }
    this.#abandoned = true;
    const call = this.call;
    const clock = this.core.clock;
    if (this.permits.length > 0) this.#reclaimTimer = clock.setTimeout(() => this.#reclaim(), call.tool.reclaimPermitAfterMs);
    if (!call.recording) return;
    this.#abandonedSpan = this.core.tracer.startSpan(
      SpanNames.abandoned(call.tool.name),
      { startTime: clock.spanTime(), attributes: { [OverlapAttributes.PHASE]: Phase.ABANDONED, [OverlapAttributes.ATTEMPT]: this.number } },
      call.spanContext,
    );
    if (call.tool.abandonedSpanMaxMs !== Infinity) {
      this.#unwatchTimer = clock.setTimeout(() => this.#stopWatching(), call.tool.abandonedSpanMaxMs);
    }
  }

  #releasePermits(): void {
    for (const permit of this.permits) permit.release();
    this.permits.length = 0;
  }

  /** The abandoned body settled: its permits go back and its span ends, at one instant. */
  #abandonedBodySettled(ok: boolean, value: unknown): void {
    this.#abandoned = false;
    const clock = this.core.clock;
    this.#clearTimers();
    const froze = clock.beginInstant();
    try {
      this.#releasePermits();
      const span = this.#abandonedSpan;
      if (span === undefined) return;
      this.#abandonedSpan = undefined;
      span.setAttribute(OverlapAttributes.BODY_SETTLED, true);
      span.setAttribute(OverlapAttributes.BODY_OUTCOME, ok ? 'ok' : 'error');
      if (!ok) span.setAttribute(GenAiAttributes.ERROR_TYPE, errorTypeOf(value));
      span.end(clock.spanTime());
    } finally {
      if (froze) clock.endInstant();
    }
  }

  /**
   * The body ran on for `reclaimPermitAfterMs` past the end of its attempt: ask the gates for the
   * permits, at one instant (a call they go to ends its wait at the event's time). The span stays open.
   */
  #reclaim(): void {
    this.#reclaimTimer = undefined;
    const clock = this.core.clock;
    const froze = clock.beginInstant();
    try {
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
      this.#abandonedSpan?.addEvent(OverlapEvents.PERMIT_RECLAIMED, { [OverlapAttributes.PERMIT_REFUSED_BY]: refused }, clock.spanTime());
    } finally {
      if (froze) clock.endInstant();
    }
  }

  /** `abandonedSpanMaxMs` passed and the body still runs: end its span, saying the runner stopped watching. */
  #stopWatching(): void {
    this.#unwatchTimer = undefined;
    const span = this.#abandonedSpan;
    if (span === undefined) return;
    this.#abandonedSpan = undefined;
    const clock = this.core.clock;
    const now = clock.spanTime();
    span.setAttribute(OverlapAttributes.BODY_SETTLED, false);
    span.addEvent(OverlapEvents.BODY_UNWATCHED, { [OverlapAttributes.ABANDONED_SPAN_MAX_MS]: this.call.tool.abandonedSpanMaxMs }, now);
    span.end(now);
  }

  #clearTimers(): void {
    if (this.#reclaimTimer !== undefined) {
      this.core.clock.clearTimeout(this.#reclaimTimer);
      this.#reclaimTimer = undefined;
    }
    if (this.#unwatchTimer !== undefined) {
      this.core.clock.clearTimeout(this.#unwatchTimer);
      this.#unwatchTimer = undefined;
    }
  }
}
