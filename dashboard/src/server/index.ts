/**
 * `@overlap/dashboard`: the dashboard's server. OTLP/HTTP trace ingest, an in-memory trace store, a REST
 * API, a live socket.io channel and the browser page, built by {@link createDashboardServer}. The REST
 * bodies, the live channel's events and the agent offer are defined in `@overlap/shared`.
 *
 * @packageDocumentation
 */
export { createDashboardServer } from './createDashboardServer.js';
export type { DashboardAddress, DashboardServer, HealthResponse } from './createDashboardServer.js';
export {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_PORT,
  DEFAULT_SPANS_INTERVAL_MS,
  DEFAULT_TRACES_INTERVAL_MS,
  resolveDashboardOptions,
} from './DashboardServerOptions.js';
export type { DashboardServerOptions, ResolvedDashboardServerOptions } from './DashboardServerOptions.js';
export { DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES, TraceStore } from './store/TraceStore.js';
export type {
  TraceChange,
  TraceFilter,
  TraceIdPage,
  TraceInfo,
  TraceKey,
  TraceStoreAddResult,
  TraceStoreChange,
  TraceStoreOptions,
} from './store/TraceStore.js';
export { runnersNamespace } from './live/DashboardIo.js';
export type { DashboardIo, PageSocket, PagesNamespace, RunnerSocket, RunnersNamespace } from './live/DashboardIo.js';
export { DEFAULT_TRACE_LIMIT, MAX_TRACE_LIMIT } from './api/traceQuery.js';
export type { OtlpIngestCounters } from './ingest/otlpHttp.js';
export { decodeOtlpProtobufRequest } from './ingest/otlpProtobuf.js';
export { OtlpForwarder, DEFAULT_FORWARD_BUFFER_BYTES } from './forward/OtlpForwarder.js';
export type { ForwardTargetStats, OtlpForwarderOptions } from './forward/OtlpForwarder.js';
export { RunnerRegistry } from './runners/RunnerRegistry.js';
export { DEFAULT_MAX_QUEUED_CALLS, QueuedCallRegistry } from './live/QueuedCallRegistry.js';
export { HttpError, isHttpError } from './errors/HttpError.js';
export { InvalidOptionError, isInvalidOptionError, OverlapError } from '@overlap/shared';
