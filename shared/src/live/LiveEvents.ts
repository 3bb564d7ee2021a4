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
import type { FirstRows } from '../trace/layoutFirstRows.js';
import type { TraceSummary } from '../trace/traceSummary.js';
import type { DequeuedCall, QueuedCall } from './QueuedCall.js';

/** The namespace runner processes connect to; pages use the default namespace, `/`. */
export const RUNNERS_NAMESPACE = '/runners';

/** `traces`, to pages: the traces that changed, at most one event every `tracesIntervalMs`. */
export interface TracesEvent {
  /** Summaries of traces that changed since the last `traces` event. */
  readonly traces: TraceSummary[];
  /** Ids of traces evicted from the store since the last `traces` event. */
  readonly evicted: string[];
}

/**
 * `spans`, to pages watching a trace. A page applies one event as a whole: first the waits that ended
 * (`dequeued`), then the spans, then the new waits (`queued`), so a call that left its queue is replaced
 * by its real spans in one step, never shown twice or not at all.
 */
export interface SpansEvent {
  readonly traceId: string;
  /** New or updated spans of the trace since the last `spans` event (merge them by `spanVersionKey`). */
  readonly spans: SpanRecord[];
  /** Calls of the trace that joined a gate's queue since the last event (see {@link QueuedCall}). */
  readonly queued?: QueuedCall[];
  /** `queueId`s of the trace's waits that ended since the last event. */
  readonly dequeued?: string[];
}

/** What a page sends with `watch` and `unwatch`. */
export interface WatchRequest {
  /** 32 hex characters. */
  readonly traceId: string;
  /**
   * Rows of the waterfall the page draws first (a screenful). When given, and the trace has more spans,
   * the acknowledgement holds those rows instead of the spans ({@link WatchedTrace.spansFollow}), and the
   * spans follow in a `trace-spans` event, in compact form: the page draws the top of a large trace at
   * once and lays out the rest off its main thread. An integer from 1 to 1000.
   */
  readonly firstRows?: number;
  /** Echoed in the `trace-spans` event, so a page tells this watch's spans from an earlier watch's. */
  readonly watchId?: number;
}

/** The acknowledgement of `watch` when the trace id was valid. */
export interface WatchedTrace {
  readonly traceId: string;
  readonly found: boolean;
  /** The whole trace so far; empty when {@link WatchedTrace.spansFollow} is set. */
  readonly spans: SpanRecord[];
  /** Its calls waiting in gates' queues now (see {@link QueuedCall}); absent when none. */
  readonly queued?: QueuedCall[];
  /**
   * Set when the request asked for `firstRows` and the trace has more spans: the spans come next, in a
   * `trace-spans` event ({@link TraceSpansEvent}) with the request's `watchId`; meanwhile here are the
   * first rows of its waterfall (`layoutFirstRows`; absent when the trace needs the full assembly's
   * repairs) and how many spans it has.
   */
  readonly spansFollow?: { readonly spanCount: number; readonly firstScreen?: FirstRows };
}

/** The acknowledgement of `watch`: the trace so far and its calls waiting in queues now, or why not. */
export type WatchAck = WatchedTrace | ApiErrorBody;

/**
 * `trace-spans`, to a page that watched a trace with `firstRows` (see {@link WatchedTrace.spansFollow}):
 * every span of the trace when it was watched, as UTF-8 JSON of `SpanColumns` (decode it with
 * `decodeSpanColumns`), sent as binary. `spans` events that arrive before or after it are newer.
 */
export interface TraceSpansEvent {
  readonly traceId: string;
  /** The `watchId` of the request it answers. */
  readonly watchId: number;
  readonly spanCount: number;
  readonly columns: ArrayBuffer | Uint8Array;
}

/** The acknowledgement of a runner's `span-starts`. */
export type SpanStartsAck = { readonly accepted: number; readonly rejected: number } | ApiErrorBody;

/**
 * `live-batch`, from a runner: what changed since its previous batch. The server applies a batch as a
 * whole (spans, then `dequeued`, then `queued`) and passes it on to the pages watching those traces in
 * one `spans` event.
 */
export interface RunnerLiveBatch {
  /**
   * Spans that started (no end) or ended since the last batch, as an OTLP/JSON request. Ended spans also
   * reach the server over OTLP, the durable path; both copies are merged by `compareSpanVersions`.
   */
  readonly spans?: OtlpExportTraceServiceRequest;
  /** Calls that joined a gate's queue (they have no span yet). */
  readonly queued?: QueuedCall[];
  /** Waits that ended: the call was granted, turned away or cancelled. */
  readonly dequeued?: DequeuedCall[];
}

/** The acknowledgement of a runner's `live-batch`: what was taken and what was refused. */
export type LiveBatchAck =
  | { readonly accepted: number; readonly rejected: number; readonly queued: number; readonly dequeued: number }
  | ApiErrorBody;

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
  /** The spans of a trace watched with `firstRows`, in compact form. */
  'trace-spans'(event: TraceSpansEvent): void;
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
  /** Span starts and ends and queued calls since the runner's last batch (see {@link RunnerLiveBatch}). */
  'live-batch'(batch: RunnerLiveBatch, ack?: (answer: LiveBatchAck) => void): void;
  /** The agents this process offers; sent again after every reconnection. */
  register(registration: RunnerRegistration, ack: (answer: RegisterAck) => void): void;
}

/** Events the server sends to runner processes (namespace {@link RUNNERS_NAMESPACE}). */
export interface ServerToRunnerEvents {
  'run-agent'(request: RunAgentEvent, ack: (answer: RunAgentAck) => void): void;
}
