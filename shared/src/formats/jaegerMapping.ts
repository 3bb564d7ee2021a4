/**
 * The mapping between span records and the Jaeger JSON trace file (what Jaeger UI's "JSON File" upload reads), following the
 * OpenTelemetry Collector's Jaeger translator for what Jaeger has a place for, and keeping everything
 * else in `overlap.*` tags so a round trip loses nothing.
 *
 * | span record | Jaeger |
 * | --- | --- |
 * | `parentSpanId` | first reference, `CHILD_OF` |
 * | `links` | `FOLLOWS_FROM` references, in order; their attributes (as typed tags), trace state, flags and dropped counts in tag `overlap.jaeger.links` (JSON) |
 * | `kind` | tag `span.kind` (`internal`, `server`...; none for `unspecified`) |
 * | `status` | tags `otel.status_code` (`OK` / `ERROR`), `error` = true for errors, `otel.status_description` |
 * | `scope` | tags `otel.scope.name`, `otel.scope.version`; its attributes (as typed tags), dropped count and schema URL in `overlap.jaeger.scope` (JSON) |
 * | `resource` | the process: `serviceName` and its attributes as tags; dropped count and schema URL in `overlap.jaeger.resource` |
 * | `traceState`, `flags` | tag `w3c.tracestate`, span `flags` |
 * | dropped counts | tags `otel.dropped_attributes_count`, `otel.dropped_events_count`, `otel.dropped_links_count` |
 * | events | logs: name in field `event`, time in µs |
 * | times | µs; when that loses digits, the exact nanoseconds in tags `overlap.start_time_unix_nano`, `overlap.end_time_unix_nano` and log field `overlap.time_unix_nano` |
 * | no end (in flight) | duration 0, tag `overlap.jaeger.in_flight` = true, and a span warning Jaeger UI shows |
 *
 * Attribute values map as described in `jaegerTags.ts` (arrays and maps as JSON strings; clashing keys
 * escaped as `overlap.attr.{key}`).
 *
 * @packageDocumentation
 */
import { OverlapJaegerTags } from '../attributes.js';
import { MARKER_PREFIX } from './jaegerTags.js';

export const FORMAT = 'Jaeger JSON';
export const IN_FLIGHT_WARNING = 'overlap: this span had not ended when the trace was exported; its duration is shown as 0';

export const TAG = {
  SPAN_KIND: 'span.kind',
  ERROR: 'error',
  STATUS_CODE: 'otel.status_code',
  STATUS_DESCRIPTION: 'otel.status_description',
  SCOPE_NAME: 'otel.scope.name',
  SCOPE_VERSION: 'otel.scope.version',
  LIBRARY_NAME: 'otel.library.name',
  LIBRARY_VERSION: 'otel.library.version',
  TRACE_STATE: 'w3c.tracestate',
  DROPPED_ATTRIBUTES: 'otel.dropped_attributes_count',
  DROPPED_EVENTS: 'otel.dropped_events_count',
  DROPPED_LINKS: 'otel.dropped_links_count',
  START_NANOS: OverlapJaegerTags.START_NANOS,
  END_NANOS: OverlapJaegerTags.END_NANOS,
  IN_FLIGHT: `${MARKER_PREFIX}in_flight`,
  LINKS: `${MARKER_PREFIX}links`,
  SCOPE: `${MARKER_PREFIX}scope`,
  RESOURCE: `${MARKER_PREFIX}resource`,
  SERVICE_NAME_ABSENT: `${MARKER_PREFIX}service_name_absent`,
  EVENT: 'event',
  EVENT_NANOS: OverlapJaegerTags.EVENT_NANOS,
} as const;

export const SPAN_RESERVED: ReadonlySet<string> = new Set([
  TAG.SPAN_KIND, TAG.ERROR, TAG.STATUS_CODE, TAG.STATUS_DESCRIPTION, TAG.SCOPE_NAME, TAG.SCOPE_VERSION, TAG.LIBRARY_NAME,
  TAG.LIBRARY_VERSION, TAG.TRACE_STATE, TAG.DROPPED_ATTRIBUTES, TAG.DROPPED_EVENTS, TAG.DROPPED_LINKS, TAG.START_NANOS,
  TAG.END_NANOS, TAG.IN_FLIGHT, TAG.LINKS, TAG.SCOPE,
]);
export const LOG_RESERVED: ReadonlySet<string> = new Set([TAG.EVENT, TAG.EVENT_NANOS, TAG.DROPPED_ATTRIBUTES]);
export const PROCESS_RESERVED: ReadonlySet<string> = new Set([TAG.RESOURCE, TAG.SERVICE_NAME_ABSENT]);
export const NO_RESERVED: ReadonlySet<string> = new Set();
export const JAEGER_KINDS: ReadonlySet<string> = new Set(['internal', 'server', 'client', 'producer', 'consumer']);
export const NANOS = /^(0|[1-9][0-9]{0,19})$/;
export const HEX = /^[0-9a-fA-F]+$/;
