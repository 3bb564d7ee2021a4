// The client side of the ingest benchmarks: the HTTP export path of OpenTelemetry's own OTLP exporters
// (`@opentelemetry/exporter-trace-otlp-proto` and `-http` in Node: node:http over a keep-alive agent,
// with their headers, timeout, retries and response parsing), given bodies that are already encoded, so
// that the client's encoding is not timed and what is timed is what an application's exporter waits for.
import { ExportResultCode } from '@opentelemetry/core';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { IExportTraceServiceResponse, IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';

export type Encoding = 'protobuf' | 'json';

/** Sends encoded `ExportTraceServiceRequest` bodies to one server, as an OTLP exporter sends them. */
export interface OtlpExportClient {
  /** Resolves once the server answered 2xx; rejects with the exporter's error otherwise. */
  send(body: Uint8Array): Promise<void>;
  /** Spans the server said it refused (`partialSuccess.rejectedSpans` of its answers), so far. */
  readonly rejectedSpans: number;
  shutdown(): Promise<void>;
}

/**
 * A client for `POST {baseUrl}v1/traces` in `encoding`, sending up to `concurrency` requests at once
 * (the exporters' `concurrencyLimit`); every body holds `spansPerBody` spans (for the exporter's own
 * self-observability counts, which are off unless a meter provider is set).
 */
export function otlpExportClient(baseUrl: string, encoding: Encoding, spansPerBody: number, concurrency = 30): OtlpExportClient {
  const contentType = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  const responses = encoding === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer;
  let rejectedSpans = 0;
  const serializer: ISerializer<Uint8Array, IExportTraceServiceResponse> = {
    serializeRequest: (body) => body,
    deserializeResponse: (data) => {
      const response = responses.deserializeResponse(data);
      rejectedSpans += Number(response.partialSuccess?.rejectedSpans ?? 0);
      return response;
    },
  };
  const options = convertLegacyHttpOptions(
    { url: `${baseUrl}v1/traces`, concurrencyLimit: concurrency, timeoutMillis: 30_000 },
    'TRACES',
    'v1/traces',
    { 'Content-Type': contentType },
  );
  const counts: IExporterMetricsHelper<Uint8Array> = { name: 'span', countItems: () => spansPerBody };
  const delegate = createOtlpHttpExportDelegate(options, serializer, 'otlp_http_span_exporter', counts, undefined);
  return {
    send: (body) =>
      new Promise<void>((resolve, reject) => {
        delegate.export(body, (result) => {
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error('the export failed'));
        });
      }),
    get rejectedSpans() {
      return rejectedSpans;
    },
    shutdown: () => delegate.shutdown(),
  };
}
