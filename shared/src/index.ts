/**
 * `@overlap/shared`: the wire types, attribute names and pure trace maths that Overlap's runner and
 * dashboard share. Nothing here touches Node, the DOM, the network or OpenTelemetry; nothing mutates its input.
 *
 * @packageDocumentation
 */
export {
  AiSdkAttributes,
  AiSdkOperations,
  GenAiAttributes,
  GenAiOperations,
  LegacyGenAiAttributes,
  OpenAiAgentsAttributes,
  OverlapAttributes,
  OverlapEvents,
  OverlapJaegerTags,
  Outcome,
  Phase,
  SpanNames,
} from './attributes.js';
export type {
  AttributeValue,
  Attributes,
  BytesValue,
  ResourceRecord,
  ScopeRecord,
  SpanEventRecord,
  SpanKindName,
  SpanLinkRecord,
  SpanRecord,
  StatusCodeName,
} from './model.js';
export { UNKNOWN_SERVICE_NAME, msToNanos, nanosToMs } from './model.js';
export { seededRandom } from './seededRandom.js';
export { EventChannel } from './EventChannel.js';
export type { Disposer } from './EventChannel.js';
export { OverlapError, codeGuard } from './errors/OverlapError.js';
export { InvalidOptionError, isInvalidOptionError } from './errors/InvalidOptionError.js';
export { describeValue } from './describeValue.js';
export { validateOption } from './validateOption.js';
export { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, DEFAULT_DASHBOARD_URL } from './dashboardAddress.js';
export { SPAN_ID_PATTERN, TRACE_ID_PATTERN, readTraceId } from './traceIds.js';
export * from './otlp/index.js';
export * from './trace/index.js';
export * from './formats/index.js';
export * from './agents/index.js';
export * from './api/index.js';
export * from './live/index.js';
