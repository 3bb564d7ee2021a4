import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/** An OTLP/HTTP destination for traces: a collector, Jaeger, another dashboard. */
export interface OtlpTarget {
  /** The traces URL, such as `http://localhost:4318/v1/traces`. */
  url: string;
  /**
   * Wire format.
   * @defaultValue 'http/protobuf'
   */
  protocol?: 'http/protobuf' | 'http/json';
  /** Extra HTTP headers, such as an `authorization` header. */
  headers?: Record<string, string>;
}

/** Where the Overlap dashboard is, for {@link TelemetryOptions.dashboard}. */
export interface DashboardTarget {
  /** Base URL of the dashboard, such as `http://127.0.0.1:16700`. */
  url: string;
  /** The dashboard's access token, if it requires one. */
  token?: string;
  /**
   * Also use the dashboard's live channel: span starts (running calls show as growing bars), span ends
   * (a bar stops within a frame or two of its call's end, before the OTLP batch arrives) and the calls
   * waiting at gates (drawn as growing queued bars, counted in the queue depth).
   * @defaultValue true
   */
  liveStarts?: boolean;
}

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /**
   * `service.name` of the traces. `OTEL_SERVICE_NAME` overrides it, so a deployment can rename a service
   * without a code change.
   * @defaultValue `OTEL_SERVICE_NAME`, else `overlap-app`
   */
  serviceName?: string;
  /**
   * The Overlap dashboard to send traces to (over OTLP/HTTP), and span starts and ends and queued calls (over its live channel).
   * @defaultValue the `OVERLAP_DASHBOARD_URL` environment variable, else none
   */
  dashboard?: string | DashboardTarget;
  /** More OTLP/HTTP destinations (a collector, Jaeger's port 4318...). */
  otlp?: OtlpTarget | OtlpTarget[];
  /**
   * Also export where the standard `OTEL_*` variables say: when `OTEL_TRACES_EXPORTER` names `otlp` or
   * `console`, or when an `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set.
   * Protocol, headers and batching follow `OTEL_EXPORTER_OTLP_*` and `OTEL_BSP_*`.
   * @defaultValue true
   */
  useEnvironment?: boolean;
  /** More span processors to register, such as one that records spans in memory. */
  spanProcessors?: SpanProcessor[];
  /** More resource attributes, such as `deployment.environment.name`. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /**
   * Flush on `beforeExit`, SIGINT and SIGTERM (then exit, unless the app has its own signal handlers).
   * @defaultValue true
   */
  flushOnExit?: boolean;
  /**
   * Where warnings go (an exporter that cannot reach its destination, spans dropped). Each kind of
   * warning is repeated at most once every 10 seconds.
   * @defaultValue console.warn
   */
  onWarning?: (message: string) => void;
}
