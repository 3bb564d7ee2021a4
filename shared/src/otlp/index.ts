export type {
  OtlpAnyValue,
  OtlpArrayValue,
  OtlpEvent,
  OtlpExportTracePartialSuccess,
  OtlpExportTraceServiceRequest,
  OtlpExportTraceServiceResponse,
  OtlpInstrumentationScope,
  OtlpInt64,
  OtlpKeyValue,
  OtlpKeyValueList,
  OtlpLink,
  OtlpResource,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
} from './types.js';
export { OtlpSpanKind, OtlpStatusCode } from './types.js';
export { otlpToSpans } from './otlpToSpans.js';
export type { OtlpRejectedSpan, OtlpToSpansResult } from './otlpToSpans.js';
export { spansToOtlp } from './spansToOtlp.js';
export { InvalidOtlpRequestError, isInvalidOtlpRequestError } from './InvalidOtlpRequestError.js';
export { fromOtlpAnyValue, fromOtlpKeyValues, toOtlpAnyValue, toOtlpKeyValues } from './otlpAttributes.js';
export { spanKindFromOtlp, spanKindToOtlp, statusCodeFromOtlp, statusCodeToOtlp } from './otlpEnums.js';
export { parseOtlpId, isZeroId } from './otlpIds.js';
export { parseUnixNano } from './otlpTimes.js';
