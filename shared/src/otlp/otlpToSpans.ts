import { UNKNOWN_SERVICE_NAME } from '../model.js';
import type { Attributes, ResourceRecord, ScopeRecord, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../model.js';
import { InvalidOtlpRequestError } from './InvalidOtlpRequestError.js';
import { AttributeDepthError, MAX_ATTRIBUTE_DEPTH, fromOtlpKeyValues } from './otlpAttributes.js';
import { spanKindFromOtlp, statusCodeFromOtlp } from './otlpEnums.js';
import { isZeroId, parseOtlpId } from './otlpIds.js';
import { parseUnixNano } from './otlpTimes.js';

/** A span {@link otlpToSpans} refused, and why. */
export interface OtlpRejectedSpan {
  /** Why, in words, such as `traceId must be 32 hex characters, not all zero`. */
  reason: string;
  /** The span's id as sent, when it had a string one. */
  spanId?: string;
}

/** What {@link otlpToSpans} returns. */
export interface OtlpToSpansResult {
  /** The valid spans, in the order they appear in the request. */
  spans: SpanRecord[];
  /** The spans refused, in the order they appear in the request. */
  rejected: OtlpRejectedSpan[];
}

/**
 * Converts an OTLP/JSON `ExportTraceServiceRequest` (already parsed, or decoded from protobuf into the
 * same shape) into span records.
 *
 * Each span is checked on its own: a trace id of 32 hex characters, not all zero; a span id of 16 hex
 * characters, not all zero; a parent span id that is empty or 16 hex characters (all zeros counts as
 * none); a start time. A span that fails is listed in `rejected` with the reason and the others are kept,
 * which is what OTLP's `partial_success` reports.
 *
 * It tolerates what real senders write: times as decimal strings, numbers or `{ low, high }` pairs;
 * enum names instead of integers; ids in base64 instead of hex; missing optional fields; the deprecated
 * `instrumentationLibrarySpans`. An `endTimeUnixNano` of `0` or absent makes an in-flight span (no
 * `endTimeUnixNano` in the record). Links with bad ids and events without a time are dropped and counted
 * in the span's `droppedLinksCount` / `droppedEventsCount`; attributes without a key likewise in
 * `droppedAttributesCount`. Empty optional strings (`traceState`, status message, scope version, schema
 * URLs) and zero counts and flags are treated as absent, as proto3 does. Ids are written lowercase.
 *
 * Spans of one resource share one {@link ResourceRecord} object, and spans of one scope one
 * {@link ScopeRecord}; treat records as read-only. The input is not changed.
 *
 * @throws {@link InvalidOtlpRequestError} when the request's structure cannot be read (not an object,
 * or `resourceSpans` / `scopeSpans` / `spans` not arrays of objects).
 *
 * @example
 * ```ts
 * const { spans, rejected } = otlpToSpans(JSON.parse(body));
 * if (rejected.length > 0) console.warn(`${rejected.length} spans rejected: ${rejected[0]!.reason}`);
 * ```
 */
export function otlpToSpans(request: unknown): OtlpToSpansResult {
  const spans: SpanRecord[] = [];
  const rejected: OtlpRejectedSpan[] = [];
  if (!isObject(request)) throw new InvalidOtlpRequestError('the request', 'an object');
  const resourceSpansList = optionalArray(request.resourceSpans, 'resourceSpans');
  resourceSpansList.forEach((resourceSpans, r) => {
    const resourcePath = `resourceSpans[${r}]`;
    if (!isObject(resourceSpans)) throw new InvalidOtlpRequestError(resourcePath, 'an object');
    const resource = readOrThrow(() => readResource(resourceSpans), `${resourcePath}.resource`);
    const scopeKey = resourceSpans.scopeSpans !== undefined ? 'scopeSpans' : 'instrumentationLibrarySpans';
    optionalArray(resourceSpans[scopeKey], `${resourcePath}.${scopeKey}`).forEach((scopeSpans, s) => {
      const scopePath = `${resourcePath}.${scopeKey}[${s}]`;
      if (!isObject(scopeSpans)) throw new InvalidOtlpRequestError(scopePath, 'an object');
      const scope = readOrThrow(() => readScope(scopeSpans), `${scopePath}.scope`);
      for (const span of optionalArray(scopeSpans.spans, `${scopePath}.spans`)) {
        const result = readSpan(span, resource, scope);
        if (typeof result === 'string') {
          const spanId = isObject(span) && typeof span.spanId === 'string' ? span.spanId : undefined;
          rejected.push(spanId === undefined ? { reason: result } : { reason: result, spanId });
        } else {
          spans.push(result);
        }
      }
    });
  });
  return { spans, rejected };
}

/** Reads one span, or returns why it is rejected. */
function readSpan(span: unknown, resource: ResourceRecord, scope: ScopeRecord): SpanRecord | string {
  if (!isObject(span)) return 'span is not an object';
  const traceId = parseOtlpId(span.traceId, 16);
  if (typeof traceId !== 'string' || isZeroId(traceId)) return 'traceId must be 32 hex characters, not all zero';
  const spanId = parseOtlpId(span.spanId, 8);
  if (typeof spanId !== 'string' || isZeroId(spanId)) return 'spanId must be 16 hex characters, not all zero';
  const parentSpanId = parseOtlpId(span.parentSpanId, 8);
  if (parentSpanId === null) return 'parentSpanId must be empty or 16 hex characters';
  const startTimeUnixNano = parseUnixNano(span.startTimeUnixNano);
  if (typeof startTimeUnixNano !== 'string') return 'startTimeUnixNano must be a positive integer (nanoseconds since the epoch)';
  const endTimeUnixNano = parseUnixNano(span.endTimeUnixNano);
  if (endTimeUnixNano === null) return 'endTimeUnixNano must be a non-negative integer (nanoseconds since the epoch)';
  for (const list of ['attributes', 'events', 'links'] as const) {
    if (span[list] !== undefined && span[list] !== null && !Array.isArray(span[list])) return `${list} must be an array`;
  }
  let attributes: Attributes;
  let droppedAttributes: number;
  try {
    ({ attributes, dropped: droppedAttributes } = fromOtlpKeyValues(span.attributes));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const events: SpanEventRecord[] = [];
  let droppedEvents = 0;
  const links: SpanLinkRecord[] = [];
  let droppedLinks = 0;
  try {
    for (const event of (span.events as unknown[] | undefined) ?? []) {
      const record = readEvent(event);
      if (record === undefined) droppedEvents++;
      else events.push(record);
    }
    for (const link of (span.links as unknown[] | undefined) ?? []) {
      const record = readLink(link);
      if (record === undefined) droppedLinks++;
      else links.push(record);
    }
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }

  const record: SpanRecord = {
    traceId,
    spanId,
    name: typeof span.name === 'string' ? span.name : '',
    kind: spanKindFromOtlp(span.kind),
    startTimeUnixNano,
    attributes,
    events,
    links,
    status: readStatus(span.status),
    resource,
    scope,
  };
  if (parentSpanId !== undefined && !isZeroId(parentSpanId)) record.parentSpanId = parentSpanId;
  if (endTimeUnixNano !== undefined) record.endTimeUnixNano = endTimeUnixNano;
  const traceState = nonEmptyString(span.traceState);
  if (traceState !== undefined) record.traceState = traceState;
  const flags = fixed32(span.flags);
  if (flags !== undefined) record.flags = flags;
  const droppedAttributesCount = (positiveInteger(span.droppedAttributesCount) ?? 0) + droppedAttributes;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  const droppedEventsCount = (positiveInteger(span.droppedEventsCount) ?? 0) + droppedEvents;
  if (droppedEventsCount > 0) record.droppedEventsCount = droppedEventsCount;
  const droppedLinksCount = (positiveInteger(span.droppedLinksCount) ?? 0) + droppedLinks;
  if (droppedLinksCount > 0) record.droppedLinksCount = droppedLinksCount;
  return record;
}

function readEvent(event: unknown): SpanEventRecord | undefined {
  if (!isObject(event)) return undefined;
  const timeUnixNano = parseUnixNano(event.timeUnixNano);
  if (typeof timeUnixNano !== 'string') return undefined;
  const { attributes, dropped } = fromOtlpKeyValues(event.attributes);
  const record: SpanEventRecord = { name: typeof event.name === 'string' ? event.name : '', timeUnixNano, attributes };
  const droppedAttributesCount = (positiveInteger(event.droppedAttributesCount) ?? 0) + dropped;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  return record;
}

function readLink(link: unknown): SpanLinkRecord | undefined {
  if (!isObject(link)) return undefined;
  const traceId = parseOtlpId(link.traceId, 16);
  const spanId = parseOtlpId(link.spanId, 8);
  if (typeof traceId !== 'string' || typeof spanId !== 'string' || isZeroId(traceId) || isZeroId(spanId)) return undefined;
  const { attributes, dropped } = fromOtlpKeyValues(link.attributes);
  const record: SpanLinkRecord = { traceId, spanId, attributes };
  const traceState = nonEmptyString(link.traceState);
  if (traceState !== undefined) record.traceState = traceState;
  const droppedAttributesCount = (positiveInteger(link.droppedAttributesCount) ?? 0) + dropped;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  const flags = fixed32(link.flags);
  if (flags !== undefined) record.flags = flags;
  return record;
}

function readStatus(status: unknown): SpanRecord['status'] {
  if (!isObject(status)) return { code: 'unset' };
  const message = nonEmptyString(status.message);
  const code = statusCodeFromOtlp(status.code);
  return message === undefined ? { code } : { code, message };
}

function readResource(resourceSpans: Record<string, unknown>): ResourceRecord {
  const resource = isObject(resourceSpans.resource) ? resourceSpans.resource : {};
  const { attributes, dropped } = fromOtlpKeyValues(resource.attributes);
  const serviceName = attributes['service.name'];
  const record: ResourceRecord = {
    serviceName: typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE_NAME,
    attributes,
  };
  const droppedAttributesCount = (positiveInteger(resource.droppedAttributesCount) ?? 0) + dropped;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  const schemaUrl = nonEmptyString(resourceSpans.schemaUrl);
  if (schemaUrl !== undefined) record.schemaUrl = schemaUrl;
  return record;
}

function readScope(scopeSpans: Record<string, unknown>): ScopeRecord {
  const scope = isObject(scopeSpans.scope)
    ? scopeSpans.scope
    : isObject(scopeSpans.instrumentationLibrary)
      ? scopeSpans.instrumentationLibrary
      : {};
  const record: ScopeRecord = { name: typeof scope.name === 'string' ? scope.name : '' };
  const version = nonEmptyString(scope.version);
  if (version !== undefined) record.version = version;
  const { attributes, dropped } = fromOtlpKeyValues(scope.attributes);
  if (Object.keys(attributes).length > 0) record.attributes = attributes;
  const droppedAttributesCount = (positiveInteger(scope.droppedAttributesCount) ?? 0) + dropped;
  if (droppedAttributesCount > 0) record.droppedAttributesCount = droppedAttributesCount;
  const schemaUrl = nonEmptyString(scopeSpans.schemaUrl);
  if (schemaUrl !== undefined) record.schemaUrl = schemaUrl;
  return record;
}

/** Runs a reader of resource or scope attributes, turning a too-deep value into a request error. */
function readOrThrow<T>(read: () => T, path: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AttributeDepthError) throw new InvalidOtlpRequestError(`${path}.attributes`, `nested at most ${MAX_ATTRIBUTE_DEPTH} levels deep`);
    throw error;
  }
}

function optionalArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidOtlpRequestError(path, 'an array');
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A flags field (fixed32): a positive integer below 2^32, else undefined. */
function fixed32(value: unknown): number | undefined {
  const n = positiveInteger(value);
  return n !== undefined && n <= 0xffff_ffff ? n : undefined;
}

/** A count or flags field: a positive integer (numbers or decimal strings), else undefined. */
function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
