/**
 * TypeScript types of the OTLP/JSON encoding of `ExportTraceServiceRequest` and its response, as the
 * OTLP specification's "JSON Protobuf Encoding" section defines it: the proto3 JSON mapping with
 * lowerCamelCase keys, trace and span ids as case-insensitive **hex** strings (not base64), enums as
 * **integers**, 64-bit integers as decimal strings (numbers are accepted when decoding), and other
 * byte arrays as base64.
 *
 * The types describe what a well-formed sender writes; {@link otlpToSpans} accepts `unknown` and
 * tolerates the deviations real senders make (numbers for times, enum names, missing fields).
 *
 * @packageDocumentation
 */

/** A 64-bit integer in OTLP/JSON: a decimal string (what encoders write) or a number (accepted too). */
export type OtlpInt64 = string | number;

/** A value of an attribute: exactly one field is set; none set means an empty (null) value. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: OtlpInt64;
  /** A number, or `"NaN"`, `"Infinity"`, `"-Infinity"` as the proto3 JSON mapping writes non-finite doubles. */
  doubleValue?: number | string;
  arrayValue?: OtlpArrayValue;
  kvlistValue?: OtlpKeyValueList;
  /** Base64. */
  bytesValue?: string;
}

/** A list of values (an array attribute). */
export interface OtlpArrayValue {
  values?: OtlpAnyValue[];
}

/** A list of key-value pairs (a map attribute). */
export interface OtlpKeyValueList {
  values?: OtlpKeyValue[];
}

/** One attribute. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/** The entity (process, host...) that produced the spans (`opentelemetry.proto.resource.v1.Resource`). */
export interface OtlpResource {
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

/** The instrumentation library that produced the spans (`opentelemetry.proto.common.v1.InstrumentationScope`). */
export interface OtlpInstrumentationScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

/** Values of `Span.kind` (`opentelemetry.proto.trace.v1.Span.SpanKind`). */
export const OtlpSpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** One of the values of {@link OtlpSpanKind}. */
export type OtlpSpanKind = (typeof OtlpSpanKind)[keyof typeof OtlpSpanKind];

/** Values of `Status.code` (`opentelemetry.proto.trace.v1.Status.StatusCode`). */
export const OtlpStatusCode = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;

/** One of the values of {@link OtlpStatusCode}. */
export type OtlpStatusCode = (typeof OtlpStatusCode)[keyof typeof OtlpStatusCode];

/** The status of a span. */
export interface OtlpStatus {
  message?: string;
  code?: OtlpStatusCode;
}

/** A timestamped event on a span (`Span.Event`). */
export interface OtlpEvent {
  timeUnixNano: OtlpInt64;
  name: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

/** A link to another span (`Span.Link`). */
export interface OtlpLink {
  /** 32 hex characters. */
  traceId: string;
  /** 16 hex characters. */
  spanId: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  /** W3C trace flags in the low 8 bits, plus the `is_remote` bits (fixed32). */
  flags?: number;
}

/** One span (`opentelemetry.proto.trace.v1.Span`). */
export interface OtlpSpan {
  /** 32 hex characters, not all zero. */
  traceId: string;
  /** 16 hex characters, not all zero. */
  spanId: string;
  traceState?: string;
  /** 16 hex characters; empty or absent for a root span. */
  parentSpanId?: string;
  /** W3C trace flags in the low 8 bits, plus the `is_remote` bits (fixed32). */
  flags?: number;
  name: string;
  kind?: OtlpSpanKind;
  /** Nanoseconds since the Unix epoch. */
  startTimeUnixNano: OtlpInt64;
  /** Nanoseconds since the Unix epoch; `"0"` or absent for a span that has not ended (Overlap's in-flight spans). */
  endTimeUnixNano?: OtlpInt64;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  links?: OtlpLink[];
  droppedLinksCount?: number;
  status?: OtlpStatus;
}

/** Spans of one instrumentation scope. */
export interface OtlpScopeSpans {
  scope?: OtlpInstrumentationScope;
  spans?: OtlpSpan[];
  schemaUrl?: string;
}

/** Spans of one resource. */
export interface OtlpResourceSpans {
  resource?: OtlpResource;
  scopeSpans?: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** The body of an OTLP trace export (`opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`). */
export interface OtlpExportTraceServiceRequest {
  resourceSpans?: OtlpResourceSpans[];
}

/** Details of a partially accepted export (`ExportTracePartialSuccess`). */
export interface OtlpExportTracePartialSuccess {
  rejectedSpans?: OtlpInt64;
  errorMessage?: string;
}

/** The answer to an OTLP trace export (`ExportTraceServiceResponse`); empty on full success. */
export interface OtlpExportTraceServiceResponse {
  partialSuccess?: OtlpExportTracePartialSuccess;
}
