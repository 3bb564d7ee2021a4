export { RUNNERS_NAMESPACE } from './LiveEvents.js';
export { MAX_QUEUED_CALLS_PER_BATCH, readDequeuedCalls, readQueuedCalls } from './QueuedCall.js';
export type { DequeuedCall, QueueRecordsReading, QueuedCall } from './QueuedCall.js';
export { QUEUED_PLACEHOLDER_SCOPE, queuedCallSpans } from './queuedCallSpans.js';
export { decodeSpanColumns, encodeSpanColumns } from './spanColumns.js';
export type { SpanColumns } from './spanColumns.js';
export type {
  LiveBatchAck,
  PageToServerEvents,
  RegisterAck,
  RunAgentAck,
  RunAgentEvent,
  RunnerLiveBatch,
  RunnerToServerEvents,
  ServerToPageEvents,
  ServerToRunnerEvents,
  SpansEvent,
  SpanStartsAck,
  TraceSpansEvent,
  TracesEvent,
  WatchAck,
  WatchedTrace,
  WatchRequest,
} from './LiveEvents.js';
