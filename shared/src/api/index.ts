export type {
  AgentsResponse,
  ApiErrorBody,
  ExportFormat,
  ForwardResponse,
  ImportResponse,
  InfoResponse,
  RunAgentRequest,
  RunAgentResponse,
  StatsResponse,
  TraceListResponse,
  TraceResponse,
  TraceStoreStats,
} from './ApiBodies.js';
