/**
 * `@overlap/runner/telemetry`: OpenTelemetry set-up for processes that run agents: OTLP export to the
 * Overlap dashboard, Jaeger or any collector (also from the standard `OTEL_*` variables), and span starts
 * and ends and queued calls on the dashboard's live channel. Needs `@opentelemetry/sdk-node`, `@opentelemetry/sdk-trace`,
 * `@opentelemetry/resources`, the OTLP trace exporters and `socket.io-client` installed.
 *
 * @packageDocumentation
 */
export { startTelemetry, DEFAULT_SERVICE_NAME } from './startTelemetry.js';
export type { TelemetryHandle, TelemetryStats } from './startTelemetry.js';
export type { DashboardTarget, OtlpTarget, TelemetryOptions } from './TelemetryOptions.js';
export { DashboardLink } from './DashboardLink.js';
export { RUNNERS_NAMESPACE } from '@overlap/shared';
export type { LiveCounts, OfferedAgent, OfferedParameter, RunRequest, RunRequestHandler } from './DashboardLink.js';
export type { ExportCounts } from './CountingExporter.js';
export { readableSpanToRecord, hrTimeToNanos } from './readableSpanToRecord.js';
