/**
 * The protobuf schema of OTLP trace export: generated at build time from the official opentelemetry-proto
 * files (`collector/trace/v1/trace_service.proto` and the files it imports; see
 * `scripts/generate-otlp-descriptor.mjs`), plus `google.rpc.Status` and `google.rpc.BadRequest` for error
 * bodies, which are Google's and not part of opentelemetry-proto.
 *
 * Field names are the lowerCamelCase names of the OTLP JSON encoding, so a decoded message has the keys
 * of OTLP/JSON. Protobuf skips fields it does not know when decoding, so newer senders still decode.
 *
 * @packageDocumentation
 */
import protobuf from 'protobufjs';
import { otlpTraceDescriptor } from './generated/otlpTraceDescriptor.js';

/** `google.rpc.Status` and `google.rpc.BadRequest`, the bodies of OTLP/HTTP failures. */
const googleRpcDescriptor = {
  google: {
    nested: {
      protobuf: {
        nested: {
          Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
        },
      },
      rpc: {
        nested: {
          Status: {
            fields: {
              code: { type: 'int32', id: 1 },
              message: { type: 'string', id: 2 },
              details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
            },
          },
          BadRequest: {
            fields: { fieldViolations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
            nested: {
              FieldViolation: { fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } } },
            },
          },
        },
      },
    },
  },
};

/** protobufjs JSON descriptor of the messages above. */
export const otlpProtoDescriptor = {
  nested: { ...(structuredClone(otlpTraceDescriptor) as unknown as { nested: Record<string, unknown> }).nested, ...googleRpcDescriptor },
} as protobuf.INamespace & { nested: Record<string, unknown> };

/** The schema above as a protobufjs root. */
export const otlpProtoRoot: protobuf.Root = protobuf.Root.fromJSON(otlpProtoDescriptor);

/** The message types the dashboard encodes and decodes. */
/**
 * The same schema for decoding requests, with AnyValue's fields declared as plain fields instead of the
 * `value` oneof. They read the same bytes, and a decoded value still owns exactly the field that was on
 * the wire; but protobufjs's oneof bookkeeping, which deletes the six unset fields from every decoded
 * value, costs about a third of decoding time. (Encoding keeps the oneof: it is what writes a `false`
 * or a `0` that a plain proto3 field would leave out.)
 */
const otlpDecodeRoot: protobuf.Root = protobuf.Root.fromJSON(withoutAnyValueOneof(otlpProtoDescriptor));

function withoutAnyValueOneof(descriptor: protobuf.INamespace): protobuf.INamespace {
  const copy = structuredClone(descriptor) as { nested: Record<string, unknown> };
  const anyValue = (copy.nested.opentelemetry as { nested: { proto: { nested: { common: { nested: { v1: { nested: { AnyValue: { oneofs?: unknown } } } } } } } } })
    .nested.proto.nested.common.nested.v1.nested.AnyValue;
  delete anyValue.oneofs;
  // proto2 fields have explicit presence: a `false`, `0` or `""` on the wire is kept, not taken for "unset".
  (anyValue as { edition?: string }).edition = 'proto2';
  return copy as protobuf.INamespace;
}

export const OtlpProtoTypes = {
  ExportTraceServiceRequest: otlpProtoRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  /** For decoding requests only; see {@link otlpDecodeRoot}. */
  DecodeExportTraceServiceRequest: otlpDecodeRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  ExportTraceServiceResponse: otlpProtoRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  RpcStatus: otlpProtoRoot.lookupType('google.rpc.Status'),
  BadRequest: otlpProtoRoot.lookupType('google.rpc.BadRequest'),
} as const;
