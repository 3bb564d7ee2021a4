import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, isSpanContextValid, trace, type Context, type Span } from '@opentelemetry/api';
import { GenAiAttributes, Outcome, OverlapAttributes, OverlapEvents, Phase, SpanNames } from '@overlap/shared';
import type { CallOptions } from '../AgentContext.js';
import type { TimerHandle } from '../Clock.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { RetriesExhaustedError } from '../errors/RetriesExhaustedError.js';
import { ToolInputError } from '../errors/ToolInputError.js';
import { ToolOutputError } from '../errors/ToolOutputError.js';
import type { Gate, GateWaiter, Permit } from '../gates/Gate.js';
import { backoffDelayMs } from '../retry.js';
import type { Tool } from '../tool.js';
import { Attempt } from './Attempt.js';
import { CancelScope } from './CancelScope.js';
import type { CircuitStateChange } from './CircuitBreaker.js';
import { errorTypeOf, messageOf, outcomeOf } from './outcome.js';
import { nextQueueId, queuedCallEvents } from './queuedCallEvents.js';
import type { RunnerCore } from './RunnerCore.js';
import type { ToolRuntime } from './ToolRuntime.js';
import { waitNodeSlot } from './WaitQueue.js';
import { validateSchema, type SchemaResult } from './validateSchema.js';

const SPAN_KIND = { execute_tool: SpanKind.INTERNAL, chat: SpanKind.CLIENT } as const;

/** The permits of a call that holds none; never added to (a call's first permit starts an array of its own). */
const NO_PERMITS: Permit[] = [];

/** The resolvers of the promise `captureResolvers` was last given, until the call that built it takes them. */
const captured: { resolve: ((value: unknown) => void) | undefined; reject: ((error: unknown) => void) | undefined } = {
  resolve: undefined,
  reject: undefined,
};

/** The executor of every call's promise: it runs inside `new Promise`, before anything else can. */
function captureResolvers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve as (value: unknown) => void;
  captured.reject = reject;
}

/** Stands for the span of a call that has ended and let go of its own (see `ToolCall.#end`). */
const ENDED_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Where a call is. */
const enum Stage {
  /** Validating input, or between steps. */
  Starting,
  /** Waiting for a permit at the gate `#gateIndex` names. */
  Queued,
  /** A permit was granted; the call resumes on the runner's next microtask. */
  Granted,
  /** Its body runs (in `#attempt`). */
  Running,
  /** Waiting out a back-off before the next attempt. */
  BackingOff,
  /** Settled. */
  Done,
}

/** Where a call is made from: an agent context, or the runner's root. */
export interface CallSite {
  /** The call's scope is a child of it. */
  readonly scope: CancelScope;
  /** The OpenTelemetry context the call's span nests under. */
  readonly otelContext: Context;
  /** Monotonic ms (on the runner's clock) past which the run's deadline has passed. */
  readonly deadlineAt: number;
}

/**
 * One call of a tool, in the fixed order of its layers (outermost first):
 *
 * 1. **span** `execute_tool {tool}` (or `chat {model}`): from the call to its answer;
 * 2. **input validation** against the tool's schema (`ToolInputError`, the body never runs);
 * 3. **retry loop**, for each attempt:
 *    a. **circuit breaker** (`CircuitOpenError` when open),
 *    b. **gates**, in the tool's acquisition order (a queue span for each wait),
 *    c. **timeout** around the **body** (an {@link Attempt}),
 *    d. **output validation**;
 *    between attempts, a back-off that the run's deadline must fit.
 *
 * A call is a cancel scope, a child of its context's, so the run's deadline, the caller's signal and a
 * parent's cancellation all reach it; the timeout cancels one attempt only.
 *
 * It is written as a state machine rather than an async function: a call queued behind 100,000 others
 * is this one object, its promise and a queue node, not a suspended frame. Gates grant permits from
 * inside another call's release, so a granted call resumes on a microtask (`RunnerCore.defer`), which
 * keeps the stack flat however many calls are handed a permit in a row.
 *
 * Every time it records comes from the runner's one clock (`core.clock`). Where the call gives permits
 * back and ends (or retries), it freezes that clock for the moment, so a call granted a permit inside
 * the release ends its queue span at the very timestamp this call's span ends.
 */
export class ToolCall<O> extends CancelScope implements GateWaiter {
  // A call that queues lives as long as it waits, 100,000 of them at times, and the GC copies each one
  // it finds young: a call holds only what it cannot reach through another object (its tool and runner
  // through `runtime`, its parent context and deadline through `#site`), and no field for its signal,
  // which `start` follows and forgets.
  readonly priority: number;
  /** When the call was issued, on the runner's clock: its span's start time. */
  readonly issuedAt: number;
  /** Where it was called from: its parent scope, OpenTelemetry context and deadline. */
  readonly #site: CallSite;
  #stage = Stage.Starting;
  #resolve!: (value: O) => void;
  #reject!: (error: unknown) => void;
  #input: unknown;
  #span: Span | undefined;
  #recording = false;
  #spanContext: Context | undefined;
  #callId: string | undefined;
  #callNumber = 0;
  #attempts = 0;
  /**
   * Milliseconds queued over all waits; undefined until the first wait ends. Fields that hold clock
   * readings never start as a small integer (`0`): V8 would give them an integer layout, and once one
   * call stores a fraction, every call issued meanwhile (100,000 queued ones) is moved to the new layout
   * when next touched, about a microsecond each, again after each full GC (see test/shapes.test.ts).
   */
  #queueWaitMs: number | undefined = undefined;
  #permits: Permit[] = NO_PERMITS;
  #probe = false;
  #attempt: Attempt | undefined;
  /** Index in `runtime.gates` of the gate waited at (or last waited at). */
  #gateIndex = 0;
  /** This call's place in a local gate's queue while it waits there (see {@link waitNodeSlot}). */
  [waitNodeSlot]: unknown = undefined;
  /** When the current wait began (NaN when none did; see `#queueWaitMs` for why not 0). */
  #waitStartedAt = NaN;
  #waitAhead = 0;
  /** The id this wait was announced under to live views (see `queuedCallEvents`), while it lasts. */
  #announcedWait: number | undefined;
  #backoffTimer: TimerHandle | undefined;

  constructor(
    /** The tool's state in this runner. */
    readonly runtime: ToolRuntime,
    site: CallSite,
    options: CallOptions | undefined,
  ) {
    super(site.scope);
    this.issuedAt = runtime.core.clock.now();
    this.priority = options?.priority ?? 0;
    this.#callId = options?.callId;
    this.#site = site;
  }

  get core(): RunnerCore {
    return this.runtime.core;
  }

  get tool(): Tool<unknown, O> {
    return this.runtime.tool as Tool<unknown, O>;
  }

  /** Monotonic ms (on the runner's clock) past which the run's deadline has passed. */
  get deadlineAt(): number {
    return this.#site.deadlineAt;
  }

  /**
   * `gen_ai.tool.call.id`: the caller's, or one numbered on first use. The call keeps the number, not
   * the string: a call that queued is an old object to the GC, and a young string it pointed to would
   * be kept until the next full collection.
   */
  get callId(): string {
    if (this.#callId !== undefined) return this.#callId;
    if (this.#callNumber === 0) this.#callNumber = this.core.nextCallNumber();
    return this.core.callIdOf(this.#callNumber);
  }

  /**
   * The call's span, started on first use with the call's issue time as its start. A call waiting in
   * a queue has no span object yet, so 100,000 queued calls cost 100,000 small objects, not 100,000
   * spans; its span and queue span are written, with their true times, when it leaves the queue.
   */
  get span(): Span {
    if (this.#span === undefined) {
      const span = this.core.tracer.startSpan(
        this.tool.spanName,
        { kind: SPAN_KIND[this.tool.operation], attributes: this.runtime.startAttributes, startTime: this.core.clock.spanTime(this.issuedAt) },
        this.#site.otelContext,
      );
      this.#span = span;
      this.#recording = span.isRecording();
      if (this.#recording) {
        // Indexed loops: destructuring `for...of` here allocated an iterator result per attribute per call.
        const constant = this.runtime.spanAttributes;
        for (let i = 0; i < constant.length; i += 1) span.setAttribute(constant[i]![0], constant[i]![1]);
        span.setAttribute(GenAiAttributes.TOOL_CALL_ID, this.callId);
        if (this.priority !== 0) span.setAttribute(OverlapAttributes.PRIORITY, this.priority);
        if (this.core.recordIoMaxLength > 0) {
          span.setAttribute(GenAiAttributes.TOOL_CALL_ARGUMENTS, this.core.truncateJson(this.#input));
        }
      }
    }
    return this.#span;
  }

  /** Whether the call's span records (starting the span if needed). */
  get recording(): boolean {
    if (this.#span === undefined) void this.span;
    return this.#recording;
  }

  /** The OpenTelemetry context with this call's span active, for the body and child spans. */
  get spanContext(): Context {
    // A span with no valid context (no SDK) needs no context of its own: its children are no-ops too.
    // A recording span has a valid one (checking costs two regular expressions).
    return (this.#spanContext ??= this.recording || isSpanContextValid(this.span.spanContext())
      ? trace.setSpan(this.#site.otelContext, this.span)
      : this.#site.otelContext);
  }

  /**
   * Starts the call; the promise settles once, and the span is ended and the scope detached on every
   * path. It never throws: even a `signal` that is not an `AbortSignal` rejects the promise.
   */
  start(rawInput: unknown, signal: AbortSignal | undefined, parseError?: unknown): Promise<O> {
    // One shared executor rather than a closure per call (and the context it would capture).
    const promise = new Promise<O>(captureResolvers);
    this.#resolve = captured.resolve as (value: O) => void;
    this.#reject = captured.reject!;
    captured.resolve = undefined;
    captured.reject = undefined;
    try {
      this.#begin(rawInput, signal, parseError);
    } catch (error) {
      // What the Promise constructor did for an executor that threw: the promise rejects, the caller sees no throw.
      try {
        this.#fail(error);
      } catch (failure) {
        this.#reject(failure);
      }
    }
    return promise;
  }

  #begin(rawInput: unknown, signal: AbortSignal | undefined, parseError: unknown): void {
    this.#input = rawInput;
    if (signal !== undefined && !this.aborted) {
      try {
        this.follow(signal);
      } catch (error) {
        return this.#fail(error);
      }
    }
    if (this.aborted) return this.#fail(this.reason);
    if (parseError !== undefined) return this.#fail(parseError);
    const checked = validateSchema(this.tool.inputSchema, rawInput);
    if (checked instanceof Promise) {
      checked.then(
        (result) => this.#inputChecked(result),
        (error: unknown) => this.#fail(error),
      );
    } else {
      this.#inputChecked(checked);
    }
  }

  #inputChecked(checked: SchemaResult<unknown>): void {
    if (this.#stage === Stage.Done) return;
    if (checked.issues !== undefined) return this.#fail(new ToolInputError(this.tool.name, checked.issues));
    this.#input = checked.value;
    this.#beginAttempt();
  }

  #beginAttempt(): void {
    if (this.aborted) return this.#fail(this.reason);
    this.#attempts += 1;
    this.#permits = NO_PERMITS;
    this.#probe = false;
    const breaker = this.runtime.breaker;
    if (breaker !== undefined) {
      const admission = breaker.admit(this.core.clock.now());
      this.#circuitEvent(admission.change);
      if (!admission.allowed) return this.#attemptFailed(new CircuitOpenError(this.tool.name, admission.retryInMs), false);
      this.#probe = admission.probe;
    }
    this.#acquire();
  }

  /** Passes the remaining gates in order; stops at the first that queues the call. */
  #acquire(): void {
    const gates = this.runtime.gates;
    this.#stage = Stage.Starting;
    while (this.#permits.length < gates.length) {
      if (this.aborted) return this.#attemptFailed(this.reason, false);
      const gate = gates[this.#permits.length]!;
      let permit: Permit | undefined;
      try {
        permit = gate.enter(this);
      } catch (error) {
        return this.#attemptFailed(error, false);
      }
      if (permit === undefined) return this.#startWait(gate);
      this.#addPermit(permit);
    }
    if (this.aborted) return this.#attemptFailed(this.reason, false);
    this.#runBody();
  }

  #addPermit(permit: Permit): void {
    if (this.#permits === NO_PERMITS) this.#permits = [permit];
    else this.#permits.push(permit);
  }

  #startWait(gate: Gate): void {
    this.#stage = Stage.Queued;
    this.#gateIndex = this.#permits.length;
    this.#waitStartedAt = this.core.clock.now();
    this.#waitAhead = Math.max(0, gate.queued - 1);
    if (queuedCallEvents.queued.hasListeners) this.#announceWait(gate);
  }

  /** Tells live views that this call waits (only for a sampled call in a trace: it has nowhere to be drawn otherwise). */
  #announceWait(gate: Gate): void {
    const own = this.#span?.spanContext();
    const parent = trace.getSpanContext(this.#site.otelContext);
    if (parent === undefined || !isSpanContextValid(parent) || (parent.traceFlags & TraceFlags.SAMPLED) === 0) return;
    const attributes = { ...this.runtime.callAttributes, [GenAiAttributes.TOOL_CALL_ID]: this.callId };
    this.#announcedWait = nextQueueId();
    queuedCallEvents.queued.emit({
      queueId: this.#announcedWait,
      traceId: parent.traceId,
      parentSpanId: parent.spanId,
      callSpanId: own !== undefined && isSpanContextValid(own) ? own.spanId : undefined,
      spanName: this.tool.spanName,
      attributes,
      gate: gate.name,
      gateKind: gate.kind,
      issuedAt: this.core.clock.spanTime(this.issuedAt),
      queuedAt: this.core.clock.spanTime(this.#waitStartedAt),
      ahead: this.#waitAhead,
    });
  }

  /** A gate granted the permit this call waited for. It may be inside another call's release: resume later. */
  grant(permit: Permit): void {
    if (this.#stage !== Stage.Queued) {
      permit.release();
      return;
    }
    this.#endWait(undefined);
    this.#addPermit(permit);
    this.#stage = Stage.Granted;
    this.core.defer(this);
  }

  /** @internal Continues after a grant, on the runner's microtask. */
  resume(): void {
    if (this.#stage === Stage.Granted) this.#acquire();
  }

  /** A gate turned this call away while it waited (queue timeout). */
  reject(error: unknown): void {
    if (this.#stage !== Stage.Queued) return;
    this.#endWait(error);
    this.#attemptFailed(error, false);
  }

  /**
   * Ends a wait; the queue span is written now, with the wait's true start, so a queued call holds no
   * span. Inside a hand-off `now` is the releasing call's frozen instant: its span ends where this wait does.
   */
  #endWait(error: unknown): void {
    this.#stage = Stage.Starting;
    if (this.#announcedWait !== undefined) {
      queuedCallEvents.dequeued.emit({ queueId: this.#announcedWait, traceId: trace.getSpanContext(this.#site.otelContext)!.traceId });
      this.#announcedWait = undefined;
    }
    const clock = this.core.clock;
    const endedAt = clock.now();
    const waitMs = endedAt - this.#waitStartedAt;
    this.#queueWaitMs = (this.#queueWaitMs ?? 0) + waitMs;
    if (!this.recording) return;
    // Attributes are set after the start: the SDK checks them once that way, twice when passed at start.
    const queueSpan = this.runtime.queueSpans[this.#gateIndex]!;
    const span = this.core.tracer.startSpan(queueSpan.name, { startTime: clock.spanTime(this.#waitStartedAt) }, this.spanContext);
    const constant = queueSpan.attributes;
    for (let i = 0; i < constant.length; i += 1) span.setAttribute(constant[i]![0], constant[i]![1]);
    span.setAttribute(OverlapAttributes.QUEUE_AHEAD, this.#waitAhead);
    span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, waitMs);
    if (error !== undefined) {
      span.setAttribute(GenAiAttributes.ERROR_TYPE, errorTypeOf(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
    }
    span.end(clock.spanTime(endedAt));
  }

  #runBody(): void {
    this.#stage = Stage.Running;
    if (this.tool.retry.attempts > 1 && this.recording) {
      this.span.addEvent(OverlapEvents.ATTEMPT_START, { [OverlapAttributes.ATTEMPT]: this.#attempts }, this.core.clock.spanTime());
    }
    const attempt = new Attempt(this as ToolCall<unknown>, this.core, this.#attempts, this.#permits);
    this.#attempt = attempt;
    this.#permits = NO_PERMITS;
    attempt.run(this.#input);
  }

  /** @internal The attempt's body settled, timed out or was cancelled. */
  attemptSettled(ok: boolean, value: unknown): void {
    if (!ok) return this.#attemptFailed(value, true);
    const schema = this.tool.outputSchema;
    if (schema === undefined) return this.#attemptSucceeded(value);
    const checked = validateSchema(schema, value);
    const verdict = (result: SchemaResult<unknown>): void => {
      if (result.issues !== undefined) this.#attemptFailed(new ToolOutputError(this.tool.name, result.issues), true);
      else this.#attemptSucceeded(result.value);
    };
    if (checked instanceof Promise) checked.then(verdict, (error: unknown) => this.#attemptFailed(error, true));
    else verdict(checked);
  }

  #attemptSucceeded(value: unknown): void {
    const clock = this.core.clock;
    const froze = clock.beginInstant();
    try {
      const breaker = this.runtime.breaker;
      if (breaker !== undefined) this.#circuitEvent(breaker.recordSuccess(this.#probe));
      this.#finishAttempt();
      this.#stage = Stage.Done;
      this.#end(Outcome.OK, undefined, value);
    } finally {
      if (froze) clock.endInstant();
    }
    this.dispose();
    this.#resolve(value as O);
  }

  /**
   * An attempt failed: count it, give the permits back, then retry after a back-off or fail the call,
   * all at one instant of the runner's clock (the permits' hand-off, the back-off event, the span's end).
   */
  #attemptFailed(error: unknown, ranBody: boolean): void {
    const clock = this.core.clock;
    const froze = clock.beginInstant();
    try {
      this.#attemptFailedNow(error, ranBody);
    } finally {
      if (froze) clock.endInstant();
    }
  }

  #attemptFailedNow(error: unknown, ranBody: boolean): void {
    const breaker = this.runtime.breaker;
    // Only attempts that reached the body count for the breaker; queue rejections and cancellations do not.
    if (breaker !== undefined) {
      if (this.aborted || !ranBody) breaker.abandonProbe(this.#probe);
      else this.#circuitEvent(breaker.recordFailure(this.#probe, this.core.clock.now()));
    }
    this.#finishAttempt();
    if (this.aborted) return this.#fail(this.reason);
    let delayMs: number;
    try {
      delayMs = this.#retryDelay(error, this.#attempts);
    } catch (final) {
      return this.#fail(final);
    }
    this.#stage = Stage.BackingOff;
    this.#backoffTimer = this.core.clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      if (this.#stage === Stage.BackingOff) this.#beginAttempt();
    }, delayMs);
  }

  /** Gives back the permits of the attempt (or leaves them with a body that runs on). */
  #finishAttempt(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (attempt !== undefined) attempt.finish();
    for (const permit of this.#permits) permit.release();
    this.#permits = NO_PERMITS;
  }

  /** The delay before the next attempt; throws the error the call should fail with when there is none. */
  #retryDelay(error: unknown, attempt: number): number {
    const policy = this.tool.retry;
    if (this.recording && policy.attempts > 1) {
      this.span.addEvent(OverlapEvents.ATTEMPT_FAILED, {
        [OverlapAttributes.ATTEMPT]: attempt,
        [GenAiAttributes.ERROR_TYPE]: errorTypeOf(error),
        [OverlapAttributes.ERROR_MESSAGE]: messageOf(error),
        [OverlapAttributes.OUTCOME]: outcomeOf(error),
      }, this.core.clock.spanTime());
    }
    if (error instanceof CircuitOpenError && attempt > 1) throw error;
    if (attempt >= policy.attempts || !policy.retryable(error, attempt)) {
      if (attempt > 1) throw new RetriesExhaustedError(this.tool.name, attempt, 'exhausted', error);
      throw error;
    }
    const hint = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    const retryAfterMs = typeof hint === 'number' && hint >= 0 ? hint : undefined;
    const delayMs = backoffDelayMs(policy, attempt + 1, this.core.random(), retryAfterMs);
    if (this.core.clock.now() + delayMs >= this.deadlineAt) {
      if (this.recording) this.span.setAttribute(OverlapAttributes.RETRY_STOP_REASON, 'deadline');
      throw new RetriesExhaustedError(this.tool.name, attempt, 'deadline', error);
    }
    if (this.recording) {
      const attributes: Record<string, number> = {
        [OverlapAttributes.ATTEMPT]: attempt + 1,
        [OverlapAttributes.RETRY_DELAY_MS]: delayMs,
      };
      if (retryAfterMs !== undefined) attributes[OverlapAttributes.RETRY_AFTER_MS] = retryAfterMs;
      this.span.addEvent(OverlapEvents.RETRY_BACKOFF, attributes, this.core.clock.spanTime());
    }
    return delayMs;
  }

  /**
   * The call was cancelled (deadline, caller, parent). A queued call leaves its queue and a backing-off
   * call stops waiting, at once; a running attempt is a child scope and settles when it hears of it.
   */
  protected override cancelled(reason: unknown): void {
    if (this.#stage === Stage.Queued) {
      if (this.runtime.gates[this.#gateIndex]!.leave(this)) {
        this.#endWait(reason);
        this.#attemptFailed(reason, false);
      }
    } else if (this.#stage === Stage.Granted) {
      this.#attemptFailed(reason, false);
    } else if (this.#stage === Stage.BackingOff) {
      this.core.clock.clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
      this.#fail(reason);
    }
  }

  #fail(error: unknown): void {
    if (this.#stage === Stage.Done) return;
    this.#stage = Stage.Done;
    const clock = this.core.clock;
    const froze = clock.beginInstant();
    try {
      this.#end(outcomeOf(error, this.reason), error, undefined);
    } finally {
      if (froze) clock.endInstant();
    }
    this.dispose();
    this.#reject(error);
  }

  #circuitEvent(change: CircuitStateChange | undefined): void {
    if (change === undefined || !this.recording) return;
    this.span.addEvent(OverlapEvents.CIRCUIT_STATE_CHANGE, {
      [OverlapAttributes.CIRCUIT_STATE]: change.to,
      [OverlapAttributes.CIRCUIT_PREVIOUS_STATE]: change.from,
    }, this.core.clock.spanTime());
  }

  #end(outcome: Outcome, error: unknown, output: unknown): void {
    const span = this.span;
    if (this.#recording) {
      span.setAttribute(OverlapAttributes.OUTCOME, outcome);
      span.setAttribute(OverlapAttributes.ATTEMPT, this.#attempts);
      span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, this.#queueWaitMs ?? 0);
      if (outcome === Outcome.OK) {
        if (this.tool.operation === 'chat') this.core.recordChatResponse(span, output);
        if (this.core.recordIoMaxLength > 0) span.setAttribute(GenAiAttributes.TOOL_CALL_RESULT, this.core.truncateJson(output));
      } else if (outcome === Outcome.CANCELLED) {
        span.addEvent(OverlapEvents.CANCELLED, { [OverlapAttributes.ERROR_MESSAGE]: messageOf(error) }, this.core.clock.spanTime());
      } else {
        span.setAttribute(GenAiAttributes.ERROR_TYPE, errorTypeOf(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      }
    }
    span.end(this.core.clock.spanTime());
    // A call that queued has lived long enough to be an old object to the GC, and an old object's
    // pointers keep young objects alive until the next full collection. The call is over: let go of its
    // span, span context and input, so that they die young with the rest of the call's garbage.
    this.#span = ENDED_SPAN;
    this.#recording = false;
    this.#spanContext = undefined;
    this.#input = undefined;
  }
}
