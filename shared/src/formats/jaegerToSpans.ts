/**
 * Reading a Jaeger JSON trace file into span records (the reader; {@link spansToJaeger} in
 * `spansToJaeger.ts` is the writer). Where each field comes from is the table of `jaegerMapping.ts`.
 *
 * @packageDocumentation
 */
import { UNKNOWN_SERVICE_NAME } from '../model.js';
import type { AttributeValue, ResourceRecord, ScopeRecord, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord } from '../model.js';
import { describeValue } from '../describeValue.js';
import { decodeTags } from './jaegerTags.js';
import type { JaegerReference } from './jaegerTypes.js';
import { ProblemList, TraceFileError } from './TraceFileError.js';
import { validateSpanRecord } from './validateSpanRecord.js';
import { FORMAT, TAG, SPAN_RESERVED, LOG_RESERVED, PROCESS_RESERVED, NO_RESERVED, JAEGER_KINDS, NANOS, HEX } from './jaegerMapping.js';

/** What {@link jaegerToSpans} returns. */
export interface JaegerReadResult {
  /** The spans of every trace in the file, in file order. */
  readonly spans: SpanRecord[];
  /** What had to be guessed or was odd in the file (at most 50 lines, then a count). */
  readonly warnings: string[];
}

/**
 * Reads a Jaeger trace file (parsed JSON): `{ data: [trace...] }` as Jaeger's API and Jaeger UI write it,
 * or a bare array of traces, or one trace. Files written by {@link spansToJaeger} read back to the exact
 * records. Files from Jaeger itself are read as the OpenTelemetry Collector reads Jaeger spans: the first
 * `CHILD_OF` reference is the parent, other references are links; `span.kind`, `otel.status_code`,
 * `error`, `otel.status_description`, `otel.scope.*` (or the older `otel.library.*`), `w3c.tracestate`
 * and the log field `event` become the record's fields; ids shorter than 32/16 hex characters are padded
 * with zeros. Oddities (a missing process, a tag value that does not fit its type) become `warnings`.
 * The input is not changed.
 *
 * @throws {@link TraceFileError} listing every structural problem (not an object, `spans` not an array,
 * a span without a valid `spanID` or integer `startTime`...). Nothing is returned from a broken file.
 *
 * @example
 * ```ts
 * const { spans, warnings } = jaegerToSpans(JSON.parse(await file.text()));
 * ```
 */
export function jaegerToSpans(json: unknown): JaegerReadResult {
  const problems = new ProblemList();
  const warnings = new ProblemList();
  const spans: SpanRecord[] = [];
  let traces: unknown[];
  let tracesPath: string;
  if (Array.isArray(json)) {
    traces = json;
    tracesPath = '';
  } else if (isObject(json) && Array.isArray(json.data)) {
    traces = json.data;
    tracesPath = 'data';
  } else if (isObject(json) && Array.isArray(json.spans)) {
    traces = [json];
    tracesPath = '';
  } else {
    throw new TraceFileError(FORMAT, [`expected an object with a "data" array of traces, got ${describeValue(json)}`]);
  }
  traces.forEach((trace, t) => {
    const path = tracesPath === '' ? (Array.isArray(json) ? `[${t}]` : 'trace') : `${tracesPath}[${t}]`;
    readTrace(trace, path, spans, problems, (message) => warnings.add(message));
  });
  if (problems.count > 0) throw new TraceFileError(FORMAT, problems.toArray());
  return { spans, warnings: warnings.toArray() };
}

type Warn = (message: string) => void;

function readTrace(trace: unknown, path: string, spans: SpanRecord[], problems: ProblemList, warn: Warn): void {
  if (!isObject(trace)) {
    problems.add(`${path}: expected a trace object, got ${describeValue(trace)}`);
    return;
  }
  if (!Array.isArray(trace.spans)) {
    problems.add(`${path}.spans: expected an array, got ${describeValue(trace.spans)}`);
    return;
  }
  if (trace.processes !== undefined && !isObject(trace.processes)) {
    problems.add(`${path}.processes: expected an object, got ${describeValue(trace.processes)}`);
    return;
  }
  const processes = (trace.processes ?? {}) as Record<string, unknown>;
  // Spans of one process share its resource; a broken process is reported once, not once per span.
  const resources = new Map<string, ResourceRecord | undefined>();
  const resourceOf = (processId: string, processPath: string, jaegerProcess: unknown): ResourceRecord | undefined => {
    if (resources.has(processId)) return resources.get(processId);
    const resource = readProcess(jaegerProcess, processPath, problems, warn);
    resources.set(processId, resource);
    return resource;
  };
  if (Array.isArray(trace.warnings)) for (const warning of trace.warnings) if (typeof warning === 'string') warn(`${path}: ${warning}`);

  trace.spans.forEach((span, s) => {
    const spanPath = `${path}.spans[${s}]`;
    if (!isObject(span)) {
      problems.add(`${spanPath}: expected a span object, got ${describeValue(span)}`);
      return;
    }
    let resource: ResourceRecord | undefined;
    if (typeof span.processID === 'string' && Object.hasOwn(processes, span.processID)) {
      resource = resourceOf(span.processID, `${path}.processes.${span.processID}`, processes[span.processID]);
    } else if (isObject(span.process)) {
      resource = readProcess(span.process, `${spanPath}.process`, problems, warn);
    } else {
      warn(`${spanPath}: process ${describeValue(span.processID)} is not in the trace's processes; service set to ${UNKNOWN_SERVICE_NAME}`);
      resource = { serviceName: UNKNOWN_SERVICE_NAME, attributes: {} };
    }
    if (resource === undefined) return;
    const record = readSpan(span, spanPath, resource, problems, warn);
    if (record === undefined) return;
    const result = validateSpanRecord(record);
    if (result.valid) spans.push(record);
    else for (const problem of result.problems) problems.add(`${spanPath} → ${problem}`);
  });
}

function readProcess(jaegerProcess: unknown, path: string, problems: ProblemList, warn: Warn): ResourceRecord | undefined {
  if (!isObject(jaegerProcess) || typeof jaegerProcess.serviceName !== 'string') {
    problems.add(`${path}: expected a process with a string serviceName, got ${describeValue(jaegerProcess)}`);
    return undefined;
  }
  const tags = readTagList(jaegerProcess.tags, `${path}.tags`, problems);
  if (tags === undefined) return undefined;
  const { attributes, special } = decodeTags(tags, PROCESS_RESERVED, path, warn);
  if (special.get(TAG.SERVICE_NAME_ABSENT) !== true && !Object.hasOwn(attributes, 'service.name')) {
    attributes['service.name'] = jaegerProcess.serviceName;
  }
  const resource: ResourceRecord = { serviceName: jaegerProcess.serviceName, attributes };
  const extra = parseJsonObject(special.get(TAG.RESOURCE), `${path} tag ${TAG.RESOURCE}`, warn);
  if (typeof extra.droppedAttributesCount === 'number') resource.droppedAttributesCount = extra.droppedAttributesCount;
  if (typeof extra.schemaUrl === 'string') resource.schemaUrl = extra.schemaUrl;
  return resource;
}

function readSpan(span: Record<string, unknown>, path: string, resource: ResourceRecord, problems: ProblemList, warn: Warn): SpanRecord | undefined {
  const before = problems.count;
  const traceId = readId(span.traceID, 32, `${path}.traceID`, problems);
  const spanId = readId(span.spanID, 16, `${path}.spanID`, problems);
  if (typeof span.operationName !== 'string') problems.add(`${path}.operationName: expected a string, got ${describeValue(span.operationName)}`);
  const startTime = readMicros(span.startTime, `${path}.startTime`, problems);
  const duration = readMicros(span.duration ?? 0, `${path}.duration`, problems);
  const tags = readTagList(span.tags, `${path}.tags`, problems);
  const references = readReferences(span.references, `${path}.references`, problems);
  const logs = readLogs(span.logs, `${path}.logs`, problems);
  if (span.flags !== undefined && (typeof span.flags !== 'number' || !Number.isInteger(span.flags) || span.flags < 0 || span.flags > 0xffffffff)) {
    problems.add(`${path}.flags: expected an integer from 0 to 2^32 - 1, got ${describeValue(span.flags)}`);
  }
  if (problems.count > before || tags === undefined || references === undefined || logs === undefined) return undefined;
  if (Array.isArray(span.warnings)) {
    for (const warning of span.warnings) if (typeof warning === 'string' && !warning.startsWith('overlap: ')) warn(`${path}: ${warning}`);
  }

  const { attributes, special } = decodeTags(tags, SPAN_RESERVED, path, warn);
  const text = (key: string): string | undefined => {
    const value = special.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const count = (key: string): number | undefined => {
    const value = special.get(key);
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  };

  const exactStart = text(TAG.START_NANOS);
  const startTimeUnixNano = exactStart !== undefined && NANOS.test(exactStart) ? exactStart : (BigInt(startTime!) * 1000n).toString();
  let endTimeUnixNano: string | undefined;
  if (special.get(TAG.IN_FLIGHT) !== true) {
    const exactEnd = text(TAG.END_NANOS);
    endTimeUnixNano = exactEnd !== undefined && NANOS.test(exactEnd) ? exactEnd : ((BigInt(startTime!) + BigInt(duration!)) * 1000n).toString();
  }

  const kindTag = text(TAG.SPAN_KIND);
  const kind: SpanKindName = kindTag !== undefined && JAEGER_KINDS.has(kindTag) ? (kindTag as SpanKindName) : 'unspecified';

  const errorTag = special.get(TAG.ERROR);
  const statusCodeTag = text(TAG.STATUS_CODE)?.toUpperCase();
  const status: SpanRecord['status'] = {
    code: errorTag === true || errorTag === 'true' || statusCodeTag === 'ERROR' ? 'error' : statusCodeTag === 'OK' ? 'ok' : 'unset',
  };
  const statusMessage = text(TAG.STATUS_DESCRIPTION);
  if (statusMessage !== undefined) status.message = statusMessage;
  if (errorTag !== undefined && errorTag !== true && errorTag !== 'true') attributes.error = errorTag;

  const scope: ScopeRecord = { name: text(TAG.SCOPE_NAME) ?? text(TAG.LIBRARY_NAME) ?? '' };
  const version = text(TAG.SCOPE_VERSION) ?? text(TAG.LIBRARY_VERSION);
  if (version !== undefined) scope.version = version;
  const scopeExtra = parseJsonObject(special.get(TAG.SCOPE), `${path} tag ${TAG.SCOPE}`, warn);
  const scopeTags = tagsIn(scopeExtra.tags, `${path} tag ${TAG.SCOPE}`, warn);
  if (scopeTags !== undefined) scope.attributes = decodeTags(scopeTags, NO_RESERVED, `${path} scope`, warn).attributes;
  if (typeof scopeExtra.droppedAttributesCount === 'number') scope.droppedAttributesCount = scopeExtra.droppedAttributesCount;
  if (typeof scopeExtra.schemaUrl === 'string') scope.schemaUrl = scopeExtra.schemaUrl;

  const parentIndex = references.findIndex((reference) => reference.refType === 'CHILD_OF');
  const linkExtras = parseLinkExtras(special.get(TAG.LINKS), `${path} tag ${TAG.LINKS}`, warn);
  const links: SpanLinkRecord[] = references
    .filter((_reference, i) => i !== parentIndex)
    .map((reference, i) => {
      const link: SpanLinkRecord = { traceId: reference.traceID, spanId: reference.spanID, attributes: {} };
      const extra = linkExtras[i] ?? {};
      const linkTags = tagsIn(extra.tags, `${path} tag ${TAG.LINKS}`, warn);
      if (linkTags !== undefined) link.attributes = decodeTags(linkTags, NO_RESERVED, `${path} link ${i}`, warn).attributes;
      if (typeof extra.traceState === 'string') link.traceState = extra.traceState;
      if (typeof extra.droppedAttributesCount === 'number') link.droppedAttributesCount = extra.droppedAttributesCount;
      if (typeof extra.flags === 'number') link.flags = extra.flags;
      return link;
    });

  const record: SpanRecord = {
    traceId: traceId!,
    spanId: spanId!,
    name: span.operationName as string,
    kind,
    startTimeUnixNano,
    attributes,
    events: logs.map((log, l) => readEvent(log, `${path}.logs[${l}]`, warn)),
    links,
    status,
    resource,
    scope,
  };
  if (parentIndex >= 0) record.parentSpanId = references[parentIndex]!.spanID;
  if (endTimeUnixNano !== undefined) record.endTimeUnixNano = endTimeUnixNano;
  const traceState = text(TAG.TRACE_STATE);
  if (traceState !== undefined) record.traceState = traceState;
  if (typeof span.flags === 'number') record.flags = span.flags;
  const droppedAttributes = count(TAG.DROPPED_ATTRIBUTES);
  if (droppedAttributes !== undefined) record.droppedAttributesCount = droppedAttributes;
  const droppedEvents = count(TAG.DROPPED_EVENTS);
  if (droppedEvents !== undefined) record.droppedEventsCount = droppedEvents;
  const droppedLinks = count(TAG.DROPPED_LINKS);
  if (droppedLinks !== undefined) record.droppedLinksCount = droppedLinks;
  return record;
}

interface RawLog {
  timestamp: number;
  fields: Array<{ key: string; type?: unknown; value?: unknown }>;
}

function readEvent(log: RawLog, path: string, warn: Warn): SpanEventRecord {
  const { attributes, special } = decodeTags(log.fields, LOG_RESERVED, path, warn);
  const name = special.get(TAG.EVENT);
  const exact = special.get(TAG.EVENT_NANOS);
  const event: SpanEventRecord = {
    name: name === undefined ? '' : typeof name === 'string' ? name : String(name),
    timeUnixNano: typeof exact === 'string' && NANOS.test(exact) ? exact : (BigInt(log.timestamp) * 1000n).toString(),
    attributes,
  };
  const dropped = special.get(TAG.DROPPED_ATTRIBUTES);
  if (typeof dropped === 'number' && Number.isSafeInteger(dropped) && dropped >= 0) event.droppedAttributesCount = dropped;
  return event;
}

function readId(value: unknown, length: number, path: string, problems: ProblemList): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > length || !HEX.test(value) || /^0+$/.test(value)) {
    problems.add(`${path}: expected up to ${length} hex characters, not all zero, got ${describeValue(value)}`);
    return undefined;
  }
  return value.toLowerCase().padStart(length, '0');
}

function readMicros(value: unknown, path: string, problems: ProblemList): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    problems.add(`${path}: expected a non-negative integer (microseconds), got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

function readTagList(value: unknown, path: string, problems: ProblemList): Array<{ key: string; type?: unknown; value?: unknown }> | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(`${path}: expected an array, got ${describeValue(value)}`);
    return undefined;
  }
  let ok = true;
  value.forEach((tag, i) => {
    if (!isObject(tag) || typeof tag.key !== 'string') {
      problems.add(`${path}[${i}]: expected a tag with a string key, got ${describeValue(tag)}`);
      ok = false;
    }
  });
  return ok ? (value as Array<{ key: string }>) : undefined;
}

function readReferences(value: unknown, path: string, problems: ProblemList): JaegerReference[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(`${path}: expected an array, got ${describeValue(value)}`);
    return undefined;
  }
  const references: JaegerReference[] = [];
  const before = problems.count;
  value.forEach((reference, i) => {
    if (!isObject(reference) || (reference.refType !== 'CHILD_OF' && reference.refType !== 'FOLLOWS_FROM')) {
      problems.add(`${path}[${i}]: expected a reference with refType CHILD_OF or FOLLOWS_FROM, got ${describeValue(reference)}`);
      return;
    }
    const traceID = readId(reference.traceID, 32, `${path}[${i}].traceID`, problems);
    const spanID = readId(reference.spanID, 16, `${path}[${i}].spanID`, problems);
    if (traceID !== undefined && spanID !== undefined) references.push({ refType: reference.refType, traceID, spanID });
  });
  return problems.count > before ? undefined : references;
}

function readLogs(value: unknown, path: string, problems: ProblemList): RawLog[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(`${path}: expected an array, got ${describeValue(value)}`);
    return undefined;
  }
  const logs: RawLog[] = [];
  const before = problems.count;
  value.forEach((log, i) => {
    if (!isObject(log)) {
      problems.add(`${path}[${i}]: expected a log object, got ${describeValue(log)}`);
      return;
    }
    const timestamp = readMicros(log.timestamp, `${path}[${i}].timestamp`, problems);
    const fields = readTagList(log.fields, `${path}[${i}].fields`, problems);
    if (timestamp !== undefined && fields !== undefined) logs.push({ timestamp, fields });
  });
  return problems.count > before ? undefined : logs;
}

function parseJsonObject(value: AttributeValue | undefined, what: string, warn: Warn): Record<string, unknown> {
  if (value === undefined) return {};
  try {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (isObject(parsed)) return parsed;
  } catch {
    // reported below
  }
  warn(`${what}: not a JSON object; ignored`);
  return {};
}

function parseLinkExtras(value: AttributeValue | undefined, what: string, warn: Warn): Array<Record<string, unknown>> {
  if (value === undefined) return [];
  try {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (Array.isArray(parsed)) return parsed.map((entry) => (isObject(entry) ? entry : {}));
  } catch {
    // reported below
  }
  warn(`${what}: not a JSON array; link attributes ignored`);
  return [];
}

/** The tags inside a bookkeeping tag's JSON, or `undefined` (with a warning when present but malformed). */
function tagsIn(value: unknown, what: string, warn: Warn): Array<{ key: string; type?: unknown; value?: unknown }> | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((tag) => isObject(tag) && typeof tag.key === 'string')) {
    return value as Array<{ key: string }>;
  }
  warn(`${what}: attributes are not a list of tags; ignored`);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
