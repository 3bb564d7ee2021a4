import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Context } from '@opentelemetry/api';
import { MAX_QUEUED_CALLS_PER_BATCH, RUNNERS_NAMESPACE, readAgentDescriptors, resolveAgentParams, spansToOtlp } from '@overlap/shared';
import type {
  AgentDescriptor,
  AgentParameter,
  DequeuedCall,
  QueuedCall,
  RunAgentAck,
  RunnerLiveBatch,
  RunnerToServerEvents,
  ServerToRunnerEvents,
  SpanRecord,
} from '@overlap/shared';
import { io, type Socket } from 'socket.io-client';
import { queuedCallEvents, type DequeuedCallNotice, type QueuedCallNotice } from '../engine/queuedCallEvents.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { DEFAULT_SERVICE_NAME } from './defaultServiceName.js';
import { hrTimeToNanos, readableSpanToRecord } from './readableSpanToRecord.js';

/** Most spans (starts and ends) waiting to be sent; past it the oldest are dropped (and counted). */
const MAX_PENDING_SPANS = 2_000;
/**
 * Most queued calls announced and not yet dequeued; calls queued past it are not shown live (and
 * counted). No more than the server takes in one batch, so a batch that carries them all is never cut.
 */
const MAX_ANNOUNCED_WAITS = MAX_QUEUED_CALLS_PER_BATCH;
/**
 * Least time between two batches. A batch goes out as soon as the event loop is free when the last one
 * left longer ago than this, so a lone span end reaches the dashboard at once; under load, spans wait at
 * most this long and travel together.
 */
const SEND_INTERVAL_MS = 20;

/** An agent this process offers to run: the agent offer of `@overlap/shared` (`AgentDescriptor`). */
export type OfferedAgent = AgentDescriptor;

/** A numeric parameter an offered agent takes: `AgentParameter` of `@overlap/shared`. */
export type OfferedParameter = AgentParameter;

/** What the dashboard says about a run it asks for. */
export interface RunRequest {
  /**
   * The request's id. Put it on the run's `invoke_agent` span as `overlap.request.id` (the runner's
   * `run(agent, input, { attributes })`), and the page opens exactly that trace.
   */
  requestId: string | undefined;
}

/** Called when the dashboard asks this process to run an agent; the parameters are within range. */
export type RunRequestHandler = (agent: string, params: Record<string, number>, request: RunRequest) => void | Promise<void>;

/** Counts of the live channel. */
export interface LiveCounts {
  /** Span starts sent to the dashboard (a span that also ended before its batch left is sent ended only). */
  startsSent: number;
  /** Span starts dropped: the dashboard was unreachable or too slow. */
  startsDropped: number;
  /** Span ends sent to the dashboard (they reach it over OTLP too). */
  endsSent: number;
  /** Span ends dropped from the live channel: the dashboard was unreachable or too slow (OTLP still delivers them). */
  endsDropped: number;
  /** Queued calls announced to the dashboard (resent after a reconnection count again). */
  queuedSent: number;
  /** Queued calls not announced: more than 10,000 were waiting at once. */
  queuedDropped: number;
}

/** A queued call announced (or to announce) to the dashboard. */
interface AnnouncedWait {
  readonly call: QueuedCall;
  /** The dashboard holds it: sent since the last connection. */
  sent: boolean;
}

/**
 * The runner process's side of the dashboard's live channel (socket.io, namespace `/runners`). As a
 * span processor it sends span starts (so a call shows as a growing bar before it ends) and span ends
 * (so it stops growing within a frame or two of ending, without waiting for the OTLP batch); and it
 * announces the calls of this process's runners that wait at a gate (`queuedCallEvents`), which have no
 * span yet, and withdraws them when they leave the queue. All of it goes in `live-batch` events: at once
 * when the last batch left more than 20 ms ago, else 20 ms after it.
 *
 * The live channel is for the live view only: ended spans reach the dashboard over OTLP anyway (the
 * durable path; the dashboard keeps one version of a span by `compareSpanVersions`), so when the
 * dashboard is unreachable spans are dropped and counted, never queued without bound. Announced waits
 * are kept (at most 10,000) and announced again after a reconnection, since the dashboard forgets a
 * runner's waits when it disconnects.
 */
export class DashboardLink implements SpanProcessor {
  /** The connection to the dashboard's runners namespace, typed by the live channel's events in `@overlap/shared`. */
  readonly socket: Socket<ServerToRunnerEvents, RunnerToServerEvents>;
  readonly counts: LiveCounts = { startsSent: 0, startsDropped: 0, endsSent: 0, endsDropped: 0, queuedSent: 0, queuedDropped: 0 };
  #pendingSpans: Array<{ readonly span: ReadableSpan; readonly inFlight: boolean }> = [];
  /** Waits announced and not yet over, by `queueId`. */
  readonly #waits = new Map<string, AnnouncedWait>();
  #pendingDequeued: DequeuedCall[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSendAt = Number.NEGATIVE_INFINITY;
  #closed = false;
  /** Tells this process's queued calls apart from another process's in one trace. */
  readonly #linkId = Math.floor(Math.random() * 0xffffffff).toString(36);
  readonly #stopWatchingQueues: Array<() => void>;

  constructor(
    readonly url: string,
    token: string | undefined,
    readonly warn: (message: string, kind: string) => void,
    /** The `service.name` of this process's spans, for its queued calls. */
    readonly serviceName: string = DEFAULT_SERVICE_NAME,
  ) {
    this.socket = io(new URL(RUNNERS_NAMESPACE, url).href, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnectionDelayMax: 5_000,
    });
    this.socket.on('connect_error', (error: Error) => {
      this.warn(`dashboard at ${url} is unreachable for live updates: ${error.message}`, 'live-connect');
    });
    this.socket.on('connect', () => {
      if (this.#waits.size > 0) this.#schedule();
    });
    this.socket.on('disconnect', () => {
      // The dashboard forgets a runner's waits when it leaves: announce them all again once back.
      for (const wait of this.#waits.values()) wait.sent = false;
      this.#pendingDequeued = [];
    });
    this.#stopWatchingQueues = [
      queuedCallEvents.queued.on((notice) => this.#queued(notice)),
      queuedCallEvents.dequeued.on((notice) => this.#dequeued(notice)),
    ];
  }

  /**
   * Offers agents on the dashboard's page: registers them now and after every reconnection, and calls
   * `onRun` when the page asks for a run (the request is acknowledged at once; the run's traces arrive as
   * usual). The parameters are checked with `resolveAgentParams` of `@overlap/shared`, as the dashboard
   * checks them: integers within range, defaults filled in.
   *
   * @throws {@link InvalidOptionError} for a malformed offer (a parameter whose default is out of its range...).
   *
   * @example
   * ```ts
   * telemetry.dashboard?.offerAgents('examples', [{ name: 'burst', parameters: [{ name: 'limit', description: 'permits', default: 3, min: 1, max: 30 }] }],
   *   (agent, params) => runExample(agent, params));
   * ```
   */
  offerAgents(serviceName: string, agents: readonly AgentDescriptor[], onRun: RunRequestHandler): void {
    const reading = readAgentDescriptors(agents);
    if (!reading.ok) throw new InvalidOptionError(`offerAgents.${reading.path}`, reading.expected, reading.received);
    const offered = reading.value;
    const runnerId = `${serviceName}-${process.pid}`;
    const register = (): void => {
      this.socket.emit('register', { runnerId, serviceName, agents: offered }, (ack) => {
        if ('error' in ack) this.warn(`the dashboard refused the agents: ${ack.error.message}`, 'register');
      });
    };
    this.socket.on('connect', register);
    if (this.socket.connected) register();
    // The request comes off the network: typed by the contract, read as unknown until checked.
    this.socket.on('run-agent', (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: RunAgentAck) => void) : () => {};
      const request = (typeof payload === 'object' && payload !== null ? payload : {}) as { agent?: unknown; params?: unknown; requestId?: unknown };
      const agent = offered.find((a) => a.name === request.agent);
      if (agent === undefined) {
        reply({ error: { code: 'unknown_agent', message: `this process does not offer "${String(request.agent)}"` } });
        return;
      }
      const resolved = resolveAgentParams(agent.parameters, request.params ?? {});
      if (!resolved.ok) {
        reply({ error: { code: 'invalid_parameter', message: resolved.problem.message } });
        return;
      }
      reply({ accepted: true });
      void Promise.resolve()
        .then(() => onRun(agent.name, { ...resolved.params }, { requestId: typeof request.requestId === 'string' ? request.requestId : undefined }))
        .catch((error: unknown) => this.warn(`run of "${agent.name}" requested from the page failed: ${(error as Error).message}`, 'run'));
    });
  }

  onStart(span: Span, _parentContext: Context): void {
    const resource = (span as unknown as ReadableSpan).resource;
    // Resource detection may still be running just after start-up; reading it early only warns.
    if (resource.asyncAttributesPending) {
      void resource.waitForAsyncAttributes?.().then(() => this.#enqueue(span as unknown as ReadableSpan, true));
      return;
    }
    this.#enqueue(span as unknown as ReadableSpan, true);
  }

  onEnd(span: ReadableSpan): void {
    this.#enqueue(span, false);
  }

  #enqueue(span: ReadableSpan, inFlight: boolean): void {
    if (this.#closed) return;
    if (!this.socket.connected) {
      this.#countDropped(inFlight, 1);
      return;
    }
    if (this.#pendingSpans.length >= MAX_PENDING_SPANS) {
      const dropped = this.#pendingSpans.shift()!;
      this.#countDropped(dropped.inFlight, 1);
    }
    // Read when the batch leaves, off the call's own path: a span's end costs the call a push.
    this.#pendingSpans.push({ span, inFlight });
    this.#schedule();
  }

  #countDropped(inFlight: boolean, count: number): void {
    if (inFlight) this.counts.startsDropped += count;
    else this.counts.endsDropped += count;
  }

  #queued(notice: QueuedCallNotice): void {
    if (this.#closed) return;
    if (this.#waits.size >= MAX_ANNOUNCED_WAITS) {
      this.counts.queuedDropped += 1;
      return;
    }
    const call: { -readonly [K in keyof QueuedCall]: QueuedCall[K] } = {
      queueId: `${this.#linkId}-${notice.queueId}`,
      traceId: notice.traceId,
      parentSpanId: notice.parentSpanId,
      spanName: notice.spanName,
      attributes: notice.attributes as QueuedCall['attributes'],
      gate: notice.gate,
      gateKind: notice.gateKind,
      issuedAtUnixNano: hrTimeToNanos(notice.issuedAt),
      queuedAtUnixNano: hrTimeToNanos(notice.queuedAt),
      ahead: notice.ahead,
      serviceName: this.serviceName,
    };
    if (notice.callSpanId !== undefined) call.callSpanId = notice.callSpanId;
    this.#waits.set(call.queueId, { call, sent: false });
    this.#schedule();
  }

  #dequeued(notice: DequeuedCallNotice): void {
    const queueId = `${this.#linkId}-${notice.queueId}`;
    const wait = this.#waits.get(queueId);
    if (wait === undefined) return;
    this.#waits.delete(queueId);
    // A wait the dashboard never heard of needs no withdrawal.
    if (!wait.sent) return;
    this.#pendingDequeued.push({ traceId: notice.traceId, queueId });
    this.#schedule();
  }

  /** Sends the next batch as soon as the event loop is free, but not sooner than SEND_INTERVAL_MS after the last. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.#send(), Math.max(0, this.#lastSendAt + SEND_INTERVAL_MS - performance.now()));
    this.#timer.unref?.();
  }

  #send(): void {
    this.#timer = undefined;
    const pending = this.#pendingSpans;
    this.#pendingSpans = [];
    if (!this.socket.connected) {
      for (const entry of pending) this.#countDropped(entry.inFlight, 1);
      return;
    }
    // A start whose end leaves in the same batch is not sent: the ended span says all it would.
    const endedHere = new Set<ReadableSpan>();
    for (const entry of pending) if (!entry.inFlight) endedHere.add(entry.span);
    const spans: SpanRecord[] = [];
    for (const entry of pending) if (!(entry.inFlight && endedHere.has(entry.span))) spans.push(readableSpanToRecord(entry.span, entry.inFlight));
    const queued: QueuedCall[] = [];
    for (const wait of this.#waits.values()) {
      if (wait.sent) continue;
      wait.sent = true;
      queued.push(wait.call);
    }
    const dequeued = this.#pendingDequeued;
    this.#pendingDequeued = [];
    if (spans.length === 0 && queued.length === 0 && dequeued.length === 0) return;
    this.#lastSendAt = performance.now();
    const batch: { -readonly [K in keyof RunnerLiveBatch]: RunnerLiveBatch[K] } = {};
    if (spans.length > 0) batch.spans = spansToOtlp(spans);
    if (queued.length > 0) batch.queued = queued;
    if (dequeued.length > 0) batch.dequeued = dequeued;
    this.socket.emit('live-batch', batch);
    for (const span of spans) {
      if (span.endTimeUnixNano === undefined) this.counts.startsSent += 1;
      else this.counts.endsSent += 1;
    }
    this.counts.queuedSent += queued.length;
  }

  forceFlush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#send();
    }
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    void this.forceFlush();
    this.#closed = true;
    for (const stop of this.#stopWatchingQueues) stop();
    this.socket.close();
    return Promise.resolve();
  }
}
