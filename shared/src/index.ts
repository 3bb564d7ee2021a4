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
export { msToNanos, nanosToMs } from './model.js';
export { seededRandom } from './seededRandom.js';
export * from './otlp/index.js';
export * from './trace/index.js';
export * from './formats/index.js';
