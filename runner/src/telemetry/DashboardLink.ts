import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Context } from '@opentelemetry/api';
import { spansToOtlp, type SpanRecord } from '@overlap/shared';
import { io, type Socket } from 'socket.io-client';
import { readableSpanToRecord } from './readableSpanToRecord.js';

/** The namespace of the dashboard's live channel that runner processes use. */
export const RUNNERS_NAMESPACE = '/runners';

/** Most span starts waiting to be sent; past it the oldest are dropped (and counted). */
const MAX_PENDING_STARTS = 2_000;
/** How often pending span starts are sent. */
const SEND_INTERVAL_MS = 50;

/** A numeric parameter an offered agent takes (a limit, a timeout, a count). */
export interface OfferedParameter {
  name: string;
  description: string;
  default: number;
  min: number;
  max: number;
}

/** An agent this process offers to run when someone asks from the dashboard's page. */
export interface OfferedAgent {
  name: string;
  title?: string;
  description?: string;
  parameters: OfferedParameter[];
}

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
  readonly socket: Socket;
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
   * `onRun` when the page asks for a run (the request is acknowledged at once; the run's traces arrive as usual).
   *
   * @example
   * ```ts
   * telemetry.dashboard?.offerAgents('examples', [{ name: 'burst', parameters: [{ name: 'limit', description: 'permits', default: 3, min: 1, max: 30 }] }],
   *   (agent, params) => runExample(agent, params));
   * ```
   */
  offerAgents(serviceName: string, agents: OfferedAgent[], onRun: RunRequestHandler): void {
    const runnerId = `${serviceName}-${process.pid}`;
    const register = (): void => {
      this.socket.emit('register', { runnerId, serviceName, agents }, (ack: { ok?: boolean; error?: { message: string } }) => {
        if (ack?.error) this.warn(`the dashboard refused the agents: ${ack.error.message}`, 'register');
      });
    };
    this.socket.on('connect', register);
    if (this.socket.connected) register();
    this.socket.on('run-agent', (payload: { agent?: unknown; params?: unknown; requestId?: unknown }, ack?: (answer: unknown) => void) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const offered = agents.find((a) => a.name === payload?.agent);
      if (offered === undefined) {
        reply({ error: { code: 'unknown_agent', message: `this process does not offer "${String(payload?.agent)}"` } });
        return;
      }
      const given = (payload.params ?? {}) as Record<string, unknown>;
      const params: Record<string, number> = {};
      for (const p of offered.parameters) {
        const value = given[p.name] ?? p.default;
        if (typeof value !== 'number' || !(value >= p.min && value <= p.max)) {
          reply({ error: { code: 'invalid_parameter', message: `${p.name}: expected a number from ${p.min} to ${p.max}` } });
          return;
        }
        params[p.name] = value;
      }
      reply({ accepted: true });
      void Promise.resolve()
        .then(() => onRun(offered.name, params, { requestId: typeof payload.requestId === 'string' ? payload.requestId : undefined }))
        .catch((error: unknown) => this.warn(`run of "${offered.name}" requested from the page failed: ${(error as Error).message}`, 'run'));
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
