/**
 * `@overlap/dashboard`: the dashboard's server. OTLP/HTTP trace ingest, a trace store (in memory, or in an SQLite file), a REST
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
export { DEFAULT_MAX_SPANS, DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES } from './store/traceStoreLimits.js';
export { MemoryTraceStore } from './store/MemoryTraceStore.js';
export type { MemoryTraceStoreOptions } from './store/MemoryTraceStore.js';
export { SqliteTraceStore } from './store/SqliteTraceStore.js';
export type { SqliteTraceStoreOptions } from './store/SqliteTraceStore.js';
export { STORE_MIGRATIONS, STORE_SCHEMA_VERSION } from './store/sqliteSchema.js';
export type { StoreMigration } from './store/sqliteSchema.js';
export { StoreCorruptError, isStoreCorruptError } from './store/errors/StoreCorruptError.js';
export { StoreOpenError, isStoreOpenError } from './store/errors/StoreOpenError.js';
export { StoreVersionError, isStoreVersionError } from './store/errors/StoreVersionError.js';
export type {
  CachedSummary,
  TraceChange,
  TraceFilter,
  TraceIdPage,
  TraceInfo,
  TraceKey,
  TraceStore,
  TraceStoreAddResult,
  TraceStoreChange,
  TraceStoreLimits,
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
export { UnsafeExposureError, isUnsafeExposureError } from './errors/UnsafeExposureError.js';
export { ProtobufDecodeError, isProtobufDecodeError } from './errors/ProtobufDecodeError.js';
export { HostAllowList } from './security/HostAllowList.js';
export { LOOPBACK_HOST_NAMES, hostNameOf, isLoopbackHost } from './security/hostNames.js';
export { OriginPolicy, normalizeOrigin } from './security/OriginPolicy.js';
export type { RequestSource } from './security/OriginPolicy.js';
export { DEFAULT_MAX_INGEST_QUEUE, INGEST_RETRY_AFTER_S, IngestQueue } from './ingest/IngestQueue.js';
export { InvalidOptionError, isInvalidOptionError, OverlapError } from '@overlap/shared';
