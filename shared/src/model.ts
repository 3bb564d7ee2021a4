/**
 * Overlap's internal span model: what the dashboard stores, sends to the page and exports, and what the
 * trace maths take. It is a flattened, JSON-safe form of an OTLP span with its resource and scope.
 *
 * Times are nanoseconds since the Unix epoch as **decimal strings**, exactly as received (a number
 * cannot hold them exactly); {@link nanosToMs} turns them into milliseconds for the maths.
 *
 * @packageDocumentation
 */

/**
 * An attribute value. OTLP integers become numbers (exact up to 2^53), doubles become numbers,
 * byte arrays become base64 strings under {@link BytesValue}, key-value lists become plain objects.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | BytesValue
  | AttributeValue[]
  | { [key: string]: AttributeValue };

/** A byte array attribute value, kept as base64 so it survives JSON. */
export interface BytesValue {
  readonly bytesBase64: string;
}

/** Attributes by key. */
export type Attributes = Record<string, AttributeValue>;

/** Span kind, as OTLP names it without the prefix. */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** Span status code. */
export type StatusCodeName = 'unset' | 'ok' | 'error';

/** A timestamped event on a span. */
export interface SpanEventRecord {
  name: string;
  /** Nanoseconds since the epoch, decimal string. */
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

/** A link from a span to another span. */
export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  flags?: number;
}

/** The service name of a resource without `service.name`, as the OpenTelemetry SDKs name it. */
export const UNKNOWN_SERVICE_NAME = 'unknown_service';

/** The resource (process) that produced a span. */
export interface ResourceRecord {
  /** `service.name` of the resource, or {@link UNKNOWN_SERVICE_NAME} when it has none. */
  serviceName: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  schemaUrl?: string;
}

/** The instrumentation scope (library) that produced a span. */
export interface ScopeRecord {
  name: string;
  version?: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
  schemaUrl?: string;
}

/**
 * One span. A span without {@link SpanRecord.endTimeUnixNano} is in flight: it was announced when it
 * started and has not ended yet.
 */
export interface SpanRecord {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** The parent's span id; absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  /** Nanoseconds since the epoch, decimal string. */
  startTimeUnixNano: string;
  /** Nanoseconds since the epoch, decimal string; absent while the span is in flight. */
  endTimeUnixNano?: string;
  attributes: Attributes;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
  status: { code: StatusCodeName; message?: string };
  resource: ResourceRecord;
  scope: ScopeRecord;
  traceState?: string;
  flags?: number;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/** Converts a decimal nanosecond string to milliseconds since the epoch (a float, exact to ~0.25 µs). */
export function nanosToMs(nanos: string): number {
  // Split so the integer part of the milliseconds stays exact: a 19-digit nanosecond count does not fit a double.
  const len = nanos.length;
  if (len <= 6) return Number(nanos) / 1e6;
  return Number(nanos.slice(0, len - 6)) + Number(nanos.slice(len - 6)) / 1e6;
}

/**
 * Converts milliseconds since the epoch to a decimal nanosecond string, rounded to whole microseconds:
 * a double holding today's epoch milliseconds is only exact to about a quarter of a microsecond.
 */
export function msToNanos(ms: number): string {
  const wholeMs = Math.floor(ms);
  const micros = Math.round((ms - wholeMs) * 1e3);
  if (micros >= 1e3) return `${wholeMs + 1}000000`;
  if (wholeMs === 0) return micros === 0 ? '0' : `${micros}000`;
  return `${wholeMs}${String(micros).padStart(3, '0')}000`;
}
