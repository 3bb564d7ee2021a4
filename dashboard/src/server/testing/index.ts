/**
 * `@overlap/dashboard/testing`: what tests and benchmarks need to play an OTLP/HTTP exporter against the
 * dashboard (binary protobuf requests in, protobuf responses back). Not part of the server's API.
 *
 * @packageDocumentation
 */
import type { OtlpExportTraceServiceRequest, OtlpExportTraceServiceResponse } from '@overlap/shared';
import { OtlpProtoTypes } from '../ingest/otlpProtoSchema.js';

/**
 * Encodes an OTLP/JSON-shaped `ExportTraceServiceRequest` as binary protobuf, as an exporter sends it.
 *
 * @example
 * ```ts
 * await fetch(`${url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeOtlpProtobufRequest(spansToOtlp(spans)) });
 * ```
 */
export function encodeOtlpProtobufRequest(request: OtlpExportTraceServiceRequest): Uint8Array {
  const type = OtlpProtoTypes.ExportTraceServiceRequest;
  return type.encode(type.fromObject(withIdBytes(request) as Record<string, unknown>)).finish();
}

/**
 * Decodes a binary `ExportTraceServiceResponse`, as an exporter reads the dashboard's answer.
 *
 * @example
 * ```ts
 * decodeOtlpProtobufResponse(new Uint8Array(await response.arrayBuffer())).partialSuccess?.rejectedSpans;
 * ```
 */
export function decodeOtlpProtobufResponse(bytes: Uint8Array): OtlpExportTraceServiceResponse {
  const type = OtlpProtoTypes.ExportTraceServiceResponse;
  return type.toObject(type.decode(bytes), { longs: String }) as OtlpExportTraceServiceResponse;
}

/** Copies a JSON-shaped request with hex ids turned into bytes, as protobufjs `fromObject` expects. */
function withIdBytes(request: OtlpExportTraceServiceRequest): unknown {
  const idBytes = (id: string | undefined): Buffer | undefined => (id === undefined || id === '' ? undefined : Buffer.from(id, 'hex'));
  return {
    resourceSpans: (request.resourceSpans ?? []).map((rs) => ({
      ...rs,
      scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).map((span) => ({
          ...span,
          traceId: idBytes(span.traceId),
          spanId: idBytes(span.spanId),
          parentSpanId: idBytes(span.parentSpanId),
          links: (span.links ?? []).map((link) => ({ ...link, traceId: idBytes(link.traceId), spanId: idBytes(link.spanId) })),
        })),
      })),
    })),
  };
}
