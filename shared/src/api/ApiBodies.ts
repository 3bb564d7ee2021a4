/**
 * The bodies of the dashboard's REST API (see the dashboard README for routes and parameters): what its
 * server sends and its page reads, defined once.
 *
 * @packageDocumentation
 */
import type { AgentDescriptor, ConnectedRunner } from '../agents/AgentDescriptor.js';
import type { SpanRecord } from '../model.js';
import type { TraceComparison } from '../trace/compareTraces.js';
import type { ToolStats } from '../trace/toolStats.js';
import type { TraceSummary } from '../trace/traceSummary.js';

/** The body of every JSON error the dashboard sends, on the REST API and in live acknowledgements. */
export interface ApiErrorBody {
  readonly error: {
    /** Stable, machine-readable code, such as `invalid_parameter`, `not_found`, `unauthorized`. */
    readonly code: string;
    /** What went wrong, for people; names the parameter at fault when there is one. */
    readonly message: string;
  };
}

/** Sizes, limits and loss counters of the dashboard's trace store (`GET /api/stats`, `GET /healthz`). */
export interface TraceStoreStats {
  /** Traces held. */
  readonly traces: number;
  /** Spans held. */
  readonly spans: number;
  /** Spans announced as started that have not ended yet. */
  readonly inFlightSpans: number;
  /** Where the traces are kept: in memory (lost on restart), or in an SQLite file (`--db`). */
  readonly storage: 'memory' | 'sqlite';
  /** Most traces kept; `null` when unbounded. */
  readonly maxTraces: number | null;
  /** Most spans kept; `null` when unbounded. */
  readonly maxSpans: number | null;
  /** Most spans kept in one trace; a trace's spans past it are dropped and counted. `null` when unbounded. */
  readonly maxSpansPerTrace: number | null;
  /** Longest a trace is kept after it last changed, in ms; `null` when unbounded. */
  readonly maxAgeMs: number | null;
  /** Traces evicted (least recently active first) to stay within the limits, since start (since the file was created, for a file). */
  readonly evictedTraces: number;
  /** Spans those evicted traces held. */
  readonly evictedSpans: number;
  /** Spans refused because their trace held `maxSpansPerTrace` spans, or alone filled the store. */
  readonly droppedSpans: number;
}

/** Body of `GET /api/traces`. */
export interface TraceListResponse {
  /** Summaries of the matching traces, newest start first. */
  readonly traces: TraceSummary[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Body of `GET /api/traces/:traceId`. */
export interface TraceResponse {
  readonly traceId: string;
  /** The trace's spans as stored (in arrival order). */
  readonly spans: SpanRecord[];
  /** What `assembleTrace` had to repair (orphans, duplicates, clamped ends...), one line per kind. */
  readonly warnings: string[];
  readonly summary: TraceSummary;
}

/** Body of `GET /api/stats`. */
export interface StatsResponse {
  /** Per-tool (and per-model) figures over the matching traces' spans (`toolStats`). */
  readonly tools: ToolStats[];
  /** How many traces matched and were counted. */
  readonly traceCount: number;
  /** The store's sizes, limits and loss counters. */
  readonly store: TraceStoreStats;
}

/** A trace export format: OTLP/JSON, JSON lines of span records, or a Jaeger UI trace file. */
export type ExportFormat = 'otlp' | 'jsonl' | 'jaeger';

/** Body of `POST /api/import`. */
export interface ImportResponse {
  /** The format the body was read as. */
  readonly format: ExportFormat;
  /** Valid spans read from the body. */
  readonly spans: number;
  /** Distinct traces among them. */
  readonly traces: number;
  /** Spans new to the store. */
  readonly added: number;
  /** Spans that replaced a stored version (an in-flight one, or a fuller copy). */
  readonly updated: number;
  /** Spans the store already held, or held a winning version of. */
  readonly unchanged: number;
  /** Spans refused: invalid in the file, or their trace alone filled the store. */
  readonly rejected: number;
  /** What was wrong or odd in the file (invalid lines and spans, format warnings), at most 50 lines. */
  readonly problems: string[];
}

/** Body of `GET /api/info`: what the page needs to know about the server. */
export interface InfoResponse {
  /** The OTLP/HTTP URLs the server forwards to (Jaeger's, say); empty when it forwards nowhere. */
  readonly forwardTargets: string[];
}

/** The 202 answer of `POST /api/traces/:traceId/forward`. */
export interface ForwardResponse {
  readonly queued: true;
  /** Spans of the trace sent. */
  readonly spans: number;
  /** Where they go. */
  readonly targets: string[];
}

/** Body of `GET /api/agents`, and of the live `agents` event. */
export interface AgentsResponse {
  /** The runners that registered, in registration order. */
  readonly runners: readonly ConnectedRunner[];
}

/** Body of `POST /api/agents/run`. */
export interface RunAgentRequest {
  /** The runner to ask; without it, the first that offers the agent. */
  readonly runnerId?: string;
  /** An {@link AgentDescriptor.name}. */
  readonly agent: AgentDescriptor['name'];
  /** Parameters by name; missing ones take their defaults. */
  readonly params?: Readonly<Record<string, number>>;
}

/** The 202 answer of `POST /api/agents/run`: the runner accepted the run (defaults filled in). */
export interface RunAgentResponse {
  readonly accepted: true;
  readonly runnerId: string;
  readonly agent: string;
  readonly params: Readonly<Record<string, number>>;
  /** The runner puts it on the run's root span as `overlap.request.id`: the page opens that trace. */
  readonly requestId: string;
  /** What the runner said when it accepted, if anything. */
  readonly detail?: string;
}

/**
 * Body of `GET /api/compare?a=<traceId>&b=<traceId>`: `compareTraces` of the two stored traces, A the
 * baseline. The page's comparison and `overlap compare` show exactly these figures. One-sided values are
 * `null`; summaries leave out what they do not have (an `agentName` of a run that is not an agent's).
 */
export type CompareResponse = TraceComparison;
