/**
 * The dashboard's live channel (socket.io) as typed events: one definition that the dashboard's server
 * (`Server<PageToServerEvents, ServerToPageEvents>`, and the runners namespace as
 * `Namespace<RunnerToServerEvents, ServerToRunnerEvents>`), the runner's telemetry
 * (`Socket<ServerToRunnerEvents, RunnerToServerEvents>` from socket.io-client) and the page
 * (`Socket<ServerToPageEvents, PageToServerEvents>`) are all written against, so an event name, a
 * payload or an acknowledgement cannot differ between them. Types only: nothing here imports socket.io.
 *
 * A receiver still checks what arrives (it comes off the network): the server reads a registration
 * with `readRunnerRegistration`, span starts with `otlpToSpans`, a trace id with `readTraceId`.
 *
 * @packageDocumentation
 */
import type { RunnerRegistration } from '../agents/AgentDescriptor.js';
import type { AgentsResponse, ApiErrorBody } from '../api/ApiBodies.js';
import type { SpanRecord } from '../model.js';
import type { OtlpExportTraceServiceRequest } from '../otlp/types.js';
import type { TraceSummary } from '../trace/traceSummary.js';

/** The namespace runner processes connect to; pages use the default namespace, `/`. */
export const RUNNERS_NAMESPACE = '/runners';

/** `traces`, to pages: the traces that changed, at most one event every `tracesIntervalMs`. */
export interface TracesEvent {
  /** Summaries of traces that changed since the last `traces` event. */
  readonly traces: TraceSummary[];
  /** Ids of traces evicted from the store since the last `traces` event. */
  readonly evicted: string[];
}

/** `spans`, to pages watching a trace. */
export interface SpansEvent {
  readonly traceId: string;
  /** New or updated spans of the trace since the last `spans` event (merge them by `spanVersionKey`). */
  readonly spans: SpanRecord[];
}

/** What a page sends with `watch` and `unwatch`. */
export interface WatchRequest {
  /** 32 hex characters. */
  readonly traceId: string;
}

/** The acknowledgement of `watch`: the whole trace so far, or why not. */
export type WatchAck = { readonly traceId: string; readonly found: boolean; readonly spans: SpanRecord[] } | ApiErrorBody;

/** The acknowledgement of a runner's `span-starts`. */
export type SpanStartsAck = { readonly accepted: number; readonly rejected: number } | ApiErrorBody;

/** The acknowledgement of a runner's `register`. */
export type RegisterAck = { readonly ok: true } | ApiErrorBody;

/** `run-agent`, to a runner: run an agent it offers, asked for from the page. */
export interface RunAgentEvent {
  readonly agent: string;
  /** Every parameter of the agent, defaults filled in and ranges checked by the server. */
  readonly params: Readonly<Record<string, number>>;
  /** Put it on the run's `invoke_agent` span as `overlap.request.id`, so the page opens that trace. */
  readonly requestId: string;
}

/** A runner's answer to `run-agent`: accepted (the run starts; its traces arrive as usual), or refused. */
export type RunAgentAck = { readonly accepted: true; readonly detail?: string } | ApiErrorBody;

/** Events the server sends to pages (default namespace). */
export interface ServerToPageEvents {
  traces(event: TracesEvent): void;
  spans(event: SpansEvent): void;
  /** A runner registered or left: every connected runner and the agents it offers. */
  agents(event: AgentsResponse): void;
}

/** Events pages send to the server (default namespace). */
export interface PageToServerEvents {
  /** Starts sending `spans` of the trace; the acknowledgement holds its spans so far. */
  watch(request: WatchRequest, ack: (answer: WatchAck) => void): void;
  /** Stops sending `spans` of the trace. */
  unwatch(request: WatchRequest): void;
}

/** Events runner processes send to the server (namespace {@link RUNNERS_NAMESPACE}). */
export interface RunnerToServerEvents {
  /**
   * Spans that have started (no end, or `endTimeUnixNano` 0), as an OTLP/JSON request; stored in flight
   * until the ended version arrives over OTLP.
   */
  'span-starts'(request: OtlpExportTraceServiceRequest, ack?: (answer: SpanStartsAck) => void): void;
  /** The agents this process offers; sent again after every reconnection. */
  register(registration: RunnerRegistration, ack: (answer: RegisterAck) => void): void;
}

/** Events the server sends to runner processes (namespace {@link RUNNERS_NAMESPACE}). */
export interface ServerToRunnerEvents {
  'run-agent'(request: RunAgentEvent, ack: (answer: RunAgentAck) => void): void;
}
