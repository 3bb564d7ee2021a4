import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Context } from '@opentelemetry/api';
import { RUNNERS_NAMESPACE, readAgentDescriptors, resolveAgentParams, spansToOtlp } from '@overlap/shared';
import type { AgentDescriptor, AgentParameter, RunAgentAck, ServerToRunnerEvents, RunnerToServerEvents, SpanRecord } from '@overlap/shared';
import { io, type Socket } from 'socket.io-client';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { readableSpanToRecord } from './readableSpanToRecord.js';

/** Most span starts waiting to be sent; past it the oldest are dropped (and counted). */
const MAX_PENDING_STARTS = 2_000;
/** How often pending span starts are sent. */
const SEND_INTERVAL_MS = 50;

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
  /** Span starts sent to the dashboard. */
  startsSent: number;
  /** Span starts dropped: the dashboard was unreachable or too slow. */
  startsDropped: number;
}

/**
 * The runner process's side of the dashboard's live channel (socket.io, namespace `/runners`). As a
 * span processor it batches span starts and sends them as `span-starts` (an OTLP/JSON request of
 * spans with no end), so a call shows as a growing bar before it ends. Starts are only for the live
 * view, and ended spans reach the dashboard over OTLP anyway, so when the dashboard is unreachable
 * they are dropped and counted, never queued without bound.
 */
export class DashboardLink implements SpanProcessor {
  /** The connection to the dashboard's runners namespace, typed by the live channel's events in `@overlap/shared`. */
  readonly socket: Socket<ServerToRunnerEvents, RunnerToServerEvents>;
  readonly counts: LiveCounts = { startsSent: 0, startsDropped: 0 };
  #pending: SpanRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    readonly url: string,
    token: string | undefined,
    readonly warn: (message: string, kind: string) => void,
  ) {
    this.socket = io(new URL(RUNNERS_NAMESPACE, url).href, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnectionDelayMax: 5_000,
    });
    this.socket.on('connect_error', (error: Error) => {
      this.warn(`dashboard at ${url} is unreachable for live updates: ${error.message}`, 'live-connect');
    });
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
      void resource.waitForAsyncAttributes?.().then(() => this.#enqueue(span as unknown as ReadableSpan));
      return;
    }
    this.#enqueue(span as unknown as ReadableSpan);
  }

  #enqueue(span: ReadableSpan): void {
    if (this.#closed) return;
    if (!this.socket.connected) {
      this.counts.startsDropped += 1;
      return;
    }
    if (this.#pending.length >= MAX_PENDING_STARTS) {
      this.#pending.shift();
      this.counts.startsDropped += 1;
    }
    this.#pending.push(readableSpanToRecord(span, true));
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#send(), SEND_INTERVAL_MS);
      this.#timer.unref?.();
    }
  }

  onEnd(_span: ReadableSpan): void {}

  #send(): void {
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    if (!this.socket.connected) {
      this.counts.startsDropped += batch.length;
      return;
    }
    this.socket.emit('span-starts', spansToOtlp(batch));
    this.counts.startsSent += batch.length;
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
    this.socket.close();
    return Promise.resolve();
  }
}
