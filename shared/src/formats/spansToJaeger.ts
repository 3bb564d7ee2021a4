/**
 * Writing span records as a Jaeger JSON trace file (the writer; {@link jaegerToSpans} in `jaegerToSpans.ts`
 * is the reader). Where each field goes is the table of `jaegerMapping.ts`.
 *
 * @packageDocumentation
 */
import type { Attributes, ResourceRecord, SpanEventRecord, SpanRecord } from '../model.js';
import { canonicalJson } from '../trace/canonicalJson.js';
import { encodeAttributes } from './jaegerTags.js';
import type { JaegerKeyValue, JaegerLog, JaegerProcess, JaegerReference, JaegerSpan, JaegerTrace, JaegerTraceFile } from './jaegerTypes.js';
import { ProblemList, TraceFileError } from './TraceFileError.js';
import { validateSpanRecord } from './validateSpanRecord.js';
import { FORMAT, IN_FLIGHT_WARNING, TAG, SPAN_RESERVED, LOG_RESERVED, PROCESS_RESERVED, NO_RESERVED } from './jaegerMapping.js';

/**
 * Writes spans as a Jaeger trace file, one entry in `data` per trace id (in order of first appearance),
 * spans in input order. Reads back with {@link jaegerToSpans} to equal records (see the module's table
 * for where each field goes). In-flight spans get duration 0 and a span warning; a span that ends before
 * it starts gets duration 0 (its exact end is kept in a tag). The spans are not changed.
 *
 * @throws {@link TraceFileError} when a span is not a valid record (see `validateSpanRecord`).
 *
 * @example
 * ```ts
 * const json = JSON.stringify(spansToJaeger(spans));
 * // save as trace.json, then in Jaeger UI: Search → JSON File
 * ```
 */
export function spansToJaeger(spans: readonly SpanRecord[]): JaegerTraceFile {
  const problems = new ProblemList();
  spans.forEach((span, i) => {
    const result = validateSpanRecord(span);
    if (!result.valid) for (const problem of result.problems) problems.add(`spans[${i}].${problem}`);
  });
  if (problems.count > 0) throw new TraceFileError(FORMAT, problems.toArray());

  const traces = new Map<string, { trace: JaegerTrace; processIds: Map<ResourceRecord, string>; processKeys: Map<string, string> }>();
  for (const span of spans) {
    let entry = traces.get(span.traceId);
    if (entry === undefined) {
      entry = { trace: { traceID: span.traceId, spans: [], processes: {}, warnings: null }, processIds: new Map(), processKeys: new Map() };
      traces.set(span.traceId, entry);
    }
    // Resources are usually shared objects: look them up by identity first, by content only when new.
    let processId = entry.processIds.get(span.resource);
    if (processId === undefined) {
      const key = canonicalJson(span.resource);
      processId = entry.processKeys.get(key);
      if (processId === undefined) {
        processId = `p${entry.processKeys.size + 1}`;
        entry.processKeys.set(key, processId);
        entry.trace.processes[processId] = toJaegerProcess(span.resource);
      }
      entry.processIds.set(span.resource, processId);
    }
    entry.trace.spans.push(toJaegerSpan(span, processId));
  }
  return { data: [...traces.values()].map((entry) => entry.trace) };
}

function toJaegerSpan(span: SpanRecord, processID: string): JaegerSpan {
  const tags: JaegerKeyValue[] = [];
  const warnings: string[] = [];
  if (span.scope.name !== '') tags.push({ key: TAG.SCOPE_NAME, type: 'string', value: span.scope.name });
  if (span.scope.version !== undefined) tags.push({ key: TAG.SCOPE_VERSION, type: 'string', value: span.scope.version });
  encodeAttributes(span.attributes, SPAN_RESERVED, tags);
  if (span.kind !== 'unspecified') tags.push({ key: TAG.SPAN_KIND, type: 'string', value: span.kind });
  if (span.status.code === 'ok') tags.push({ key: TAG.STATUS_CODE, type: 'string', value: 'OK' });
  if (span.status.code === 'error') {
    tags.push({ key: TAG.STATUS_CODE, type: 'string', value: 'ERROR' }, { key: TAG.ERROR, type: 'bool', value: true });
  }
  if (span.status.message !== undefined) tags.push({ key: TAG.STATUS_DESCRIPTION, type: 'string', value: span.status.message });
  if (span.traceState !== undefined) tags.push({ key: TAG.TRACE_STATE, type: 'string', value: span.traceState });
  if (span.droppedAttributesCount !== undefined) tags.push({ key: TAG.DROPPED_ATTRIBUTES, type: 'int64', value: span.droppedAttributesCount });
  if (span.droppedEventsCount !== undefined) tags.push({ key: TAG.DROPPED_EVENTS, type: 'int64', value: span.droppedEventsCount });
  if (span.droppedLinksCount !== undefined) tags.push({ key: TAG.DROPPED_LINKS, type: 'int64', value: span.droppedLinksCount });

  const start = BigInt(span.startTimeUnixNano);
  const startTime = Number(start / 1000n);
  if (BigInt(startTime) * 1000n !== start) tags.push({ key: TAG.START_NANOS, type: 'string', value: span.startTimeUnixNano });
  let duration = 0;
  if (span.endTimeUnixNano === undefined) {
    tags.push({ key: TAG.IN_FLIGHT, type: 'bool', value: true });
    warnings.push(IN_FLIGHT_WARNING);
  } else {
    const end = BigInt(span.endTimeUnixNano);
    const micros = end / 1000n - BigInt(startTime);
    duration = micros > 0n ? Number(micros) : 0;
    if ((BigInt(startTime) + BigInt(duration)) * 1000n !== end) tags.push({ key: TAG.END_NANOS, type: 'string', value: span.endTimeUnixNano });
    if (end < start) warnings.push('overlap: this span ends before it starts; its duration is shown as 0');
  }

  const references: JaegerReference[] = [];
  if (span.parentSpanId !== undefined) references.push({ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId });
  const linkExtras: Array<Record<string, unknown>> = [];
  let anyLinkExtra = false;
  for (const link of span.links) {
    references.push({ refType: 'FOLLOWS_FROM', traceID: link.traceId, spanID: link.spanId });
    const extra = definedOnly({
      tags: Object.keys(link.attributes).length > 0 ? encodedAttributes(link.attributes) : undefined,
      traceState: link.traceState,
      droppedAttributesCount: link.droppedAttributesCount,
      flags: link.flags,
    });
    if (Object.keys(extra).length > 0) anyLinkExtra = true;
    linkExtras.push(extra);
  }
  if (anyLinkExtra) tags.push({ key: TAG.LINKS, type: 'string', value: JSON.stringify(linkExtras) });
  const scopeExtra = definedOnly({
    tags: span.scope.attributes === undefined ? undefined : encodedAttributes(span.scope.attributes),
    droppedAttributesCount: span.scope.droppedAttributesCount,
    schemaUrl: span.scope.schemaUrl,
  });
  if (Object.keys(scopeExtra).length > 0) tags.push({ key: TAG.SCOPE, type: 'string', value: JSON.stringify(scopeExtra) });

  const jaegerSpan: JaegerSpan = {
    traceID: span.traceId,
    spanID: span.spanId,
    operationName: span.name,
    references,
    startTime,
    duration,
    tags,
    logs: span.events.map(toJaegerLog),
    processID,
    warnings: warnings.length > 0 ? warnings : null,
  };
  if (span.flags !== undefined) jaegerSpan.flags = span.flags;
  return jaegerSpan;
}

function toJaegerLog(event: SpanEventRecord): JaegerLog {
  const fields: JaegerKeyValue[] = [];
  if (event.name !== '') fields.push({ key: TAG.EVENT, type: 'string', value: event.name });
  encodeAttributes(event.attributes, LOG_RESERVED, fields);
  const time = BigInt(event.timeUnixNano);
  const timestamp = Number(time / 1000n);
  if (BigInt(timestamp) * 1000n !== time) fields.push({ key: TAG.EVENT_NANOS, type: 'string', value: event.timeUnixNano });
  if (event.droppedAttributesCount !== undefined) fields.push({ key: TAG.DROPPED_ATTRIBUTES, type: 'int64', value: event.droppedAttributesCount });
  return { timestamp, fields };
}

function toJaegerProcess(resource: ResourceRecord): JaegerProcess {
  const tags: JaegerKeyValue[] = [];
  encodeAttributes(resource.attributes, PROCESS_RESERVED, tags);
  if (!Object.hasOwn(resource.attributes, 'service.name')) tags.push({ key: TAG.SERVICE_NAME_ABSENT, type: 'bool', value: true });
  const extra = definedOnly({ droppedAttributesCount: resource.droppedAttributesCount, schemaUrl: resource.schemaUrl });
  if (Object.keys(extra).length > 0) tags.push({ key: TAG.RESOURCE, type: 'string', value: JSON.stringify(extra) });
  return { serviceName: resource.serviceName, tags };
}

/** Attributes as typed tags, for the JSON of a bookkeeping tag (so `NaN` and `-0` survive it too). */
function encodedAttributes(attributes: Attributes): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  encodeAttributes(attributes, NO_RESERVED, tags);
  return tags;
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
