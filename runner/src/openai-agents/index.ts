/**
 * `@overlap/runner/openai-agents`: run OpenAI Agents JS tools through Overlap and see Agents JS runs as
 * OpenTelemetry spans. `overlapTool(runner, toolDefinition, options)` is `tool()` with every call passing
 * Overlap's circuit breaker, gates, timeout and retries; `OpenTelemetryTracingProcessor` turns Agents JS
 * traces (agent, generation, function, handoff... spans) into OpenTelemetry spans with GenAI names. Needs
 * `@openai/agents` (an optional peer dependency).
 *
 * @packageDocumentation
 */
export { overlapTool } from './overlapTool.js';
export type { AgentsToolOptions } from './overlapTool.js';
export { OpenTelemetryTracingProcessor } from './OpenTelemetryTracingProcessor.js';
export type { OpenTelemetryTracingProcessorOptions } from './OpenTelemetryTracingProcessor.js';
