/**
 * Trace file formats: Jaeger JSON (what Jaeger UI loads), JSON lines of span records, and the span
 * record validator both use.
 *
 * @packageDocumentation
 */
export { spansToJaeger } from './spansToJaeger.js';
export { jaegerToSpans } from './jaegerToSpans.js';
export type { JaegerReadResult } from './jaegerToSpans.js';
export type {
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTagType,
  JaegerTrace,
  JaegerTraceFile,
} from './jaegerTypes.js';
export { spansToJsonl, jsonlToSpans } from './jsonl.js';
export type { JsonlLineError, JsonlReadResult } from './jsonl.js';
export { validateSpanRecord, isSpanRecord, MAX_ATTRIBUTE_NESTING } from './validateSpanRecord.js';
export type { SpanRecordValidation } from './validateSpanRecord.js';
export { TraceFileError, isTraceFileError, MAX_REPORTED_PROBLEMS } from './TraceFileError.js';
