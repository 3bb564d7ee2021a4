import type { SpanRecord } from '../model.js';
import { describeValue as describe } from '../describeValue.js';
import { ProblemList } from './TraceFileError.js';
import { SPAN_ID_PATTERN, TRACE_ID_PATTERN } from '../traceIds.js';

/** The answer of {@link validateSpanRecord}. */
export type SpanRecordValidation =
  | { readonly valid: true; readonly span: SpanRecord }
  | { readonly valid: false; readonly problems: readonly string[] };

/** Deepest nesting of arrays and maps accepted in an attribute value. */
export const MAX_ATTRIBUTE_NESTING = 64;

const NANOS = /^(0|[1-9][0-9]{0,19})$/;
const MAX_NANOS = '18446744073709551615'; // 2^64 - 1: OTLP times are fixed64
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KINDS: ReadonlySet<string> = new Set(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);
const STATUS_CODES: ReadonlySet<string> = new Set(['unset', 'ok', 'error']);

const SPAN_KEYS: ReadonlySet<string> = new Set([
  'traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events',
  'links', 'status', 'resource', 'scope', 'traceState', 'flags', 'droppedAttributesCount', 'droppedEventsCount',
  'droppedLinksCount',
]);
const EVENT_KEYS: ReadonlySet<string> = new Set(['name', 'timeUnixNano', 'attributes', 'droppedAttributesCount']);
const LINK_KEYS: ReadonlySet<string> = new Set(['traceId', 'spanId', 'traceState', 'attributes', 'droppedAttributesCount', 'flags']);
const STATUS_KEYS: ReadonlySet<string> = new Set(['code', 'message']);
const RESOURCE_KEYS: ReadonlySet<string> = new Set(['serviceName', 'attributes', 'droppedAttributesCount', 'schemaUrl']);
const SCOPE_KEYS: ReadonlySet<string> = new Set(['name', 'version', 'attributes', 'droppedAttributesCount', 'schemaUrl']);

/**
 * Checks that a value has the shape of a {@link SpanRecord}, as read from JSON: ids of 32 (trace) and 16
 * (span) lowercase hex characters, not all zero; times as decimal strings of nanoseconds (no sign, no
 * leading zeros, at most 2^64 - 1); `kind` and `status.code` from their lists; attribute values that are
 * strings, numbers, booleans, `null`, `{ bytesBase64 }` with valid base64, or arrays and objects
 * of those (at most {@link MAX_ATTRIBUTE_NESTING} deep); counts and flags non-negative integers
 * (flags below 2^32); and no properties the model does not have (a property set to `undefined` counts
 * as absent). An end before the start is allowed here: it is valid JSON for a span, and
 * `assembleTrace` repairs it.
 *
 * Numbers may be non-finite (`NaN`, `Infinity`: OTLP doubles can be); note that JSON cannot hold them,
 * so `spansToJsonl` writes them as `null` (the Jaeger format keeps them).
 *
 * The value is not changed or copied: on success, `span` is the value itself.
 *
 * @example
 * ```ts
 * const result = validateSpanRecord(JSON.parse(line));
 * if (result.valid) store.add(result.span);
 * else console.warn(result.problems.join('; '));
 * ```
 */
export function validateSpanRecord(value: unknown): SpanRecordValidation {
  const problems = new ProblemList();
  checkSpan(value, problems);
  return problems.count === 0 ? { valid: true, span: value as SpanRecord } : { valid: false, problems: problems.toArray() };
}

/**
 * Whether a value has the shape of a {@link SpanRecord} (see {@link validateSpanRecord} for the rules).
 *
 * @example
 * ```ts
 * const spans = parsed.filter(isSpanRecord);
 * ```
 */
export function isSpanRecord(value: unknown): value is SpanRecord {
  return validateSpanRecord(value).valid;
}

type Record_ = Record<string, unknown>;

function checkSpan(value: unknown, problems: ProblemList): void {
  if (!isPlainObject(value)) {
    problems.add(`span: expected an object, got ${describe(value)}`);
    return;
  }
  checkKeys(value, SPAN_KEYS, '', problems);
  checkTraceId(value.traceId, 'traceId', problems);
  checkSpanId(value.spanId, 'spanId', problems);
  if (value.parentSpanId !== undefined) checkSpanId(value.parentSpanId, 'parentSpanId', problems);
  checkString(value.name, 'name', problems);
  if (typeof value.kind !== 'string' || !KINDS.has(value.kind)) {
    problems.add(`kind: expected one of ${[...KINDS].join(', ')}, got ${describe(value.kind)}`);
  }
  checkNanos(value.startTimeUnixNano, 'startTimeUnixNano', problems);
  if (value.endTimeUnixNano !== undefined) checkNanos(value.endTimeUnixNano, 'endTimeUnixNano', problems);
  checkAttributes(value.attributes, 'attributes', problems);

  if (!Array.isArray(value.events)) problems.add(`events: expected an array, got ${describe(value.events)}`);
  else value.events.forEach((event, i) => checkEvent(event, `events[${i}]`, problems));
  if (!Array.isArray(value.links)) problems.add(`links: expected an array, got ${describe(value.links)}`);
  else value.links.forEach((link, i) => checkLink(link, `links[${i}]`, problems));

  const status = value.status;
  if (!isPlainObject(status)) {
    problems.add(`status: expected an object, got ${describe(status)}`);
  } else {
    checkKeys(status, STATUS_KEYS, 'status.', problems);
    if (typeof status.code !== 'string' || !STATUS_CODES.has(status.code)) {
      problems.add(`status.code: expected one of unset, ok, error, got ${describe(status.code)}`);
    }
    if (status.message !== undefined) checkString(status.message, 'status.message', problems);
  }

  const resource = value.resource;
  if (!isPlainObject(resource)) {
    problems.add(`resource: expected an object, got ${describe(resource)}`);
  } else {
    checkKeys(resource, RESOURCE_KEYS, 'resource.', problems);
    checkString(resource.serviceName, 'resource.serviceName', problems);
    checkAttributes(resource.attributes, 'resource.attributes', problems);
    checkOptionalCount(resource.droppedAttributesCount, 'resource.droppedAttributesCount', problems);
    if (resource.schemaUrl !== undefined) checkString(resource.schemaUrl, 'resource.schemaUrl', problems);
  }

  const scope = value.scope;
  if (!isPlainObject(scope)) {
    problems.add(`scope: expected an object, got ${describe(scope)}`);
  } else {
    checkKeys(scope, SCOPE_KEYS, 'scope.', problems);
    checkString(scope.name, 'scope.name', problems);
    if (scope.version !== undefined) checkString(scope.version, 'scope.version', problems);
    if (scope.attributes !== undefined) checkAttributes(scope.attributes, 'scope.attributes', problems);
    checkOptionalCount(scope.droppedAttributesCount, 'scope.droppedAttributesCount', problems);
    if (scope.schemaUrl !== undefined) checkString(scope.schemaUrl, 'scope.schemaUrl', problems);
  }

  if (value.traceState !== undefined) checkString(value.traceState, 'traceState', problems);
  checkOptionalFlags(value.flags, 'flags', problems);
  checkOptionalCount(value.droppedAttributesCount, 'droppedAttributesCount', problems);
  checkOptionalCount(value.droppedEventsCount, 'droppedEventsCount', problems);
  checkOptionalCount(value.droppedLinksCount, 'droppedLinksCount', problems);
}

function checkEvent(value: unknown, path: string, problems: ProblemList): void {
  if (!isPlainObject(value)) {
    problems.add(`${path}: expected an object, got ${describe(value)}`);
    return;
  }
  checkKeys(value, EVENT_KEYS, `${path}.`, problems);
  checkString(value.name, `${path}.name`, problems);
  checkNanos(value.timeUnixNano, `${path}.timeUnixNano`, problems);
  checkAttributes(value.attributes, `${path}.attributes`, problems);
  checkOptionalCount(value.droppedAttributesCount, `${path}.droppedAttributesCount`, problems);
}

function checkLink(value: unknown, path: string, problems: ProblemList): void {
  if (!isPlainObject(value)) {
    problems.add(`${path}: expected an object, got ${describe(value)}`);
    return;
  }
  checkKeys(value, LINK_KEYS, `${path}.`, problems);
  checkTraceId(value.traceId, `${path}.traceId`, problems);
  checkSpanId(value.spanId, `${path}.spanId`, problems);
  if (value.traceState !== undefined) checkString(value.traceState, `${path}.traceState`, problems);
  checkAttributes(value.attributes, `${path}.attributes`, problems);
  checkOptionalCount(value.droppedAttributesCount, `${path}.droppedAttributesCount`, problems);
  checkOptionalFlags(value.flags, `${path}.flags`, problems);
}

function checkKeys(value: Record_, allowed: ReadonlySet<string>, prefix: string, problems: ProblemList): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key) && value[key] !== undefined) problems.add(`${prefix}${key}: not a property of the span model`);
  }
}

function checkTraceId(value: unknown, path: string, problems: ProblemList): void {
  if (typeof value !== 'string' || !TRACE_ID_PATTERN.test(value) || /^0+$/.test(value)) {
    problems.add(`${path}: expected 32 lowercase hex characters, not all zero, got ${describe(value)}`);
  }
}

function checkSpanId(value: unknown, path: string, problems: ProblemList): void {
  if (typeof value !== 'string' || !SPAN_ID_PATTERN.test(value) || /^0+$/.test(value)) {
    problems.add(`${path}: expected 16 lowercase hex characters, not all zero, got ${describe(value)}`);
  }
}

function checkNanos(value: unknown, path: string, problems: ProblemList): void {
  if (typeof value !== 'string' || !NANOS.test(value) || (value.length === MAX_NANOS.length && value > MAX_NANOS)) {
    problems.add(`${path}: expected nanoseconds as a decimal string (at most 2^64 - 1), got ${describe(value)}`);
  }
}

function checkString(value: unknown, path: string, problems: ProblemList): void {
  if (typeof value !== 'string') problems.add(`${path}: expected a string, got ${describe(value)}`);
}

function checkOptionalCount(value: unknown, path: string, problems: ProblemList): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    problems.add(`${path}: expected a non-negative integer, got ${describe(value)}`);
  }
}

function checkOptionalFlags(value: unknown, path: string, problems: ProblemList): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    problems.add(`${path}: expected an integer from 0 to 2^32 - 1, got ${describe(value)}`);
  }
}

function checkAttributes(value: unknown, path: string, problems: ProblemList): void {
  if (!isPlainObject(value)) {
    problems.add(`${path}: expected an object, got ${describe(value)}`);
    return;
  }
  for (const key of Object.keys(value)) checkAttributeValue(value[key], `${path}[${JSON.stringify(key)}]`, 1, problems);
}

function checkAttributeValue(value: unknown, path: string, depth: number, problems: ProblemList): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number':
      return;
    case 'object':
      break;
    default:
      problems.add(`${path}: expected a string, number, boolean, null, array or object, got ${describe(value)}`);
      return;
  }
  if (value === null) return;
  if (depth > MAX_ATTRIBUTE_NESTING) {
    problems.add(`${path}: nested deeper than ${MAX_ATTRIBUTE_NESTING} levels`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((entry, i) => checkAttributeValue(entry, `${path}[${i}]`, depth + 1, problems));
    return;
  }
  if (!isPlainObject(value)) {
    problems.add(`${path}: expected a plain object, got ${describe(value)}`);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'bytesBase64') {
    const bytes = value.bytesBase64;
    if (typeof bytes !== 'string' || !BASE64.test(bytes)) problems.add(`${path}.bytesBase64: expected base64, got ${describe(bytes)}`);
    return;
  }
  for (const key of keys) checkAttributeValue(value[key], `${path}[${JSON.stringify(key)}]`, depth + 1, problems);
}

function isPlainObject(value: unknown): value is Record_ {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
