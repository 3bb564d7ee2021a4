import type { ResourceRecord, ScopeRecord, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../model.js';
import { toOtlpKeyValues } from './otlpAttributes.js';
import { spanKindToOtlp, statusCodeToOtlp } from './otlpEnums.js';
import { UNKNOWN_SERVICE_NAME } from '../model.js';
import type {
  OtlpEvent,
  OtlpExportTraceServiceRequest,
  OtlpInstrumentationScope,
  OtlpLink,
  OtlpResource,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
} from './types.js';

/**
 * Converts span records to an OTLP/JSON `ExportTraceServiceRequest`, grouping spans by resource and then
 * by scope (records whose resources or scopes are equal, not just the same object, share a group).
 *
 * Groups appear in the order of their first span, and spans keep their relative order inside a group, so
 * `otlpToSpans(spansToOtlp(spans)).spans` equals `spans` whenever spans of one group are already together
 * (and in general equals them stably regrouped). An in-flight span (no `endTimeUnixNano`) is written with
 * `endTimeUnixNano: "0"` and reads back as in flight. When a resource's attributes lack `service.name`
 * but its `serviceName` is not `unknown_service`, `service.name` is added, so the name survives.
 *
 * Times and 64-bit integers are written as decimal strings, ids as lowercase hex, enums as integers. The
 * input is not changed.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(spansToOtlp(store.spansOf(traceId)));
 * await fetch('http://localhost:4318/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
 * ```
 */
export function spansToOtlp(spans: readonly SpanRecord[]): OtlpExportTraceServiceRequest {
  const keyOf = memoizedKey();
  const resourceGroups = new Map<string, { resource: ResourceRecord; scopes: Map<string, { scope: ScopeRecord; spans: OtlpSpan[] }> }>();
  for (const span of spans) {
    const resourceKey = keyOf(span.resource);
    let group = resourceGroups.get(resourceKey);
    if (group === undefined) {
      group = { resource: span.resource, scopes: new Map() };
      resourceGroups.set(resourceKey, group);
    }
    const scopeKey = keyOf(span.scope);
    let scopeGroup = group.scopes.get(scopeKey);
    if (scopeGroup === undefined) {
      scopeGroup = { scope: span.scope, spans: [] };
      group.scopes.set(scopeKey, scopeGroup);
    }
    scopeGroup.spans.push(toOtlpSpan(span));
  }
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const { resource, scopes } of resourceGroups.values()) {
    const scopeSpans: OtlpScopeSpans[] = [];
    for (const { scope, spans: otlpSpans } of scopes.values()) {
      const entry: OtlpScopeSpans = { scope: toOtlpScope(scope), spans: otlpSpans };
      if (scope.schemaUrl !== undefined && scope.schemaUrl !== '') entry.schemaUrl = scope.schemaUrl;
      scopeSpans.push(entry);
    }
    const entry: OtlpResourceSpans = { resource: toOtlpResource(resource), scopeSpans };
    if (resource.schemaUrl !== undefined && resource.schemaUrl !== '') entry.schemaUrl = resource.schemaUrl;
    resourceSpans.push(entry);
  }
  return { resourceSpans };
}

function toOtlpSpan(span: SpanRecord): OtlpSpan {
  const status: OtlpStatus = { code: statusCodeToOtlp(span.status.code) };
  if (span.status.message !== undefined && span.status.message !== '') status.message = span.status.message;
  const otlp: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: spanKindToOtlp(span.kind),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano ?? '0',
    attributes: toOtlpKeyValues(span.attributes),
    events: span.events.map(toOtlpEvent),
    links: span.links.map(toOtlpLink),
    status,
  };
  if (span.parentSpanId !== undefined) otlp.parentSpanId = span.parentSpanId;
  if (span.traceState !== undefined) otlp.traceState = span.traceState;
  if (span.flags !== undefined) otlp.flags = span.flags;
  if (span.droppedAttributesCount !== undefined) otlp.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) otlp.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) otlp.droppedLinksCount = span.droppedLinksCount;
  return otlp;
}

function toOtlpEvent(event: SpanEventRecord): OtlpEvent {
  const otlp: OtlpEvent = { timeUnixNano: event.timeUnixNano, name: event.name, attributes: toOtlpKeyValues(event.attributes) };
  if (event.droppedAttributesCount !== undefined) otlp.droppedAttributesCount = event.droppedAttributesCount;
  return otlp;
}

function toOtlpLink(link: SpanLinkRecord): OtlpLink {
  const otlp: OtlpLink = { traceId: link.traceId, spanId: link.spanId, attributes: toOtlpKeyValues(link.attributes) };
  if (link.traceState !== undefined) otlp.traceState = link.traceState;
  if (link.droppedAttributesCount !== undefined) otlp.droppedAttributesCount = link.droppedAttributesCount;
  if (link.flags !== undefined) otlp.flags = link.flags;
  return otlp;
}

function toOtlpResource(resource: ResourceRecord): OtlpResource {
  const attributes = toOtlpKeyValues(resource.attributes);
  if (typeof resource.attributes['service.name'] !== 'string' && resource.serviceName !== UNKNOWN_SERVICE_NAME) {
    attributes.unshift({ key: 'service.name', value: { stringValue: resource.serviceName } });
  }
  const otlp: OtlpResource = { attributes };
  if (resource.droppedAttributesCount !== undefined) otlp.droppedAttributesCount = resource.droppedAttributesCount;
  return otlp;
}

function toOtlpScope(scope: ScopeRecord): OtlpInstrumentationScope {
  const otlp: OtlpInstrumentationScope = { name: scope.name };
  if (scope.version !== undefined) otlp.version = scope.version;
  if (scope.attributes !== undefined) otlp.attributes = toOtlpKeyValues(scope.attributes);
  if (scope.droppedAttributesCount !== undefined) otlp.droppedAttributesCount = scope.droppedAttributesCount;
  return otlp;
}

/** Keeps numbers JSON cannot tell apart (NaN and null, -0 and 0) apart in group keys. */
function distinguishNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)) ? `\u0000${Object.is(value, -0) ? '-0' : String(value)}` : value;
}

/** Keys objects by their JSON, remembering each object so records sharing a resource are serialized once. */
function memoizedKey(): (value: object) => string {
  const cache = new WeakMap<object, string>();
  return (value) => {
    let key = cache.get(value);
    if (key === undefined) {
      key = JSON.stringify(value, distinguishNumbers);
      cache.set(value, key);
    }
    return key;
  };
}
