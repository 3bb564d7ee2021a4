/**
 * `@overlap/runner/ai-sdk`: run the Vercel AI SDK's tools through Overlap. Wrap a tool set with
 * `overlapTools(runner, tools, options)` and every `execute` passes Overlap's circuit breaker, gates,
 * timeout and retries, with Overlap's spans (queue and run) nested under the AI SDK's own tool spans.
 * Needs `ai` 7 (an optional peer dependency; only its types are used).
 *
 * @packageDocumentation
 */
export { overlapTool, overlapTools } from './overlapTools.js';
export type { AiSdkToolOptions } from './overlapTools.js';
