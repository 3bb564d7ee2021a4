import { UNKNOWN_SERVICE_NAME } from '@overlap/shared';
import type {
  AttributeValue,
  Attributes,
  ResourceRecord,
  ScopeRecord,
  SpanEventRecord,
  SpanKindName,
  SpanLinkRecord,
  SpanRecord,
  StatusCodeName,
} from '@overlap/shared';
import { internString } from './internString.js';

/** What protobufjs gives for a decoded message: its set fields as own properties. */
type Decoded = Record<string, unknown>;

/** Deepest attribute nesting this fast path reads; deeper values go the general way (which refuses past 64). */
const MAX_FAST_DEPTH = 8;

const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
export const STATUS_NAMES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

/**
 * Shared by every span without events, links, or a status message: records are read-only (see
 * `otlpToSpans`), and a store of many spans would otherwise hold one empty array and one status object
 * per span. The arrays are frozen, so a caller that breaks the rule fails loudly instead of changing
 * every span.
 */
export const NO_EVENTS = Object.freeze([]) as unknown as SpanEventRecord[];
export const NO_LINKS = Object.freeze([]) as unknown as SpanLinkRecord[];
export const STATUS_OF: Record<StatusCodeName, SpanRecord['status']> = { unset: { code: 'unset' }, ok: { code: 'ok' }, error: { code: 'error' } };

/**
 * Makers of plain attribute objects (their prototype is `Object.prototype`, as an object literal's:
 * nothing tells them apart). Objects made by `new` are sized by V8 to the properties the first ones
 * received ("slack tracking"), so a span's eight attributes sit inside the object; an object literal
 * `{}` has room for four and keeps the rest in an extra array. One maker per use, since each is sized
 * for the most properties its objects got (spans have several attributes, events one or two).
 */
export function SpanAttributes(): void {}
SpanAttributes.prototype = Object.prototype;
export function EventAttributes(): void {}
EventAttributes.prototype = Object.prototype;

/** Thrown inside the fast path to hand the request to the general one. */
const FALL_BACK = Symbol('fall back');

/**
 * The span records of a decoded protobuf `ExportTraceServiceRequest` (as protobufjs decodes it with the
 * schema of `otlpProtoSchema.ts`), built straight from the decoded message: exactly what
 * `otlpToSpans(decodeOtlpProtobufRequest(...))` gives, without the OTLP/JSON objects in between and their
 * validation by `otlpToSpans`, which cost more than the decoding.
 *
 * It takes the common case only: every span valid (ids of the right length, not zero; a start time),
 * attribute values nested at most 8 deep. For any other request it returns `undefined`, and the caller
 * goes the general way, which rejects spans one by one with their reasons.
 *
 * Repeated strings (span and event names, attribute string values, ids repeated within a request) are
 * shared, so a store holding many spans holds each such string once (see {@link internString}).
 *
 * @example
 * ```ts
 * const spans = protobufToSpans(message) ?? otlpToSpans(toOtlpJson(message)).spans;
 * ```
 */
export function protobufToSpans(message: Decoded): SpanRecord[] | undefined {
  const spans: SpanRecord[] = [];
  try {
    const ids = new IdStrings();
    for (const resourceSpans of list(message.resourceSpans)) {
      const resource = readResource(resourceSpans);
      for (const scopeSpans of list(resourceSpans.scopeSpans)) {
        const scope = readScope(scopeSpans);
        for (const span of list(scopeSpans.spans)) spans.push(readSpan(span, resource, scope, ids));
      }
    }
  } catch (error) {
    if (error === FALL_BACK) return undefined;
    throw error;
  }
  return spans;
}

function readSpan(m: Decoded, resource: ResourceRecord, scope: ScopeRecord, ids: IdStrings): SpanRecord {
  const traceId = ids.traceId(m.traceId);
  const spanId = ids.spanId(m.spanId);
  let parentSpanId: string | undefined;
  if (has(m, 'parentSpanId')) {
    const bytes = m.parentSpanId as Uint8Array;
    if (bytes.length !== 8) throw FALL_BACK;
    if (!isZero(bytes)) parentSpanId = ids.parentSpanId(bytes);
  }
  if (!has(m, 'startTimeUnixNano')) throw FALL_BACK;
  const startTimeUnixNano = decimal(m.startTimeUnixNano);
  const endTimeUnixNano = has(m, 'endTimeUnixNano') ? decimal(m.endTimeUnixNano) : undefined;
  const attributes = readKeyValues(m.attributes, 0, new (SpanAttributes as unknown as new () => Attributes)());
  // Arrays made at their final length (an array grown by push keeps room for 17 elements).
  const eventList = list(m.events);
  let events: SpanEventRecord[] = eventList.length === 0 ? NO_EVENTS : eventList.map(readEvent) as SpanEventRecord[];
  const droppedEvents = events.length - countDefined(events);
  if (droppedEvents > 0) events = events.filter((event) => event !== undefined);
  const linkList = list(m.links);
  let links: SpanLinkRecord[] = linkList.length === 0 ? NO_LINKS : linkList.map(readLink) as SpanLinkRecord[];
  const droppedLinks = links.length - countDefined(links);
  if (droppedLinks > 0) links = links.filter((link) => link !== undefined);
  // Unset fields read as protobufjs's defaults, on the message's prototype: '' for strings, 0 for numbers, null for messages.
  const name = internString(m.name as string);
  const kind = KIND_NAMES[m.kind as number] ?? 'unspecified';
  const status = readStatus(m);
  // One literal per shape, keys in the order `otlpToSpans` writes them, so each record is laid out once.
  let record: SpanRecord;
  if (parentSpanId !== undefined) {
    record =
      endTimeUnixNano !== undefined
        ? { traceId, spanId, name, kind, startTimeUnixNano, attributes, events, links, status, resource, scope, parentSpanId, endTimeUnixNano }
        : { traceId, spanId, name, kind, startTimeUnixNano, attributes, events, links, status, resource, scope, parentSpanId };
  } else {
    record =
      endTimeUnixNano !== undefined
        ? { traceId, spanId, name, kind, startTimeUnixNano, attributes, events, links, status, resource, scope, endTimeUnixNano }
        : { traceId, spanId, name, kind, startTimeUnixNano, attributes, events, links, status, resource, scope };
  }
  if (m.traceState !== '') record.traceState = m.traceState as string;
  if (m.flags !== 0) record.flags = m.flags as number;
  const droppedAttributesCount = m.droppedAttributesCount as number;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  const droppedEventsCount = (m.droppedEventsCount as number) + droppedEvents;
  if (droppedEventsCount > 0) record.droppedEventsCount = droppedEventsCount;
  const droppedLinksCount = (m.droppedLinksCount as number) + droppedLinks;
  if (droppedLinksCount > 0) record.droppedLinksCount = droppedLinksCount;
  return record;
}

function readEvent(m: Decoded): SpanEventRecord | undefined {
  // An event without a time (zero or absent: protobuf cannot tell them apart) is dropped and counted.
  if (!has(m, 'timeUnixNano')) return undefined;
  const timeUnixNano = decimal(m.timeUnixNano);
  const name = has(m, 'name') ? internString(m.name as string) : '';
  const record: SpanEventRecord = { name, timeUnixNano, attributes: shareSmallAttributes(readKeyValues(m.attributes, 0, new (EventAttributes as unknown as new () => Attributes)())) };
  if (has(m, 'droppedAttributesCount') && (m.droppedAttributesCount as number) > 0) record.droppedAttributesCount = m.droppedAttributesCount as number;
  return record;
}

function readLink(m: Decoded): SpanLinkRecord | undefined {
  const traceId = has(m, 'traceId') ? (m.traceId as Uint8Array) : undefined;
  const spanId = has(m, 'spanId') ? (m.spanId as Uint8Array) : undefined;
  if (traceId === undefined || spanId === undefined || traceId.length !== 16 || spanId.length !== 8 || isZero(traceId) || isZero(spanId)) return undefined;
  const record: SpanLinkRecord = { traceId: hex(traceId), spanId: hex(spanId), attributes: readKeyValues(m.attributes, 0) };
  if (has(m, 'traceState')) record.traceState = m.traceState as string;
  if (has(m, 'droppedAttributesCount') && (m.droppedAttributesCount as number) > 0) record.droppedAttributesCount = m.droppedAttributesCount as number;
  if (has(m, 'flags')) record.flags = m.flags as number;
  return record;
}

function readStatus(m: Decoded): SpanRecord['status'] {
  const status = m.status as Decoded | null | undefined;
  if (status === null || status === undefined) return STATUS_OF.unset;
  const code = STATUS_NAMES[status.code as number] ?? 'unset';
  return status.message !== '' ? { code, message: status.message as string } : STATUS_OF[code];
}

function countDefined(values: readonly unknown[]): number {
  let count = 0;
  for (const value of values) if (value !== undefined) count++;
  return count;
}

function readResource(resourceSpans: Decoded): ResourceRecord {
  const resource = has(resourceSpans, 'resource') ? (resourceSpans.resource as Decoded) : undefined;
  const attributes = resource === undefined ? {} : readKeyValues(resource.attributes, 0);
  const serviceName = attributes['service.name'];
  const record: ResourceRecord = { serviceName: typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE_NAME, attributes };
  if (resource !== undefined && has(resource, 'droppedAttributesCount') && (resource.droppedAttributesCount as number) > 0) {
    record.droppedAttributesCount = resource.droppedAttributesCount as number;
  }
  if (has(resourceSpans, 'schemaUrl')) record.schemaUrl = resourceSpans.schemaUrl as string;
  return record;
}

function readScope(scopeSpans: Decoded): ScopeRecord {
  const scope = has(scopeSpans, 'scope') ? (scopeSpans.scope as Decoded) : undefined;
  const record: ScopeRecord = { name: scope !== undefined && has(scope, 'name') ? (scope.name as string) : '' };
  if (scope !== undefined) {
    if (has(scope, 'version')) record.version = scope.version as string;
    const attributes = readKeyValues(scope.attributes, 0);
    if (Object.keys(attributes).length > 0) record.attributes = attributes;
    if (has(scope, 'droppedAttributesCount') && (scope.droppedAttributesCount as number) > 0) record.droppedAttributesCount = scope.droppedAttributesCount as number;
  }
  if (has(scopeSpans, 'schemaUrl')) record.schemaUrl = scopeSpans.schemaUrl as string;
  return record;
}

function readKeyValues(value: unknown, depth: number, attributes: Attributes = {}): Attributes {
  for (const kv of list(value)) {
    const key = kv.key as string;
    const value = kv.value as Decoded | null | undefined;
    const read = value === null || value === undefined ? null : readAnyValue(value, depth);
    // As `setOwn`: a key such as `__proto__` is data, not the prototype.
    if (key === '__proto__') Object.defineProperty(attributes, key, { value: read, enumerable: true, writable: true, configurable: true });
    else attributes[key] = read;
  }
  return attributes;
}

/** An AnyValue as `fromOtlpAnyValue(toOtlpAnyValue(...))` reads it: the first field set, in the oneof's order. */
function readAnyValue(m: Decoded, depth: number): AttributeValue {
  if (depth > MAX_FAST_DEPTH) throw FALL_BACK;
  if (has(m, 'stringValue')) return internString(m.stringValue as string);
  if (has(m, 'boolValue')) return m.boolValue as boolean;
  if (has(m, 'intValue')) return intValue(m.intValue);
  if (has(m, 'doubleValue')) return m.doubleValue as number;
  if (has(m, 'arrayValue')) return shareSmallArray(list((m.arrayValue as Decoded).values).map((item) => readAnyValue(item, depth + 1)));
  if (has(m, 'kvlistValue')) return readKeyValues((m.kvlistValue as Decoded).values, depth + 1);
  if (has(m, 'bytesValue')) {
    const bytes = m.bytesValue as Uint8Array;
    return { bytesBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
  return null;
}

/** An int64 (a protobufjs Long, or a number without long.js) as a number, rounded as `Number(decimal)` rounds. */
function intValue(value: unknown): number {
  if (typeof value === 'number') return value;
  const { low, high } = value as { low: number; high: number };
  if (high === 0 && low >= 0) return low;
  if (high === -1 && low < 0) return low;
  return Number(BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)));
}

/** Most elements or keys of a value shared by {@link shareSmallArray} and {@link shareSmallAttributes}. */
const MAX_SHARED_ENTRIES = 4;
/** Distinct small values remembered at most; past it the table starts again. */
const MAX_SHARED_VALUES = 4_096;
let sharedValues = new Map<string, object>();

/**
 * The one frozen copy of a small array of strings, numbers, booleans and nulls seen before (such as the
 * gates a call went through, on every call span), else the array itself, frozen and remembered. Records
 * are read-only (see `otlpToSpans`); freezing makes a caller that breaks the rule fail loudly instead of
 * changing every span that shares the value.
 */
export function shareSmallArray(values: AttributeValue[]): AttributeValue[] {
  if (values.length === 0 || values.length > MAX_SHARED_ENTRIES) return values;
  let signature = 'a';
  for (const value of values) {
    const part = primitiveSignature(value);
    if (part === undefined) return values;
    signature += part;
  }
  return shareValue(signature, values);
}

/** As {@link shareSmallArray}, for an event's attributes of a few primitive values (such as `{ 'overlap.attempt': 1 }`). */
export function shareSmallAttributes(attributes: Attributes): Attributes {
  let signature = 'o';
  let count = 0;
  for (const key in attributes) {
    const part = primitiveSignature(attributes[key] as AttributeValue);
    if (part === undefined || ++count > MAX_SHARED_ENTRIES || key.length > 64) return attributes;
    signature += `\u0001${key.length}:${key}${part}`;
  }
  return count === 0 ? attributes : shareValue(signature, attributes);
}

function shareValue<T extends object>(signature: string, value: T): T {
  const held = sharedValues.get(signature);
  if (held !== undefined) return held as T;
  if (sharedValues.size >= MAX_SHARED_VALUES) sharedValues = new Map();
  sharedValues.set(signature, Object.freeze(value));
  return value;
}

/** A primitive attribute value as text that tells every value apart (type included; -0 from 0), or undefined for others. */
function primitiveSignature(value: AttributeValue): string | undefined {
  if (value === null) return '\u0000n';
  if (typeof value === 'string') return value.length > 64 ? undefined : `\u0000s${value.length}:${value}`;
  if (typeof value === 'number') return Object.is(value, -0) ? '\u0000d-0' : `\u0000d${value}`;
  if (typeof value === 'boolean') return value ? '\u0000t' : '\u0000f';
  return undefined;
}

/**
 * Hex strings of the ids of one request. A trace's spans usually come together and share a parent, so
 * the id read last is compared with the bytes before a new string is made: the spans of one trace share
 * one trace id string, and siblings one parent id string.
 */
class IdStrings {
  private lastTraceBytes: Uint8Array | undefined;
  private lastTrace = '';
  private lastParentBytes: Uint8Array | undefined;
  private lastParent = '';
  /** The span ids read in this request, so a parent id names the parent's own string. */
  private readonly spanIds = new Map<string, string>();

  traceId(value: unknown): string {
    if (!(value instanceof Uint8Array) || value.length !== 16 || isZero(value)) throw FALL_BACK;
    if (this.lastTraceBytes === undefined || !sameBytes(value, this.lastTraceBytes)) {
      this.lastTraceBytes = value;
      this.lastTrace = hex(value);
    }
    return this.lastTrace;
  }

  spanId(value: unknown): string {
    if (!(value instanceof Uint8Array) || value.length !== 8 || isZero(value)) throw FALL_BACK;
    const id = hex(value);
    this.spanIds.set(id, id);
    return id;
  }

  parentSpanId(value: Uint8Array): string {
    if (this.lastParentBytes === undefined || !sameBytes(value, this.lastParentBytes)) {
      this.lastParentBytes = value;
      const id = hex(value);
      this.lastParent = this.spanIds.get(id) ?? id;
    }
    return this.lastParent;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function has(m: Decoded, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

function list(value: unknown): Decoded[] {
  return Array.isArray(value) ? (value as Decoded[]) : [];
}

/** Lowercase hex, as one flat string (a string built by appending is a chain of pieces that holds several times the memory). */
function hex(value: Uint8Array): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)).toString('hex');
}

/**
 * A fixed64 (a protobufjs Long, unsigned; or a plain number without long.js) as a decimal string,
 * exactly. Through BigInt above 2^53: its string is one flat string of the digits (joining pieces of
 * digits makes a chain of strings that holds twice the memory), and it is faster than `Long#toString`.
 */
export function decimal(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const { low, high } = value as { low: number; high: number };
  const lo = low >>> 0;
  const hi = high >>> 0;
  if (hi <= 0x1fffff) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
