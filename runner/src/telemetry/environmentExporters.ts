import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';

/** An exporter the environment asks for, with a name for messages. */
export interface NamedExporter {
  destination: string;
  exporter: SpanExporter;
  /** Console exporters go through a simple processor, the rest are batched. */
  batched: boolean;
}

function envList(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/**
 * The exporters the standard `OTEL_*` variables ask for. Unlike the OpenTelemetry SDK's own default,
 * an OTLP exporter is added only when asked for (`OTEL_TRACES_EXPORTER` names `otlp`, or an OTLP
 * endpoint variable is set), so an app that only watches the dashboard does not warn about a
 * collector on localhost:4318 that nobody runs. The exporters read their endpoint, headers, timeout and
 * compression from the `OTEL_EXPORTER_OTLP_*` variables themselves.
 */
export async function environmentExporters(env: NodeJS.ProcessEnv, warn: (message: string) => void): Promise<NamedExporter[]> {
  const names = envList(env, 'OTEL_TRACES_EXPORTER');
  if (names.includes('none')) return [];
  const endpointSet = Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const exporters: NamedExporter[] = [];
  if (names.includes('otlp') || (names.length === 0 && endpointSet)) {
    const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
    const destination = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318';
    if (protocol === 'http/json') exporters.push({ destination, exporter: new OtlpHttpJsonExporter(), batched: true });
    else if (protocol === 'grpc') {
      try {
        const grpc = await import('@opentelemetry/exporter-trace-otlp-grpc');
        exporters.push({ destination, exporter: new grpc.OTLPTraceExporter(), batched: true });
      } catch {
        warn('OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs @opentelemetry/exporter-trace-otlp-grpc installed; traces go over http/protobuf instead');
        exporters.push({ destination, exporter: new OtlpProtoExporter(), batched: true });
      }
    } else {
      if (protocol !== 'http/protobuf') warn(`unsupported OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}"; using http/protobuf`);
      exporters.push({ destination, exporter: new OtlpProtoExporter(), batched: true });
    }
  }
  if (names.includes('console')) exporters.push({ destination: 'console', exporter: new ConsoleSpanExporter(), batched: false });
  for (const name of names) {
    if (name !== 'otlp' && name !== 'console' && name !== 'none') warn(`OTEL_TRACES_EXPORTER "${name}" is not supported here and was skipped`);
  }
  return exporters;
}
