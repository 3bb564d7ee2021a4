/**
 * `@overlap/runner`: run an agent's tool calls concurrently under semaphores, rate limits, timeouts,
 * deadlines, retries and fallbacks, with an OpenTelemetry span for every run and call.
 *
 * @packageDocumentation
 */
export { Runner, DEFAULT_RECORD_IO_MAX_LENGTH } from './Runner.js';
export type { RunnerOptions } from './Runner.js';
export { defineTool, DEFAULT_TOOL_TIMEOUT_MS, DEFAULT_ABANDONED_SPAN_MAX_MS } from './tool.js';
export type { Tool, ToolContext, ToolInput, ToolOperation, ToolOptions, ToolOutput, ToolType } from './tool.js';
export { defineModel, chatRequestSchema } from './model.js';
export type { ChatMessage, ChatRequest, ChatResponse, ChatToolCall, ChatToolDefinition, ModelOptions } from './model.js';
export { defineAgent } from './agent.js';
export type { Agent, AgentOptions } from './agent.js';
export type {
  AgentContext,
  CallOptions,
  HedgeOptions,
  MapOptions,
  RunOptions,
  Settled,
  Task,
  TaskResult,
} from './AgentContext.js';
export { GateBase } from './gates/Gate.js';
export type {
  AcquireOptions,
  Gate,
  GateAcquireEvent,
  GateQueueEvent,
  GateRejectEvent,
  GateReleaseEvent,
  GateScope,
  GateWaiter,
  Permit,
} from './gates/Gate.js';
export { LocalGate } from './gates/LocalGate.js';
export type { LocalGateOptions } from './gates/LocalGate.js';
export { Semaphore } from './gates/Semaphore.js';
export type { SemaphoreOptions } from './gates/Semaphore.js';
export { RateLimiter } from './gates/RateLimiter.js';
export type { RateLimiterOptions } from './gates/RateLimiter.js';
export { backoffDelayMs, isRetryableByDefault } from './retry.js';
export type { RetryOptions, RetryPolicy } from './retry.js';
export type { CircuitBreakerOptions, CircuitBreakerPolicy, CircuitState } from './CircuitBreakerOptions.js';
export { systemClock } from './Clock.js';
export type { Clock, TimerHandle } from './Clock.js';
export type { Disposer } from './Disposer.js';
export { OverlapError } from './errors/OverlapError.js';
export { InvalidOptionError, isInvalidOptionError } from './errors/InvalidOptionError.js';
export { ToolInputError, isToolInputError } from './errors/ToolInputError.js';
export type { SchemaIssue } from './errors/ToolInputError.js';
export { ToolOutputError, isToolOutputError } from './errors/ToolOutputError.js';
export { ToolTimeoutError, isToolTimeoutError } from './errors/ToolTimeoutError.js';
export { DeadlineExceededError, isDeadlineExceededError } from './errors/DeadlineExceededError.js';
export { QueueFullError, isQueueFullError } from './errors/QueueFullError.js';
export { QueueTimeoutError, isQueueTimeoutError } from './errors/QueueTimeoutError.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/CircuitOpenError.js';
export { RetriesExhaustedError, isRetriesExhaustedError } from './errors/RetriesExhaustedError.js';
export type { RetryStopReason } from './errors/RetriesExhaustedError.js';
export { CancelledError, isCancelledError } from './errors/CancelledError.js';
export { UpstreamError, isUpstreamError, isRetryableStatus, parseRetryAfter } from './errors/UpstreamError.js';
export type { UpstreamErrorOptions } from './errors/UpstreamError.js';
