import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpExportTraceServiceRequest,
  OtlpExportTraceServiceResponse,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
} from '@overlap/shared';
import { ProtobufDecodeError } from '../errors/ProtobufDecodeError.js';
import { OtlpProtoTypes } from './otlpProtoSchema.js';

/** What protobufjs gives for a decoded message: its set fields as own properties. */
type Decoded = Record<string, unknown>;

/**
 * Decodes a binary protobuf `ExportTraceServiceRequest` into the OTLP/JSON shape: ids as lowercase hex,
 * 64-bit integers as decimal strings, other bytes as base64, enums as integers. Fields left unset by the
 * sender are absent. The result goes to `otlpToSpans` like a parsed JSON body.
 *
 * The decoder refuses messages nested past its recursion limit (protobufjs's, about 100 messages: some
 * 45 levels of attribute values), so the mapping here never recurses deeply.
 *
 * @throws {@link ProtobufDecodeError} when the bytes are not a valid message (truncated, wrong wire
 * types, nested past the decoder's stack); the caller answers 400.
 *
 * @example
 * ```ts
 * const { spans, rejected } = otlpToSpans(decodeOtlpProtobufRequest(body));
 * ```
 */
export function decodeOtlpProtobufRequest(bytes: Uint8Array): OtlpExportTraceServiceRequest {
  return otlpRequestOfMessage(decodeOtlpProtobufMessage(bytes));
}

/**
 * Decodes a binary protobuf `ExportTraceServiceRequest` as protobufjs does: its set fields as own
 * properties, ids and other bytes as `Uint8Array`s, 64-bit integers as protobufjs Longs.
 *
 * @throws {@link ProtobufDecodeError} when the bytes are not a valid message.
 */
export function decodeOtlpProtobufMessage(bytes: Uint8Array): Record<string, unknown> {
  try {
    return OtlpProtoTypes.DecodeExportTraceServiceRequest.decode(bytes) as unknown as Decoded;
  } catch (error) {
    throw new ProtobufDecodeError(error);
  }
}

/** A message from {@link decodeOtlpProtobufMessage} in the OTLP/JSON shape (see {@link decodeOtlpProtobufRequest}). */
export function otlpRequestOfMessage(message: Record<string, unknown>): OtlpExportTraceServiceRequest {
  return { resourceSpans: list(message.resourceSpans).map(toResourceSpans) };
}

/** Encodes an `ExportTraceServiceResponse` as binary protobuf. */
export function encodeOtlpProtobufResponse(response: OtlpExportTraceServiceResponse): Uint8Array {
  const type = OtlpProtoTypes.ExportTraceServiceResponse;
  return type.encode(type.fromObject(response as Decoded)).finish();
}

function toResourceSpans(m: Decoded): OtlpResourceSpans {
  const out: OtlpResourceSpans = { scopeSpans: list(m.scopeSpans).map(toScopeSpans) };
  if (has(m, 'resource')) {
    const resource = m.resource as Decoded;
    out.resource = { attributes: toKeyValues(resource.attributes) };
    if (has(resource, 'droppedAttributesCount')) out.resource.droppedAttributesCount = resource.droppedAttributesCount as number;
  }
  if (has(m, 'schemaUrl')) out.schemaUrl = m.schemaUrl as string;
  return out;
}

function toScopeSpans(m: Decoded): OtlpScopeSpans {
  const out: OtlpScopeSpans = { spans: list(m.spans).map(toSpan) };
  if (has(m, 'scope')) {
    const scope = m.scope as Decoded;
    const otlpScope: OtlpInstrumentationScope = { attributes: toKeyValues(scope.attributes) };
    if (has(scope, 'name')) otlpScope.name = scope.name as string;
    if (has(scope, 'version')) otlpScope.version = scope.version as string;
    if (has(scope, 'droppedAttributesCount')) otlpScope.droppedAttributesCount = scope.droppedAttributesCount as number;
    out.scope = otlpScope;
  }
  if (has(m, 'schemaUrl')) out.schemaUrl = m.schemaUrl as string;
  return out;
}

function toSpan(m: Decoded): OtlpSpan {
  const out: OtlpSpan = {
    traceId: hex(m.traceId),
    spanId: hex(m.spanId),
    name: has(m, 'name') ? (m.name as string) : '',
    startTimeUnixNano: has(m, 'startTimeUnixNano') ? decimal(m.startTimeUnixNano) : '0',
    attributes: toKeyValues(m.attributes),
    events: list(m.events).map(toEvent),
    links: list(m.links).map(toLink),
  };
  if (has(m, 'parentSpanId')) out.parentSpanId = hex(m.parentSpanId);
  if (has(m, 'traceState')) out.traceState = m.traceState as string;
  if (has(m, 'flags')) out.flags = m.flags as number;
  if (has(m, 'kind')) out.kind = m.kind as OtlpSpan['kind'];
  if (has(m, 'endTimeUnixNano')) out.endTimeUnixNano = decimal(m.endTimeUnixNano);
  if (has(m, 'droppedAttributesCount')) out.droppedAttributesCount = m.droppedAttributesCount as number;
  if (has(m, 'droppedEventsCount')) out.droppedEventsCount = m.droppedEventsCount as number;
  if (has(m, 'droppedLinksCount')) out.droppedLinksCount = m.droppedLinksCount as number;
  if (has(m, 'status')) {
    const status = m.status as Decoded;
    out.status = {};
    if (has(status, 'code')) out.status.code = status.code as 0 | 1 | 2;
    if (has(status, 'message')) out.status.message = status.message as string;
  }
  return out;
}

function toEvent(m: Decoded): OtlpEvent {
  const out: OtlpEvent = {
    timeUnixNano: has(m, 'timeUnixNano') ? decimal(m.timeUnixNano) : '0',
    name: has(m, 'name') ? (m.name as string) : '',
    attributes: toKeyValues(m.attributes),
  };
  if (has(m, 'droppedAttributesCount')) out.droppedAttributesCount = m.droppedAttributesCount as number;
  return out;
}

function toLink(m: Decoded): OtlpLink {
  const out: OtlpLink = { traceId: hex(m.traceId), spanId: hex(m.spanId), attributes: toKeyValues(m.attributes) };
  if (has(m, 'traceState')) out.traceState = m.traceState as string;
  if (has(m, 'droppedAttributesCount')) out.droppedAttributesCount = m.droppedAttributesCount as number;
  if (has(m, 'flags')) out.flags = m.flags as number;
  return out;
}

function toKeyValues(value: unknown): OtlpKeyValue[] {
  return list(value).map((kv) => {
    const out: OtlpKeyValue = { key: has(kv, 'key') ? (kv.key as string) : '' };
    if (has(kv, 'value')) out.value = toAnyValue(kv.value as Decoded);
    return out;
  });
}

function toAnyValue(m: Decoded): OtlpAnyValue {
  if (has(m, 'stringValue')) return { stringValue: m.stringValue as string };
  if (has(m, 'boolValue')) return { boolValue: m.boolValue as boolean };
  if (has(m, 'intValue')) return { intValue: decimal(m.intValue) };
  if (has(m, 'doubleValue')) {
    const value = m.doubleValue as number;
    return { doubleValue: Number.isFinite(value) && !Object.is(value, -0) ? value : Object.is(value, -0) ? '-0' : String(value) };
  }
  if (has(m, 'arrayValue')) return { arrayValue: { values: list((m.arrayValue as Decoded).values).map(toAnyValue) } };
  if (has(m, 'kvlistValue')) return { kvlistValue: { values: toKeyValues((m.kvlistValue as Decoded).values) } };
  if (has(m, 'bytesValue')) return { bytesValue: bytesOf(m.bytesValue).toString('base64') };
  return {};
}

function has(m: Decoded, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

function list(value: unknown): Decoded[] {
  return Array.isArray(value) ? (value as Decoded[]) : [];
}

function bytesOf(value: unknown): Buffer {
  const bytes = value as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lowercase hex of an id (a table lookup per byte: ids are short and there are three per span). */
function hex(value: unknown): string {
  if (!(value instanceof Uint8Array)) return '';
  let out = '';
  for (let i = 0; i < value.length; i++) out += HEX_BYTES[value[i] as number];
  return out;
}

/**
 * A protobufjs Long (or a plain number, when long.js is absent) as a decimal string. Goes through BigInt,
 * several times faster than `Long#toString` for the 19-digit nanosecond times every span carries.
 */
function decimal(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const { low, high, unsigned } = value as { low: number; high: number; unsigned?: boolean };
  if (high === 0 && low >= 0) return String(low);
  const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return (unsigned === true ? bits : BigInt.asIntN(64, bits)).toString();
}
