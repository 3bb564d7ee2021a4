import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ToolOptions } from '../tool.js';

/**
 * What Overlap adds around a framework's tool (an AI SDK `tool()`, an OpenAI Agents JS `tool()`): the
 * options of `defineTool` that are about how a call runs, not what it does.
 */
export type ToolPolicy = Pick<
  ToolOptions<StandardSchemaV1, unknown>,
  'timeoutMs' | 'retry' | 'gates' | 'concurrency' | 'circuitBreaker' | 'reclaimPermitAfterMs' | 'type'
>;
