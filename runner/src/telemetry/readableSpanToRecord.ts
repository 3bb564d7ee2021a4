import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { UNKNOWN_SERVICE_NAME } from '@overlap/shared';
import type { Attributes, AttributeValue, SpanKindName, SpanRecord, StatusCodeName } from '@overlap/shared';

const KINDS: SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer'];
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
 * A span of the OpenTelemetry SDK as Overlap's {@link SpanRecord}. `inFlight` drops the end time, for
 * span starts sent before the span has ended.
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
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: hrTimeToNanos(e.time), attributes: attributes(e.attributes) })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: attributes(l.attributes) })),
    status: { code: STATUS[span.status.code] ?? 'unset', ...(span.status.message ? { message: span.status.message } : {}) },
    resource: {
      serviceName: typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : UNKNOWN_SERVICE_NAME,
      attributes: resourceAttributes,
    },
    scope: { name: span.instrumentationScope.name, ...(span.instrumentationScope.version ? { version: span.instrumentationScope.version } : {}) },
    flags: context.traceFlags,
  };
  const parentId = span.parentSpanContext?.spanId;
  if (parentId) record.parentSpanId = parentId;
  if (!inFlight) record.endTimeUnixNano = hrTimeToNanos(span.endTime);
  return record;
}
