import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const vectorMatches = z.object({ matches: z.array(z.object({ id: z.string(), score: z.number() })) });

/** Nearest documents to a query. */
export type VectorMatches = z.infer<typeof vectorMatches>;

/**
 * `query_vector_store`: the documents nearest to a query, from the upstream's `vectorStore` endpoint
 * (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const queryVectors = vectorStoreTool({ upstreamUrl });
 * const { matches } = await ctx.call(queryVectors, { query: 'late delivery', topK: 3 });
 * ```
 */
export function vectorStoreTool(settings: ToolSettings) {
  return defineTool({
    name: 'query_vector_store',
    description: 'Nearest documents to a query',
    type: 'datastore',
    input: z.object({ query: z.string().min(1), topK: z.number().int().min(1).max(10).default(3) }),
    output: vectorMatches,
    ...callPolicy(settings, 1000),
    run: ({ query, topK }, { signal }) =>
      requestJson<VectorMatches>(settings.upstreamUrl, '/vectors/query', { signal, body: { query, topK } }),
  });
}
