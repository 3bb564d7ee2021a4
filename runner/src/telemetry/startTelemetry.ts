import { DiagLogLevel, diag, trace, type DiagLogger, type TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { DEFAULT_DASHBOARD_URL } from '@overlap/shared';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { CountingExporter, type ExportCounts } from './CountingExporter.js';
import { DashboardLink, type LiveCounts } from './DashboardLink.js';
import { environmentExporters } from './environmentExporters.js';
import { RateLimitedWarnings } from './RateLimitedWarnings.js';
import type { DashboardTarget, OtlpTarget, TelemetryOptions } from './TelemetryOptions.js';
import { DEFAULT_SERVICE_NAME } from './defaultServiceName.js';

/** What {@link startTelemetry} has delivered and lost so far. */
export interface TelemetryStats {
  /** Per destination: spans exported and spans lost to failures. */
  destinations: Array<{ destination: string } & ExportCounts>;
  /** Spans dropped before export because a batch queue was full (a destination too slow or down). */
  droppedFromQueue: number;
  /** The dashboard's live channel, when one is used. */
  live: LiveCounts | undefined;
}

/** A running telemetry set-up. */
export interface TelemetryHandle {
  /** The `service.name` in use. */
  readonly serviceName: string;
  /** Where traces go. */
  readonly destinations: readonly string[];
  /** The registered tracer provider. */
  readonly tracerProvider: TracerProvider;
  /** The dashboard's live channel, when a dashboard is set; `undefined` otherwise. */
  readonly dashboard: DashboardLink | undefined;
  stats(): TelemetryStats;
  /** Sends everything buffered now; resolves (never rejects) when every destination has answered or failed. */
  forceFlush(): Promise<void>;
  /** Flushes and stops; spans after this go nowhere. Calling it twice is harmless. */
  shutdown(): Promise<void>;
}

export { DEFAULT_SERVICE_NAME };
/** How long a flush on exit may take before the process exits anyway. */
const EXIT_FLUSH_TIMEOUT_MS = 3_000;

function dashboardTarget(option: TelemetryOptions['dashboard'], env: NodeJS.ProcessEnv): DashboardTarget | undefined {
  const value = option ?? (env.OVERLAP_DASHBOARD_URL ? { url: env.OVERLAP_DASHBOARD_URL, token: env.OVERLAP_DASHBOARD_TOKEN } : undefined);
  if (value === undefined) return undefined;
  const target = typeof value === 'string' ? { url: value } : value;
  try {
    new URL(target.url);
  } catch {
    throw new InvalidOptionError('startTelemetry.dashboard', `a URL such as ${DEFAULT_DASHBOARD_URL}`, target.url);
  }
  return target;
}

function otlpTargets(option: TelemetryOptions['otlp']): OtlpTarget[] {
  const targets = option === undefined ? [] : Array.isArray(option) ? option : [option];
  targets.forEach((t, i) => {
    try {
      new URL(t.url);
    } catch {
      throw new InvalidOptionError(`startTelemetry.otlp[${i}].url`, 'a URL such as http://localhost:4318/v1/traces', t?.url);
    }
    if (t.protocol !== undefined && t.protocol !== 'http/protobuf' && t.protocol !== 'http/json') {
      throw new InvalidOptionError(`startTelemetry.otlp[${i}].protocol`, "'http/protobuf' or 'http/json'", t.protocol);
    }
  });
  return targets;
}

/**
 * Sets up OpenTelemetry for a process that runs agents (on `@opentelemetry/sdk-node`) and registers it
 * globally, so every `Runner` without its own tracer records. Traces go, over the official OTLP
 * exporters, to the Overlap dashboard, to any OTLP endpoints given (Jaeger, a collector), and to where
 * the standard `OTEL_*` variables say, all at once. A destination that is down costs a rate-limited
 * warning and the spans meant for it (counted in {@link TelemetryHandle.stats}): never a crash, and
 * never unbounded memory, since every batch queue is bounded.
 *
 * @example
 * ```ts
 * import { startTelemetry } from '@overlap/runner/telemetry';
 * const telemetry = await startTelemetry({
 *   serviceName: 'support-bot',
 *   dashboard: 'http://127.0.0.1:16700',
 *   otlp: { url: 'http://jaeger.internal:4318/v1/traces' },
 * });
 * // ... run agents ...
 * await telemetry.shutdown();
 * ```
 */
export async function startTelemetry(options: TelemetryOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<TelemetryHandle> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('startTelemetry options', 'an object', options);
  const warnings = new RateLimitedWarnings(options.onWarning ?? ((m) => console.warn(`[overlap telemetry] ${m}`)));
  const warn = (message: string, kind?: string) => warnings.warn(message, kind);
  const serviceName = env.OTEL_SERVICE_NAME || options.serviceName || DEFAULT_SERVICE_NAME;
  const dashboard = dashboardTarget(options.dashboard, env);
  const targets = otlpTargets(options.otlp);

  const counted: CountingExporter[] = [];
  const processors: SpanProcessor[] = [];
  const batch = (destination: string, exporter: SpanExporter, scheduledDelayMillis?: number): void => {
    const counting = new CountingExporter(destination, exporter, warn);
    counted.push(counting);
    processors.push(new BatchSpanProcessor(scheduledDelayMillis === undefined ? { exporter: counting } : { exporter: counting, scheduledDelayMillis }));
  };

  let link: DashboardLink | undefined;
  if (dashboard !== undefined) {
    const base = dashboard.url.replace(/\/+$/, '');
    const headers: Record<string, string> = dashboard.token ? { authorization: `Bearer ${dashboard.token}` } : {};
    if (dashboard.liveStarts ?? true) {
      link = new DashboardLink(base, dashboard.token, warn, serviceName);
      processors.push(link);
    }
    // A short batch delay: the dashboard is a live view.
    batch(`${base}/v1/traces`, new OtlpProtoExporter({ url: `${base}/v1/traces`, headers }), 200);
  }
  for (const target of targets) {
    const exporter =
      target.protocol === 'http/json'
        ? new OtlpHttpJsonExporter({ url: target.url, headers: target.headers ?? {} })
        : new OtlpProtoExporter({ url: target.url, headers: target.headers ?? {} });
    batch(target.url, exporter);
  }
  if (options.useEnvironment ?? true) {
    for (const named of await environmentExporters(env, (m) => warn(m))) {
      if (named.batched) batch(named.destination, named.exporter);
      else {
        const counting = new CountingExporter(named.destination, named.exporter, warn);
        counted.push(counting);
        processors.push(new SimpleSpanProcessor({ exporter: counting }));
      }
    }
  }
  processors.push(...(options.spanProcessors ?? []));
  if (counted.length === 0 && processors.length === 0) warn('no trace destination: set `dashboard`, `otlp`, or the OTEL_EXPORTER_OTLP_* variables');

  // Route the SDK's own warnings (a batch queue overflowing, an exporter error) to `warn`, and count
  // dropped spans, unless the user chose their own diagnostics with OTEL_LOG_LEVEL.
  let droppedFromQueue = 0;
  if (!env.OTEL_LOG_LEVEL) {
    const forward = (message: string): void => {
      const dropped = /Dropped (\d+) spans/.exec(message);
      if (dropped) droppedFromQueue += Number(dropped[1]);
      warn(message.slice(0, 300), message.slice(0, 40));
    };
    const logger: DiagLogger = {
      error: forward,
      warn: forward,
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  }

  // Detect the resource (OTEL_RESOURCE_ATTRIBUTES, process, host) before starting, and wait for its
  // asynchronous parts, so no span is read while they are still pending.
  const detected = detectResources({ detectors: [envDetector, processDetector, hostDetector] });
  await detected.waitForAsyncAttributes?.();
  const sdk = new NodeSDK({
    serviceName,
    resource: defaultResource().merge(resourceFromAttributes(options.resourceAttributes ?? {})).merge(detected),
    autoDetectResources: false,
    spanProcessors: processors,
    instrumentations: [],
    // This set-up is about traces. The SDK would otherwise export metrics and logs to localhost:4318
    // by default; it still does whatever OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER ask, when set.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();

  let stopped: Promise<void> | undefined;
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  const beforeExit = (): void => void handle.shutdown();
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
      process.removeListener('beforeExit', beforeExit);
      await sdk.shutdown().catch((error: unknown) => warn(`shutdown: ${(error as Error).message}`));
      await link?.shutdown();
    })();
    return stopped;
  };

  const handle: TelemetryHandle = {
    serviceName,
    destinations: counted.map((c) => c.destination),
    tracerProvider: trace.getTracerProvider(),
    dashboard: link,
    stats: () => ({
      destinations: counted.map((c) => ({ destination: c.destination, ...c.counts })),
      droppedFromQueue,
      live: link?.counts,
    }),
    // A destination that fails has already been counted and warned about; flushing never throws.
    forceFlush: async () => {
      await Promise.allSettled(processors.map((p) => p.forceFlush()));
    },
    shutdown,
  };

  if (options.flushOnExit ?? true) {
    process.once('beforeExit', beforeExit);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        const timer = setTimeout(() => process.exit(130), EXIT_FLUSH_TIMEOUT_MS);
        timer.unref();
        void shutdown().then(() => {
          // Exit as the signal would have, unless the app listens for it and decides for itself.
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
      };
      signalHandlers.set(signal, handler);
      process.once(signal, handler);
    }
  }
  return handle;
}
