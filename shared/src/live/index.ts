export { RUNNERS_NAMESPACE } from './LiveEvents.js';
export type {
  PageToServerEvents,
  RegisterAck,
  RunAgentAck,
  RunAgentEvent,
  RunnerToServerEvents,
  ServerToPageEvents,
  ServerToRunnerEvents,
  SpansEvent,
  SpanStartsAck,
  TracesEvent,
  WatchAck,
  WatchRequest,
} from './LiveEvents.js';
