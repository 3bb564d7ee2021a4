import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { UNKNOWN_SERVICE_NAME } from '@overlap/shared';
import type { Attributes, AttributeValue, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord, StatusCodeName } from '@overlap/shared';

const KINDS: SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer'];
/** OTLP span flags: bit 8 says whether bit 9 tells if the parent (or linked) context is remote. */
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x200;

/**
 * The OTLP `flags` of a span or link: the W3C trace flags in the low 8 bits, and whether the parent (for
 * a span) or the linked context (for a link) is remote. As the official OTLP exporters write it, so a
 * span sent live and the same span exported over OTLP are equal records.
 */
function otlpFlags(traceFlags: number, isRemote: boolean | undefined): number {
  const flags = (traceFlags & 0xff) | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK;
  return isRemote === true ? flags | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK : flags;
}
const STATUS: StatusCodeName[] = ['unset', 'ok', 'error'];

/** Nanoseconds since the epoch of an OpenTelemetry `HrTime`, as a decimal string. */
export function hrTimeToNanos([seconds, nanos]: HrTime): string {
  if (seconds === 0) return String(nanos);
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}

function attributes(input: Record<string, unknown> | undefined): Attributes {
  const out: Attributes = {};
  if (input === undefined) return out;
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value as AttributeValue;
  return out;
}

/**
 * A span of the OpenTelemetry SDK as Overlap's {@link SpanRecord}, field for field as the official OTLP
 * exporters send it (so the dashboard, which gets ended spans both live and over OTLP, holds one version
 * of each). `inFlight` drops the end time, for span starts sent before the span has ended.
 */
export function readableSpanToRecord(span: ReadableSpan, inFlight: boolean): SpanRecord {
  const context = span.spanContext();
  const resourceAttributes = attributes(span.resource.attributes as Record<string, unknown>);
  const record: SpanRecord = {
    traceId: context.traceId,
    spanId: context.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    attributes: attributes(span.attributes),
    events: span.events.map((e) => {
      const event: SpanEventRecord = { name: e.name, timeUnixNano: hrTimeToNanos(e.time), attributes: attributes(e.attributes) };
      if ((e.droppedAttributesCount ?? 0) > 0) event.droppedAttributesCount = e.droppedAttributesCount!;
      return event;
    }),
    links: span.links.map((l) => {
      const link: SpanLinkRecord = { traceId: l.context.traceId, spanId: l.context.spanId, attributes: attributes(l.attributes), flags: otlpFlags(l.context.traceFlags, l.context.isRemote) };
      const linkTraceState = l.context.traceState?.serialize();
      if (linkTraceState) link.traceState = linkTraceState;
      if ((l.droppedAttributesCount ?? 0) > 0) link.droppedAttributesCount = l.droppedAttributesCount!;
      return link;
    }),
    status: { code: STATUS[span.status.code] ?? 'unset', ...(span.status.message ? { message: span.status.message } : {}) },
    resource: {
      serviceName: typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : UNKNOWN_SERVICE_NAME,
      attributes: resourceAttributes,
    },
    scope: { name: span.instrumentationScope.name, ...(span.instrumentationScope.version ? { version: span.instrumentationScope.version } : {}) },
    flags: otlpFlags(context.traceFlags, span.parentSpanContext?.isRemote),
  };
  const parentId = span.parentSpanContext?.spanId;
  if (parentId) record.parentSpanId = parentId;
  const traceState = context.traceState?.serialize();
  if (traceState) record.traceState = traceState;
  if (span.droppedAttributesCount > 0) record.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount > 0) record.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount > 0) record.droppedLinksCount = span.droppedLinksCount;
  if (!inFlight) record.endTimeUnixNano = hrTimeToNanos(span.endTime);
  return record;
}
